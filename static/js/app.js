// Treffpunkt: small progressive enhancements; every page also works without JavaScript.
// Texts come translated from data attributes on <body>, never from this file.
"use strict";

const body = document.body;
const text = (name) => body.dataset[name] || "";
const csrfToken = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

// Ask before destructive actions marked with data-confirm (no inline handlers: the CSP forbids them).
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});

// --- focus: the page's news first ------------------------------------------------------
// After a failed submit the first invalid field (its error is tied to it); after a redirect that
// brought a message, the message: a live region present at load is often not read out.
function focusNews() {
  const invalid = document.querySelector("main [aria-invalid='true']");
  const flash = document.querySelector("main .flashes .flash");
  const target = invalid || flash;
  if (!target) return;
  if (!invalid) target.tabIndex = -1;
  target.focus();
}
focusNews();

// --- connection -----------------------------------------------------------------------------
const banner = document.getElementById("offline-banner");
function showConnection() {
  if (banner) banner.hidden = navigator.onLine;
}
window.addEventListener("online", () => { showConnection(); sendOutbox(); });
window.addEventListener("offline", showConnection);
showConnection();

function say(message, {focus = false} = {}) {
  const status = document.getElementById("js-status");
  if (!status) return;
  status.textContent = message;
  status.hidden = false;
  if (focus) { status.tabIndex = -1; status.focus(); }
}

