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
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, OFFLINE_PAGES.includes(url.pathname)));
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
    return response;
  } catch (error) {
    // Offline, a page kept from an earlier release asks for its files' old hashes: the current
    // version of the same file is better than none.
    const fallback = await caches.match(request, {ignoreSearch: true});
    if (fallback) return fallback;
    throw error;
  }
}

async function networkFirst(request, keep) {
  try {
    const response = await fetch(request);
    // Only the volunteer's own pages are kept, and only real (not redirected) answers.
    if (keep && response.ok && !response.redirected) (await caches.open(PAGES)).put(request, response.clone());
    return response;
  } catch (error) {
    return (await caches.match(request, {ignoreSearch: true})) || (await caches.match("/offline"));
  }
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
  event.waitUntil(self.registration.showNotification(data.title || "Treffpunkt", {
    body: data.body || "",
    tag: data.tag || undefined,
    data: {url: data.url || "/my/shifts"},
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/maskable-192.png",
    lang: "de",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data && event.notification.data.url || "/", self.location.origin);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    for (const client of windows) {
      if (client.url === target.href && "focus" in client) return client.focus();
    }
    return self.clients.openWindow(target.href);
  })());
});
