// Treffpunkt service worker: app shell from the cache, the volunteer's own pages readable offline,
// push notifications shown with the shift's time and place.
"use strict";
/* global BUILD */

// BUILD (put in by the app after "use strict": volunteers/core/static_files.py) names the app shell
// under content-hashed URLs and a version that changes with any of its files.
importScripts(BUILD.outbox);

const SHELL = `treffpunkt-shell-${BUILD.version}`;
const PAGES = "treffpunkt-pages";
const SHELL_FILES = BUILD.shell;
// Pages kept for reading offline: the volunteer's own shifts and hours.
const OFFLINE_PAGES = ["/my/shifts", "/hours"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (![SHELL, PAGES].includes(key)) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(event));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event, OFFLINE_PAGES.includes(url.pathname)));
  }
});

// The copy is kept with event.waitUntil: the worker may otherwise stop before the write ends, and
// a page read online just before the network went would be missing offline.
async function cacheFirst(event) {
  const request = event.request;
  const cached = await caches.match(request);
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok) event.waitUntil(keepCopy(SHELL, request, response));
    return response;
  } catch (error) {
    // Offline, a page kept from an earlier release asks for its files' old hashes: the current
    // version of the same file is better than none.
    const fallback = await caches.match(request, {ignoreSearch: true});
    if (fallback) return fallback;
    throw error;
  }
}

async function networkFirst(event, keep) {
  const request = event.request;
  try {
    const response = await fetch(request);
    // Only the volunteer's own pages are kept, and only real (not redirected) answers.
    if (keep && response.ok && !response.redirected) event.waitUntil(keepCopy(PAGES, request, response));
    return response;
  } catch (error) {
    return (await caches.match(request, {ignoreSearch: true})) || (await caches.match("/offline"));
  }
}

async function keepCopy(cacheName, request, response) {
  const copy = response.clone();  // cloned now, before the page reads the body
  await (await caches.open(cacheName)).put(request, copy);
}

self.addEventListener("message", (event) => {
  // Sent by the page on logout: nothing personal stays on a shared phone.
  if (event.data === "logout") event.waitUntil(caches.delete(PAGES));
});

// Background Sync: the outbox (hours, and scans at the poster with the time of the tap) is sent
// even after the page was closed. A rejected promise tells the browser to try again later, with
// its own backoff.
self.addEventListener("sync", (event) => {
  if (event.tag === "treffpunkt-outbox") event.waitUntil(sendOutbox());
});

async function sendOutbox() {
  const session = await Outbox.session();
  if (!session || !session.user) return;
  const results = await Outbox.flush(session.user, session.csrf);
  const windows = await self.clients.matchAll({type: "window"});
  // With the server's answers: an open check-in page shows when the scan counted.
  const message = {type: "outbox-sent", sent: results.sent, confirmed: results.confirmed};
  for (const client of windows) client.postMessage(message);
  if (results.waiting) throw new Error("the server is still unreachable");
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {title: "Treffpunkt", body: event.data ? event.data.text() : ""};
  }
  // Buttons ("Übernehmen" / "Ablehnen"), each answered by a POST with its own token. Browsers
  // without buttons show none; a tap on the message opens its page as ever.
  const actions = Array.isArray(data.actions) ? data.actions.filter(isLocalAction).slice(0, 2) : [];
  event.waitUntil(self.registration.showNotification(data.title || "Treffpunkt", {
    body: data.body || "",
    tag: data.tag || undefined,
    data: {url: data.url || "/my/shifts", actions, lang: data.lang},
    actions: actions.map((action) => ({action: action.action, title: action.title})),
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/maskable-192.png",
    ...languageOf(data.lang),
  }));
});

// The message is in the recipient's language (the server sends it along); Arabic reads from the right.
function languageOf(lang) {
  const known = typeof lang === "string" && /^[a-z]{2}$/.test(lang) ? lang : "de";
  return {lang: known, dir: known === "ar" ? "rtl" : "ltr"};
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(notificationClicked(event.notification, event.action));
});

// A button answers at once and says how it went; the page opens when it did not work (and for a
// tap on the message itself).
async function notificationClicked(notification, action) {
  const data = notification.data || {};
  const chosen = action && (data.actions || []).find((candidate) => candidate.action === action);
  if (!chosen) return openPage(data.url);
  const outcome = await answerAction(chosen);
  await self.registration.showNotification(outcome.message, {
    body: notification.title,
    tag: notification.tag || undefined,
    data: {url: data.url || "/", lang: data.lang},
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/maskable-192.png",
    ...languageOf(data.lang),
  });
  if (!outcome.ok) return openPage(data.url);
  return outcome;
}

// The token alone allows this one answer: no cookie goes with it, so no CSRF token is needed
// (volunteers/availability/invitation_tokens.py).
async function answerAction(chosen) {
  try {
    const response = await fetch(new URL(chosen.url, self.location.origin).href, {
      method: "POST",
      credentials: "omit",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({token: chosen.token}),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) return {ok: true, message: answer.message || chosen.title};
    return {ok: false, message: (answer.error && answer.error.message) || chosen.failed || chosen.title};
  } catch (error) {
    return {ok: false, message: chosen.failed || chosen.title};
  }
}

function isLocalAction(action) {
  return action && typeof action.action === "string" && typeof action.title === "string"
    && typeof action.url === "string" && action.url.startsWith("/") && !action.url.startsWith("//");
}

async function openPage(url) {
  const target = new URL(url || "/", self.location.origin);
  const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
  for (const client of windows) {
    if (client.url === target.href && "focus" in client) return client.focus();
  }
  return self.clients.openWindow(target.href);
}
