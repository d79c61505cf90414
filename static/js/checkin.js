// The check-in page behind a meeting point's poster (task checkin_offline). A tap is kept in this
// device's outbox with the time of the tap, and sent from there: at once, on "online", on the next
// page load (app.js) or by Background Sync (the service worker). What counts is when the person
// tapped, not when a patchy network finally let the scan through.
// Uses app.js, loaded before: user, lang, csrfToken, hasOutbox, say, showOutbox, askForBackgroundSync.
"use strict";

(() => {
  const form = document.querySelector("form[data-offline-checkin]");
  const result = document.querySelector("[data-checkin-result]");
  const CHECKINS = "/api/v1/me/checkins";
  if (!form || !result || !hasOutbox || !user) return;

  const clock = new Intl.DateTimeFormat(lang, {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Berlin"});
  const message = (name, instant) => (form.dataset[name] || "").replace("{time}", clock.format(new Date(instant)));

  function showConfirmed(answer) {
    result.textContent = message(answer.direction === "in" ? "msgIn" : "msgOut", answer.scanned_at);
    result.hidden = false;
    result.tabIndex = -1;
    result.focus();
  }

  async function tap() {
    const scannedAt = new Date();
    const payload = {client_id: crypto.randomUUID(), code: form.dataset.code, scanned_at: scannedAt.toISOString()};
    const item = await Outbox.add({user, url: CHECKINS, payload, label: message("msgLabel", scannedAt)});
    const {outcome, problem} = await Outbox.send(item, csrfToken());
    if (outcome === "sent") return;  // shown by the "outbox-sent" event below
    if (outcome === "refused") {
      // The server is reachable and says no (no shift here now): nothing to keep for later.
      await Outbox.remove(item.client_id);
      say(problem.message, {focus: true});
      return;
    }
    await showOutbox();
    say(message("msgQueued", scannedAt), {focus: true});
    askForBackgroundSync();
  }

  // On the form itself, so that it runs before app.js's handler that holds back forms offline.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type='submit']");
    button.disabled = true;  // one tap, one scan
    try {
      await tap();
    } finally {
      button.disabled = false;
    }
  });

  // Confirmations of any send from this page (this tap, app.js's retries) ...
  window.addEventListener("outbox-sent", (event) => {
    if (event.detail.item.url === CHECKINS) showConfirmed(event.detail.answer);
  });
  // ... and of the service worker's, sent while this page was open.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (!event.data || event.data.type !== "outbox-sent") return;
      for (const {url, answer} of event.data.confirmed || []) if (url === CHECKINS) showConfirmed(answer);
    });
  }
})();
