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

// --- offline ----------------------------------------------------------------------------
const banner = document.getElementById("offline-banner");
function showConnection() {
  if (banner) banner.hidden = navigator.onLine;
}
window.addEventListener("online", () => { showConnection(); sendQueuedHours(); });
window.addEventListener("offline", showConnection);
showConnection();

function say(message) {
  const status = document.getElementById("js-status");
  if (status) { status.textContent = message; status.hidden = false; }
}

// Forms need the network; say so instead of failing. Hours forms are kept and sent later.
document.addEventListener("submit", (event) => {
  if (navigator.onLine || event.defaultPrevented) return;
  event.preventDefault();
  if (event.target.matches("[data-offline-hours]")) {
    queueHours(event.target);
  } else {
    say(text("msgNeedsNetwork"));
  }
});

// --- hours logged offline, sent exactly once (the API is idempotent on client_id) ----------
const QUEUE_KEY = "treffpunkt-hours-queue";
const readQueue = () => JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
const writeQueue = (items) => localStorage.setItem(QUEUE_KEY, JSON.stringify(items));

function queueHours(form) {
  const data = new FormData(form);
  const minutes = Number(data.get("hours") || 0) * 60 + Number(data.get("minutes") || 0);
  const entry = {
    user: body.dataset.userId,
    client_id: data.get("client_id") || crypto.randomUUID(),
    centre: data.get("centre"),
    date: data.get("work_date"),
    minutes,
    activity: data.get("activity"),
    meeting_point: data.get("meeting_point") || null,
    note: data.get("note") || "",
  };
  writeQueue([...readQueue().filter((item) => item.client_id !== entry.client_id), entry]);
  form.reset();
  const fresh = form.querySelector('[name="client_id"]');
  if (fresh) fresh.value = crypto.randomUUID();
  say(text("msgHoursQueued"));
}

async function sendQueuedHours() {
  if (!navigator.onLine || !body.dataset.userId) return;
  let sent = 0;
  for (const item of readQueue().filter((entry) => entry.user === body.dataset.userId)) {
    const {user, ...payload} = item;
    let response;
    try {
      response = await fetch("/api/v1/me/hours", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify(payload),
      });
    } catch (error) {
      return; // still offline after all: try again at the next "online"
    }
    if (response.status >= 500) return;
    if (response.status >= 400) {
      const problem = await response.json().catch(() => ({}));
      say(`${text("msgHoursRefused")} ${problem.error ? problem.error.message : ""}`);
    } else {
      sent += 1;
    }
    writeQueue(readQueue().filter((entry) => entry.client_id !== item.client_id));
  }
  if (sent) say(text("msgHoursSent").replace("{count}", sent));
}
sendQueuedHours();

// --- service worker -----------------------------------------------------------------------
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/service-worker.js", {scope: "/"}).catch(() => {});
  const logout = document.querySelector("form[data-logout]");
  if (logout) logout.addEventListener("submit", () => {
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("logout");
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