// The browser often believes it is online while the server cannot be reached (a dead cell, a
// captive portal). Ask the server itself, cheaply, before the person starts typing.
async function serverReachable() {
  if (!navigator.onLine) return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch("/healthz", {cache: "no-store", signal: controller.signal});
    return response.ok;
  } catch (error) {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// Forms that need the network say so when the person enters them, not after they typed.
const OFFLINE_FORMS = "[data-offline-hours], [data-offline-proposal]";
const checkedForms = new WeakMap();
document.addEventListener("focusin", async (event) => {
  const form = event.target.closest && event.target.closest("main form[method='post']");
  if (!form || form.matches(OFFLINE_FORMS) || !event.target.matches("input, select, textarea")) return;
  if (Date.now() - (checkedForms.get(form) || 0) < 30000) return;
  checkedForms.set(form, Date.now());
  const reachable = await serverReachable();
  let notice = form.previousElementSibling;
  if (!(notice && notice.matches(".network-notice"))) notice = null;
  if (reachable) { if (notice) notice.remove(); return; }
  if (notice) return;
  notice = document.createElement("p");
  notice.className = "flash flash-warning network-notice";
  notice.setAttribute("role", "alert");
  notice.textContent = text("msgNeedsNetwork");
  form.before(notice);
});

// Without any network at all, a form that cannot wait is not sent into the void.
document.addEventListener("submit", (event) => {
  if (navigator.onLine || event.defaultPrevented || event.target.matches(OFFLINE_FORMS)) return;
  event.preventDefault();
  say(text("msgNeedsNetwork"), {focus: true});
});

// --- the outbox: hours and confirmed proposals leave this device only when the server has them --
const user = body.dataset.userId;
const lang = document.documentElement.lang || "de";
const outboxPanel = document.querySelector("[data-outbox]");
const hasOutbox = typeof Outbox !== "undefined" && "indexedDB" in window;

// A counted text in the reader's language: the server gives every plural form, keyed by the
// CLDR category, and Intl picks the one for this number.
function counted(name, count) {
  let forms = {};
  try { forms = JSON.parse(text(name) || "{}"); } catch (error) { forms = {}; }
  const form = forms[new Intl.PluralRules(lang).select(count)] || forms.other || "";
  return form.replace("{count}", count.toLocaleString(lang));
}

const duration = (minutes) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
function dayText(isoDate) {
  const day = new Date(`${isoDate}T12:00:00`);
  return Number.isNaN(day.getTime()) ? isoDate || "" : new Intl.DateTimeFormat(lang, {dateStyle: "medium"}).format(day);
}
const optionText = (select) => (select && select.selectedOptions[0] ? select.selectedOptions[0].textContent.trim() : "");

function manualHours(form) {
  const data = new FormData(form);
  const minutes = Number(data.get("hours") || 0) * 60 + Number(data.get("minutes") || 0);
  const payload = {
    client_id: data.get("client_id") || crypto.randomUUID(),
    centre: data.get("centre") || null,
    date: data.get("work_date"),
    minutes,
    activity: data.get("activity"),
    meeting_point: data.get("meeting_point") || null,
    note: data.get("note") || "",
  };
  const label = [dayText(payload.date), `${duration(minutes)} h`, optionText(form.elements.activity)].filter(Boolean).join(" · ");
  return {payload, label};
}

async function proposal(form) {
  const data = new FormData(form);
  const shiftId = Number(form.dataset.shiftId);
  const minutes = data.has("reason") ? Number(data.get("hours") || 0) * 60 + Number(data.get("minutes") || 0) : Number(form.dataset.proposed);
  // Tapped twice, or again after a reload: the same entry, not a second one.
  const queued = (await Outbox.itemsOf(user)).find((item) => item.payload.shift_id === shiftId);
  const payload = {
    client_id: queued ? queued.client_id : crypto.randomUUID(),
    shift_id: shiftId,
    date: form.dataset.date,
    activity: form.dataset.activity,
    minutes,
    note: (data.get("reason") || "").trim(),
  };
  return {payload, label: `${form.dataset.label} · ${duration(minutes)} h`};
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!hasOutbox || !user || event.defaultPrevented || !form.matches(OFFLINE_FORMS)) return;
  const isProposal = form.matches("[data-offline-proposal]");
  // A changed duration needs a reason (the page's rule); let the server say so on its page.
  if (isProposal && form.elements.reason && !form.elements.reason.value.trim()) return;
  event.preventDefault();
  const {payload, label} = isProposal ? await proposal(form) : manualHours(form);
  const item = await Outbox.add({user, url: "/api/v1/me/hours", payload, label});
  const result = await Outbox.send(item, csrfToken());
  if (result.outcome === "refused") {
    // The network works and the entry is wrong: the page itself shows what to fix, by the field.
    await Outbox.remove(item.client_id);
    form.submit();
    return;
  }
  if (result.outcome === "sent") {
    const thanks = isProposal ? text("msgProposalSaved") : text("msgHoursSaved").replace("{duration}", duration(payload.minutes));
    sessionStorage.setItem("treffpunkt-said", thanks);
    location.reload();  // the history and totals now include it
    return;
  }
  if (!isProposal) {
    form.reset();
    if (form.elements.client_id) form.elements.client_id.value = crypto.randomUUID();
  }
  await showOutbox();
  say(text("msgHoursQueued"), {focus: true});
  askForBackgroundSync();
});

async function showOutbox() {
  if (!outboxPanel || !hasOutbox || !user) return;
  const items = await Outbox.itemsOf(user);
  const list = outboxPanel.querySelector("[data-outbox-list]");
  list.replaceChildren(...items.map((item) => outboxRow(item)));
  outboxPanel.hidden = items.length === 0;
}

function outboxRow(item) {
  const row = document.createElement("li");
  const what = document.createElement("span");
  what.textContent = item.label;
  const state = document.createElement("strong");
  state.textContent = item.state === "refused"
    ? ` – ${outboxPanel.dataset.msgRefused} ${item.message || ""}`
    : ` – ${outboxPanel.dataset.msgWaiting}`;
  row.append(what, state);
  if (item.state === "refused") {
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link-button";
    discard.textContent = outboxPanel.dataset.msgDiscard;
    discard.addEventListener("click", async () => { await Outbox.remove(item.client_id); await showOutbox(); });
    row.append(" ", discard);
  }
  return row;
}

