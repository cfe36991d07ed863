/* The phone's outbox of home visits (issue 13), shared by the pages (offline.js) and the service
   worker (sw.js, Background Sync): no DOM here.

   Each entry is one visit saved on the phone, in IndexedDB ("huhang-outbox", store "visits"):
     {id: the visit's UUID made on the phone, user, child, childName, fields: {...the form...},
      photos: [{name, blob}], savedAt, state: "waiting" | "refused", reason, note}
   `flush(user, url)` sends the user's waiting entries, one POST each, to the sync endpoint
   (cases.visits.views.visit_sync). The server stores a visit once whatever the number of sends
   (the UUID is unique there), so a send whose answer was lost is simply sent again.
     - stored (200/201, ok): the entry leaves the outbox;
     - refused with a reason (4xx JSON): the entry stays, state "refused", with the reason;
       it is sent again only when the user asks;
     - no network, the session ended (a redirect to the login page), a refused CSRF token or a
       server error: the entry stays waiting (note "login" when the user must sign in again);
       the next page load, `online` event or sync sends it. */
(function (root) {
  "use strict";
  const DB = "huhang-outbox";
  const STORE = "visits";

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function openDb() {
    const opening = indexedDB.open(DB, 1);
    opening.onupgradeneeded = function () {
      opening.result.createObjectStore(STORE, {keyPath: "id"});
    };
    return request(opening);
  }

  async function withStore(mode, work) {
    const db = await openDb();
    try {
      const tx = db.transaction(STORE, mode);
      const result = await request(work(tx.objectStore(STORE)));
      await new Promise(function (resolve, reject) {
        tx.oncomplete = resolve;
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
      return result;
    } finally {
      db.close();
    }
  }

  function put(entry) { return withStore("readwrite", function (s) { return s.put(entry); }); }
  function remove(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }
  function get(id) { return withStore("readonly", function (s) { return s.get(id); }); }

  async function list(user) {
    const all = await withStore("readonly", function (s) { return s.getAll(); });
    return all
      .filter(function (e) { return String(e.user) === String(user); })
      .sort(function (a, b) { return a.savedAt < b.savedAt ? -1 : 1; });
  }

  function newId() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    const b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // Never followed: a redirect means the user must sign in (again, or finish the two-factor
  // step), and following it could open a page that changes the session.
  function loginPage(response) {
    return response.type === "opaqueredirect" ||
      (response.redirected && /\/accounts\/login\//.test(new URL(response.url).pathname));
  }

  async function send(item, url, token) {
    const body = new FormData();
    Object.keys(item.fields).forEach(function (k) {
      if (item.fields[k] !== null && item.fields[k] !== undefined) body.append(k, item.fields[k]);
    });
    body.append("client_id", item.id);
    body.append("child", item.child);
    item.photos.forEach(function (p) { body.append("photos", p.blob, p.name); });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: {"X-CSRFToken": token, "Accept": "application/json"},
    });
  }

  async function doFlush(user, url) {
    const outcome = {sent: 0, results: {}, stopped: null};
    const items = (await list(user)).filter(function (e) { return e.state === "waiting"; });
    if (!items.length) return outcome;
    let token;
    try {
      const r = await fetch(url, {
        credentials: "same-origin", redirect: "manual", headers: {"Accept": "application/json"},
      });
      if (loginPage(r) || !r.ok) {
        outcome.stopped = "login";
        for (const item of items) { item.note = "login"; await put(item); }
        return outcome;
      }
      token = (await r.json()).csrf;
    } catch (error) {
      outcome.stopped = "offline";
      return outcome;
    }
    for (const item of items) {
      let r;
      try {
        r = await send(item, url, token);
      } catch (error) {
        outcome.stopped = "offline";  // the connection went (or the answer was lost): sent again later
        return outcome;
      }
      let answer = null;
      try { answer = await r.clone().json(); } catch (error) { answer = null; }
      if (answer && answer.ok) {
        await remove(item.id);
        outcome.sent += 1;
        outcome.results[item.id] = answer;
      } else if (answer && r.status >= 400 && r.status < 500) {
        item.state = "refused";
        item.reason = answer.reason;
        item.note = "";
        await put(item);
        outcome.results[item.id] = answer;
      } else {
        item.note = loginPage(r) || r.status === 403 ? "login" : "server";
        await put(item);
        outcome.stopped = item.note;
        return outcome;
      }
    }
    return outcome;
  }

  // One flush at a time per page or worker: a second call waits for the running one.
  let running = null;
  function flush(user, url) {
    if (!running) {
      running = doFlush(user, url).finally(function () { running = null; });
    }
    return running;
  }

  root.HuhangOutbox = {put: put, get: get, remove: remove, list: list, flush: flush, newId: newId};
})(self);
