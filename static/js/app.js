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

// --- the menu on phones -----------------------------------------------------------------------
// Folded only once this script runs (the class below): without it the navigation stays a list.
// On wide screens the CSS shows the navigation whatever the button says.
const siteMenu = document.querySelector("[data-site-menu]");
if (siteMenu) setUpMenu(siteMenu);

function setUpMenu(header) {
  const button = header.querySelector("[data-menu-button]");
  const isOpen = () => button.getAttribute("aria-expanded") === "true";
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  };
  header.classList.add("has-menu");
  button.addEventListener("click", () => setOpen(!isOpen()));
  // Escape closes from the button or from inside the panel, and leaves focus on the button so
  // that the keyboard user is not dropped at the top of the page.
  header.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !isOpen()) return;
    setOpen(false);
    button.focus();
  });
  // Tabbing or tapping past an open menu closes it, so that the page moves back up under the header.
  document.addEventListener("focusin", (event) => { if (isOpen() && !header.contains(event.target)) setOpen(false); });
  document.addEventListener("click", (event) => { if (isOpen() && !header.contains(event.target)) setOpen(false); });
}

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
// The panel says exactly where the person stands, from what the browser knows (support, iOS
// outside the home screen, permission, this browser's subscription) and what the page was given
// (digests of the account's registered endpoints). Each state is its own translated text.
const pushPanel = document.querySelector("[data-push-panel]");
if (pushPanel) setUpPush(pushPanel);

function base64UrlToBytes(value) {
  const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// The status and the JSON body, also for refusals: they carry the code that says what happened.
async function pushRequest(url, method, payload) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
    body: payload ? JSON.stringify(payload) : undefined,
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return {ok: response.ok, status: response.status, data};
}

async function jsonRequest(url, method, payload) {
  const answer = await pushRequest(url, method, payload);
  if (!answer.ok) throw new Error(String(answer.status));
  return answer.data;
}

// A counted text from the panel: every plural form keyed by CLDR category (see counted()).
function pushCounted(panel, name, count) {
  let forms = {};
  try { forms = JSON.parse(panel.dataset[name] || "{}"); } catch (error) { forms = {}; }
  const form = forms[new Intl.PluralRules(lang).select(count)] || forms.other || "";
  return form.replace("{count}", count.toLocaleString(lang));
}

function isIosOutsideHomeScreen() {
  // iPadOS reports itself as a Mac; its touch points give it away.
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent)
    || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const standalone = navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  return ios && !standalone;
}

async function sha256Hex(textValue) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(textValue));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// What the answer to "Testnachricht senden" means, in the reader's language.
function testResultText(panel, answer) {
  const data = answer.data || {};
  const code = answer.ok ? data.code : data.error && data.error.code;
  const removed = data.removed ? ` ${pushCounted(panel, "msgTestExpired", data.removed)}` : "";
  const alsoEmail = data.emailed ? ` ${panel.dataset.msgTestAlsoEmail}` : "";
  switch (code) {
    case "sent": return pushCounted(panel, "msgTestSent", data.delivered) + removed + alsoEmail;
    case "expired": return pushCounted(panel, "msgTestExpired", data.removed);
    case "refused": return panel.dataset.msgTestRefused + removed;
    case "email_queued": return panel.dataset.msgTestEmail;
    case "no_device": return panel.dataset.msgTestNoDevice;
    case "too_many_requests": return panel.dataset.msgTestTooMany;
    case "mail_not_configured": return panel.dataset.msgTestNoMail;
    default: return (data.error && data.error.message) || data.message || panel.dataset.msgFailed;
  }
}

async function setUpPush(panel) {
  const status = panel.querySelector("[data-push-status]");
  const steps = panel.querySelector("[data-push-ios-steps]");
  const enable = panel.querySelector("[data-push-enable]");
  const disable = panel.querySelector("[data-push-disable]");
  const test = panel.querySelector("[data-push-test]");
  const result = panel.querySelector("[data-push-test-result]");
  const show = (message) => { status.textContent = message; };
  let devices = [];
  try { devices = JSON.parse(panel.dataset.pushDevices || "[]"); } catch (error) { devices = []; }
  panel.dataset.pushState = "loading";
  const settle = (state, message) => { panel.dataset.pushState = state; show(message); };
  if (isIosOutsideHomeScreen()) {
    steps.hidden = false;
    settle("ios-home-screen", panel.dataset.msgIos);
    return;
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    settle("unsupported", panel.dataset.msgUnsupported);
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const refresh = async () => {
    const subscription = await registration.pushManager.getSubscription();
    const registered = subscription ? devices.includes(await sha256Hex(subscription.endpoint)) : false;
    const denied = Notification.permission === "denied";
    enable.hidden = registered || denied;
    disable.hidden = test.hidden = !registered;
    if (denied) settle("denied", panel.dataset.msgDenied);
    else if (registered) settle("on", pushCounted(panel, "msgOn", devices.length));
    else if (devices.length) settle("off", pushCounted(panel, "msgOff", devices.length));
    else settle("none", panel.dataset.msgNone);
  };
  enable.addEventListener("click", async () => {
    try {
      if (await Notification.requestPermission() !== "granted") { await refresh(); return; }
      const {publicKey} = await jsonRequest("/push/vapid-public-key", "GET");
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey)});
      const answer = await jsonRequest("/push/subscriptions", "POST", subscription.toJSON());
      devices = (answer && answer.device_digests) || [];  // the server's list: it may have dropped an old one
      await refresh();
    } catch (error) {
      settle("failed", panel.dataset.msgFailed);
    }
  });
  disable.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await jsonRequest("/push/subscriptions", "DELETE", {endpoint: subscription.endpoint}).catch(() => {});
      const digest = await sha256Hex(subscription.endpoint);
      devices = devices.filter((d) => d !== digest);
      await subscription.unsubscribe();
    }
    result.textContent = "";
    await refresh();
  });
  test.addEventListener("click", async () => {
    test.disabled = true;
    try {
      const answer = await pushRequest("/push/test", "POST");
      result.textContent = testResultText(panel, answer);
      const data = answer.data || {};
      if (data.device_digests) {
        // A device the push service no longer knows is gone: the panel says so and offers to switch on.
        devices = data.device_digests;
        await refresh();
      }
    } catch (error) {
      result.textContent = panel.dataset.msgFailed;
    } finally {
      test.disabled = false;
    }
  });
  await refresh();
}