async function sendOutbox() {
  if (!hasOutbox || !user) return;
  const results = await Outbox.flush(user, csrfToken());
  await showOutbox();
  if (results.sent) say(counted("msgHoursSent", results.sent));
  if (results.refused) say(text("msgHoursRefused"));
}

function askForBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register("treffpunkt-outbox"))
    .catch(() => {});
}

// Entries an earlier version of this page kept in localStorage move into the outbox, not lost.
async function adoptOldQueue() {
  const old = JSON.parse(localStorage.getItem("treffpunkt-hours-queue") || "[]");
  for (const {user: owner, ...payload} of old) {
    await Outbox.add({user: owner, url: "/api/v1/me/hours", payload, label: `${dayText(payload.date)} · ${duration(payload.minutes)} h`});
  }
  localStorage.removeItem("treffpunkt-hours-queue");
}

if (hasOutbox) {
  // The service worker sends for this person when the page is gone (Background Sync).
  (user ? Outbox.setSession({user, csrf: csrfToken()}) : Outbox.clearSession()).catch(() => {});
  const retry = outboxPanel && outboxPanel.querySelector("[data-outbox-retry]");
  if (retry) retry.addEventListener("click", sendOutbox);
  adoptOldQueue().catch(() => {}).then(showOutbox).then(sendOutbox).catch(() => {});
}
const said = sessionStorage.getItem("treffpunkt-said");
if (said) {
  sessionStorage.removeItem("treffpunkt-said");
  say(said, {focus: true});
}

// --- service worker -----------------------------------------------------------------------
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/service-worker.js", {scope: "/"}).catch(() => {});
  // Logging out here, or on all devices: the cached pages and the stored session go.
  for (const logout of document.querySelectorAll("form[data-logout]")) {
    logout.addEventListener("submit", () => {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("logout");
      if (hasOutbox) Outbox.clearSession().catch(() => {});
    });
  }
  // The worker sent queued entries in the background: show the list as it is now.
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "outbox-sent") {
      showOutbox();
      if (event.data.sent) say(counted("msgHoursSent", event.data.sent));
    }
  });
}

// --- push notifications on this device (settings page) --------------------------------------
const pushPanel = document.querySelector("[data-push-panel]");
if (pushPanel) setUpPush(pushPanel);

function base64UrlToBytes(value) {
  const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function jsonRequest(url, method, payload) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
    body: payload ? JSON.stringify(payload) : undefined,
  });
  if (!response.ok) throw new Error(String(response.status));
  return response.status === 204 ? null : response.json().catch(() => null);
}

async function setUpPush(panel) {
  const status = panel.querySelector("[data-push-status]");
  const enable = panel.querySelector("[data-push-enable]");
  const disable = panel.querySelector("[data-push-disable]");
  const test = panel.querySelector("[data-push-test]");
  const show = (message) => { status.textContent = message; };
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    show(panel.dataset.msgUnsupported);
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const refresh = async () => {
    const subscription = await registration.pushManager.getSubscription();
    enable.hidden = Boolean(subscription);
    disable.hidden = test.hidden = !subscription;
    show(subscription ? panel.dataset.msgOn : panel.dataset.msgOff);
  };
  enable.addEventListener("click", async () => {
    try {
      if (await Notification.requestPermission() !== "granted") { show(panel.dataset.msgDenied); return; }
      const {publicKey} = await jsonRequest("/push/vapid-public-key", "GET");
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey)});
      await jsonRequest("/push/subscriptions", "POST", subscription.toJSON());
      await refresh();
    } catch (error) {
      show(panel.dataset.msgFailed);
    }
  });
  disable.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await jsonRequest("/push/subscriptions", "DELETE", {endpoint: subscription.endpoint}).catch(() => {});
      await subscription.unsubscribe();
    }
    await refresh();
  });
  test.addEventListener("click", async () => {
    try {
      await jsonRequest("/push/test", "POST");
      show(panel.dataset.msgTestSent);
    } catch (error) {
      show(panel.dataset.msgFailed);
    }
  });
  await refresh();
}
