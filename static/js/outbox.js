// Treffpunkt outbox: what a volunteer sends on the move (hours, confirmed proposals) waits in
// IndexedDB until the server has confirmed it. A failed, refused-by-a-portal or timed-out request
// leaves it there; the API is idempotent on client_id, so sending an item twice stores it once.
// Loaded by the page (before app.js) and by the service worker (importScripts, Background Sync).
// Items: hours (/api/v1/me/hours) and scans at a meeting point's poster (/api/v1/me/checkins).
"use strict";

const Outbox = (() => {
  const DATABASE = "treffpunkt";
  const ITEMS = "outbox";
  const META = "meta";
  const TIMEOUT_MS = 15000;
  // Answers that say nothing about the entry itself: try again later.
  const RETRY_STATUS = [401, 403, 408, 409, 425, 429];

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ITEMS, {keyPath: "client_id"});
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(store, mode, action) {
    const database = await open();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction(store, mode);
      const request = action(transaction.objectStore(store));
      transaction.oncomplete = () => { database.close(); resolve(request ? request.result : undefined); };
      transaction.onerror = transaction.onabort = () => { database.close(); reject(transaction.error); };
    });
  }

  const put = (item) => run(ITEMS, "readwrite", (store) => store.put(item));
  const remove = (clientId) => run(ITEMS, "readwrite", (store) => store.delete(clientId));
  const all = () => run(ITEMS, "readonly", (store) => store.getAll());
  const itemsOf = async (user) => (await all()).filter((item) => item.user === user);

  // Who is signed in on this device and their CSRF token, for sends without a page (sync).
  const setSession = (session) => run(META, "readwrite", (store) => store.put(session, "session"));
  const session = () => run(META, "readonly", (store) => store.get("session"));
  const clearSession = () => run(META, "readwrite", (store) => store.delete("session"));

  async function add({user, url, payload, label}) {
    const item = {client_id: payload.client_id, user, url, payload, label, state: "waiting", queued_at: Date.now()};
    await put(item);
    return item;
  }

  // One attempt: "sent" (the server stored it, we saw its answer), "refused" (the server said
  // no, with a reason; kept so the person sees what they typed), or "waiting".
  async function send(item, csrf) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    let answer;
    try {
      response = await fetch(item.url, {
        method: "POST", credentials: "same-origin", signal: controller.signal, cache: "no-store",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf || ""},
        body: JSON.stringify(item.payload),
      });
      answer = await response.json().catch(() => null);
    } catch (error) {
      return {outcome: "waiting"};
    } finally {
      clearTimeout(timer);
    }
    // Only our own API's answer counts: a captive portal's "200 OK" page stored nothing.
    if (response.ok && answer && answer.client_id === item.client_id) {
      await remove(item.client_id);
      announce(item, answer);
      return {outcome: "sent", answer};
    }
    const problem = answer && answer.error;
    const retry = response.status >= 500 || RETRY_STATUS.includes(response.status) || /csrf/i.test(problem ? problem.code : "");
    if (response.ok || !problem || retry) return {outcome: "waiting"};
    await put({...item, state: "refused", message: problem.message, code: problem.code});
    return {outcome: "refused", problem};
  }

  // Whoever sent it (a tap, app.js on load or "online"), the page hears of every confirmed item:
  // the check-in page says "Angekommen um 10:02" with the server's answer. Nobody listens in the worker.
  function announce(item, answer) {
    if (typeof CustomEvent === "function") self.dispatchEvent(new CustomEvent("outbox-sent", {detail: {item, answer}}));
  }

  let flushing = null;
  // Send every waiting item of this user, one after the other; stops at the first that must wait.
  function flush(user, csrf) {
    if (!flushing) {
      flushing = (async () => {
        const results = {sent: 0, refused: 0, waiting: 0, confirmed: []};
        for (const item of await itemsOf(user)) {
          if (item.state !== "waiting") continue;
          if (results.waiting) { results.waiting += 1; continue; }
          const {outcome, answer} = await send(item, csrf);
          results[outcome] += 1;
          if (outcome === "sent") results.confirmed.push({url: item.url, answer});
        }
        return results;
      })().finally(() => { flushing = null; });
    }
    return flushing;
  }

  return {add, all, itemsOf, remove, send, flush, setSession, session, clearSession};
})();
