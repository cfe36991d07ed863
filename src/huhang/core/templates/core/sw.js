{% load static %}/* Huhang's service worker (issue 13), served by core.views.service_worker at /sw.js.
   Rendered as a template only to know the static files' URLs and the settings below.

   - Pages: network first. A page the server marks with the header X-Huhang-Offline (a view
     decorated with core.offline.offline_page: no full ID numbers, no documents) is kept in the
     page cache; no other page is ever kept. Offline, a kept page is served from the cache.
   - Static files: cache first (their names change with their content).
   - Nothing else is touched: POSTs (the outbox's sends, forms) go to the network as they are.
   - The page cache is emptied when the session is seen to end (a redirect to the login page, a
     page for nobody signed in), on logout (offline.js asks), when another user signs in, and
     offline once OFFLINE_HOURS have passed since the server last answered for the session.
   - Background Sync ("huhang-outbox"): the open pages send the outbox; with none open, this
     worker sends it itself (outbox.js). */
"use strict";
importScripts("{% static 'huhang/outbox.js' %}");

const VERSION = "{{ version }}";
const PAGES = "huhang-pages";
const STATIC = "huhang-static-" + VERSION;
const META = "/__huhang_offline_meta__";
const OFFLINE_HOURS = {{ offline_hours }};
const LOGIN = "{% url 'accounts:login' %}";
const HEADER = "X-Huhang-Offline";
const PRECACHE_STATIC = [
  "{% static 'huhang/huhang.css' %}",
  "{% static 'huhang/huhang.js' %}",
  "{% static 'huhang/offline.js' %}",
  "{% static 'huhang/outbox.js' %}",
  "{% static 'huhang/icon.svg' %}",
  "{% static 'huhang/icons/icon-192.png' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC).then((cache) => cache.addAll(PRECACHE_STATIC)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("huhang-static-") && k !== STATIC).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

async function readMeta() {
  const cache = await caches.open(PAGES);
  const hit = await cache.match(META);
  return hit ? hit.json() : null;
}

async function writeMeta(meta) {
  const cache = await caches.open(PAGES);
  await cache.put(META, new Response(JSON.stringify(meta), {headers: {"Content-Type": "application/json"}}));
}

async function clearPages() {
  await caches.delete(PAGES);
}

function toLogin(response) {
  return response.redirected && new URL(response.url).pathname.startsWith(LOGIN);
}

/* The worker's own requests never follow a redirect: a redirect means the user is not (or no
   longer, or not yet fully: the two-factor step) signed in, and following it could open a page
   that changes the session (the two-factor setup starts a new enrolment). */
function notSignedIn(response) {
  return response.type === "opaqueredirect" || toLogin(response);
}

/* A live answer for a signed-in user: remember who and when; another user's pages go first. */
async function sawSession(user, sync) {
  const meta = await readMeta();
  const same = meta && String(meta.user) === String(user);
  if (meta && !same) await clearPages();
  await writeMeta({
    user: String(user), seen: Date.now(),
    precached: same ? meta.precached : 0,
    sync: sync || (same ? meta.sync : null),
  });
}

async function keepPage(request, response) {
  if (!response.ok || response.redirected || response.headers.get(HEADER) !== "page") return;
  const user = response.headers.get("X-Huhang-User");
  if (!user) return;
  await sawSession(user);
  const cache = await caches.open(PAGES);
  await cache.put(request.url, response);
}

async function fromCache(request) {
  const meta = await readMeta();
  if (!meta) return null;
  if (Date.now() - meta.seen > OFFLINE_HOURS * 3600 * 1000) {
    await clearPages();  // the session is over for the phone too
    return null;
  }
  const cache = await caches.open(PAGES);
  return cache.match(request.url, {ignoreVary: true});
}

function offlinePage() {
  const body = "<!doctype html><html lang=zh-CN><meta charset=utf-8>" +
    "<meta name=viewport content='width=device-width, initial-scale=1'>" +
    "<title>离线 · 护航</title><link rel=stylesheet href='{% static 'huhang/huhang.css' %}'>" +
    "<main><div class=card><h1>当前无网络</h1><p>此页面未保存在手机上，请联网后再打开。" +
    "已保存的探访会在联网后自动发送。</p><p><a href='/'>返回首页</a></p></div></main></html>";
  return new Response(body, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

async function navigate(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await fromCache(request)) || offlinePage();
  }
  if (toLogin(response)) await clearPages();
  else await keepPage(request, response.clone());
  return response;
}

async function staticFile(request) {
  const cache = await caches.open(STATIC);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("{{ static_prefix }}")) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  }
});

/* Keep the pages a field worker needs (the server's list for this user) and the static files
   the page uses, at most every PRECACHE_MINUTES. */
const PRECACHE_MINUTES = 30;

async function precache(list, assets, force) {
  const meta = await readMeta();
  if (assets && assets.length) {
    const cache = await caches.open(STATIC);
    await Promise.all(assets.map(async (a) => { if (!(await cache.match(a))) await cache.add(a).catch(() => null); }));
  }
  if (!force && meta && meta.precached && Date.now() - meta.precached < PRECACHE_MINUTES * 60000) return;
  let answer;
  try {
    answer = await fetch(list, {credentials: "same-origin", redirect: "manual"});
  } catch (error) {
    return;  // offline: the pages kept stay as they are
  }
  if (notSignedIn(answer)) { await clearPages(); return; }
  if (!answer.ok) return;
  const wanted = await answer.json();
  await sawSession(wanted.user, wanted.sync);
  const cache = await caches.open(PAGES);
  const keep = new Set(wanted.pages.map((p) => new URL(p, self.location.origin).href));
  keep.add(new URL(META, self.location.origin).href);
  for (const old of await cache.keys()) if (!keep.has(old.url)) await cache.delete(old);
  for (const page of wanted.pages) {
    try {
      const request = new Request(page, {
        credentials: "same-origin", redirect: "manual", headers: {"X-Huhang-Keep": "1"},
      });
      const response = await fetch(request);
      if (notSignedIn(response)) { await clearPages(); return; }
      await keepPage(request, response);
    } catch (error) {
      return;  // the connection went: the rest waits for the next time
    }
  }
  const now = await readMeta();
  if (now) { now.precached = Date.now(); await writeMeta(now); }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "precache") event.waitUntil(precache(data.list, data.assets, data.force));
  else if (data.type === "clear") event.waitUntil(clearPages());
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "huhang-outbox") return;
  event.waitUntil(self.clients.matchAll({type: "window"}).then((clients) => {
    if (clients.length) {
      clients.forEach((c) => c.postMessage({type: "flush"}));
      return null;
    }
    return readMeta().then((meta) => meta && meta.sync && HuhangOutbox.flush(meta.user, meta.sync));
  }));
});
