/* The offline-first app in the page (issue 13); the service worker is core/templates/core/sw.js,
   the outbox core/static/huhang/outbox.js.

   - registers the service worker and, for a signed-in field worker online, asks it to keep the
     pages of the server's list (body[data-offline-pages]) and this page's static files;
   - empties the page cache when nobody is signed in (the session has ended) and on logout;
   - the visit form (form[data-outbox]) is saved in the outbox first, photos resized to at most
     MAX_SIDE px on the phone and the location added when the visitor ticks the box, then sent;
   - sends the outbox on page load, on the `online` event and when the worker asks (Background
     Sync); the badge (#outbox-badge) shows how many visits wait, the outbox page lists them. */
(function () {
  "use strict";
  const MAX_SIDE = 1600;
  const PAGES = "huhang-pages";
  const body = document.body;
  const user = body.dataset.user || "";
  const syncUrl = body.dataset.outboxSync || "";
  const Outbox = window.HuhangOutbox;

  function clearPages() {
    const done = window.caches ? caches.delete(PAGES) : Promise.resolve();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({type: "clear"});
    }
    return done.catch(function () { return null; });
  }

  // --- The service worker -----------------------------------------------------------------
  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, {scope: "/"}).catch(function () { return null; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "flush") flush();
    });
  }

  function precache(force) {
    if (!body.dataset.offlinePages || !navigator.onLine || !("serviceWorker" in navigator)) return;
    if (location.pathname.indexOf("/accounts/") === 0) return;  // login and two-factor steps
    const assets = [];
    document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (el) {
      const url = new URL(el.src || el.href, location.href);
      if (url.origin === location.origin) assets.push(url.pathname);
    });
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({
        type: "precache", list: body.dataset.offlinePages, assets: assets, force: !!force,
      });
    });
  }

  if (!user) {
    clearPages();  // the login page, or any page for nobody: the session has ended
  } else {
    precache(false);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-logout]")) return;
    event.preventDefault();
    clearPages().then(function () { form.submit(); });
  });

  // --- The badge and the outbox page ------------------------------------------------------
  async function refresh() {
    if (!user || !Outbox) return;
    let items = [];
    try { items = await Outbox.list(user); } catch (error) { return; }
    const badge = document.getElementById("outbox-badge");
    if (badge) {
      badge.hidden = items.length === 0;
      badge.querySelector(".count").textContent = String(items.length);
      badge.classList.toggle("refused", items.some(function (e) { return e.state === "refused"; }));
    }
    const listing = document.getElementById("outbox-list");
    if (listing) renderOutbox(listing, items);
  }

  // One element of the outbox list: its tag, class and text.
  function element(tag, className, text) {
    const el = document.createElement(tag);
    el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function renderOutbox(listing, items) {
    const t = listing.dataset;
    listing.replaceChildren();
    if (!items.length) {
      listing.append(element("li", "muted", t.empty));
      return;
    }
    // A button acting on one waiting visit (retry, discard): the click handler reads its data.
    function itemButton(action, className, id) {
      const button = element("button", className, t[action]);
      button.type = "button";
      button.dataset[action] = id;
      return button;
    }
    items.forEach(function (item) {
      const li = element("li", "card outbox-item " + item.state);
      li.dataset.id = item.id;
      const refused = item.state === "refused";
      li.append(
        element("strong", "", item.childName + " · " + (item.fields.visited_on || "")),
        " ",
        element("span", "tag " + (refused ? "risk-high" : "candidate"), refused ? t.refused : t.waiting),
        element("p", "small muted", (item.fields.findings || "").slice(0, 60) +
          (item.photos.length ? " · " + item.photos.length + " " + t.photos : "") +
          (item.fields.latitude ? " · " + t.location : "")),
      );
      if (item.reason) li.append(element("p", "reason red", item.reason));
      const actions = element("p", "actions");
      if (refused) actions.append(itemButton("retry", "secondary", item.id));
      actions.append(itemButton("discard", "link", item.id));
      li.append(actions);
      listing.append(li);
    });
  }

  document.addEventListener("click", async function (event) {
    const retry = event.target.closest("button[data-retry]");
    const discard = event.target.closest("button[data-discard]");
    const sendNow = event.target.closest("#outbox-send");
    if (retry) {
      const item = await Outbox.get(retry.dataset.retry);
      if (item) { item.state = "waiting"; item.reason = ""; await Outbox.put(item); }
      await flush();
    } else if (discard) {
      const listing = document.getElementById("outbox-list");
      if (window.confirm(listing.dataset.confirm)) { await Outbox.remove(discard.dataset.discard); await refresh(); }
    } else if (sendNow) {
      await flush();
    }
  });

  async function flush() {
    if (!user || !syncUrl || !Outbox) return null;
    let outcome = null;
    try { outcome = await Outbox.flush(user, syncUrl); } catch (error) { outcome = null; }
    await refresh();
    const status = document.getElementById("outbox-status");
    if (status && outcome && outcome.sent) status.textContent = "✓ " + outcome.sent;
    return outcome;
  }

  window.addEventListener("online", function () { flush(); precache(false); });
  if (user) {
    refresh().then(function () { if (navigator.onLine) flush(); });
  }

  // --- The visit form ---------------------------------------------------------------------
  async function resize(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, {imageOrientation: "from-image"});
    } catch (error) {
      return {name: file.name, blob: file};  // not a picture the phone reads: the server decides
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    return {name: file.name.replace(/\.[^.]*$/, "") + ".jpg", blob: blob};
  }

  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve(p.coords); },
        function () { resolve(null); },
        {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
      );
    });
  }

  function say(form, text) {
    let note = form.querySelector(".outbox-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "msg outbox-note";
      note.setAttribute("role", "status");
      form.prepend(note);
    }
    note.textContent = text;
  }

  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-outbox]") || !Outbox || !user) return;
    event.preventDefault();
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      await save(form);
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  });

  async function save(form) {
    const data = new FormData(form);
    const fields = {};
    ["visited_on", "findings", "next_due", "case"].forEach(function (k) { fields[k] = data.get(k) || ""; });
    if (!fields.visited_on || !fields.findings.trim()) {
      say(form, form.dataset.needFindings);  // nothing to keep yet: the form stays as it is
      const box = form.querySelector("[name=findings]");
      if (box) box.focus();
      return;
    }
    fields.taken_at = new Date().toISOString();
    const share = form.querySelector("input[name=share_location]");
    if (share && share.checked) {
      say(form, form.dataset.locating);
      const coords = await position();
      if (coords) {
        fields.latitude = coords.latitude.toFixed(6);
        fields.longitude = coords.longitude.toFixed(6);
        fields.accuracy_m = String(Math.round(coords.accuracy));
      } else {
        say(form, form.dataset.noLocation);
      }
    }
    const files = form.querySelector("input[type=file][name=photos]");
    const photos = [];
    for (const file of files ? Array.from(files.files) : []) photos.push(await resize(file));
    const entry = {
      id: Outbox.newId(), user: user, child: form.dataset.child, childName: form.dataset.childName,
      fields: fields, photos: photos, savedAt: new Date().toISOString(),
      state: "waiting", reason: "", note: "",
    };
    await Outbox.put(entry);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready
        .then(function (r) { return r.sync && r.sync.register("huhang-outbox"); })
        .catch(function () { return null; });
    }
    await refresh();
    let outcome = navigator.onLine ? await flush() : null;
    if (outcome && !outcome.results[entry.id] && !outcome.stopped && (await Outbox.get(entry.id))) {
      outcome = await flush();  // a send already running did not have this visit yet
    }
    const answer = outcome && outcome.results[entry.id];
    if (answer && answer.ok) {
      location.assign(answer.url);
    } else if (answer) {
      location.assign(form.dataset.outboxPage);  // refused: the outbox shows the reason
    } else {
      say(form, form.dataset.savedOffline);
      form.reset();
    }
  }
})();
