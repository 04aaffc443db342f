/* The hall's service worker (served at /sw.js so that its scope is the whole site).

   - The personal pages a holder needs without a network — 个人网页 (/my/space/), 我的办件
     (/my/cases/) and 我的证照 (/my/licences/ and each licence) — are fetched from the
     network first and kept; offline, the kept copy is shown with a banner "离线" and the
     time it was saved. Nothing else personal is kept.
   - A kept licence page carries its last live 亮证 code with its expiry; live-code.js
     shows it as offline and, once expired, dimmed and marked expired — never fresh.
   - Static files are served from the cache once fetched; any other page offline is the
     cached /offline/ page.
   - Signing out (register-sw.js) empties the kept pages. */
"use strict";

var VERSION = "v1";
var PAGES = "govhall-pages-" + VERSION;
var STATIC = "govhall-static-" + VERSION;
var OFFLINE_URL = "/offline/";
var KEPT = [/^\/my\/space\/$/, /^\/my\/cases\/$/, /^\/my\/licences\/$/, /^\/my\/licences\/\d+\/$/];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      return cache.addAll([OFFLINE_URL]);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("govhall-") === 0 && n !== PAGES && n !== STATIC;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "clear-personal") {
    event.waitUntil(caches.delete(PAGES));
  }
});

function kept(url) {
  return url.origin === self.location.origin && KEPT.some(function (re) { return re.test(url.pathname); });
}

function pad(n) { return (n < 10 ? "0" : "") + n; }

function stamp(date) {
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
    pad(date.getHours()) + ":" + pad(date.getMinutes());
}

function markOffline(response) {
  var saved = response.headers.get("X-Govhall-Saved-At");
  var when = saved ? stamp(new Date(saved)) : "";
  return response.text().then(function (html) {
    var banner = '<p class="offline-banner" role="status" id="offline-banner"><strong>离线</strong>：' +
      "当前没有网络，以下是" + (when ? " " + when + " " : "") + "保存的内容，可能不是最新的。</p>";
    html = html.replace(/<html([^>]*)>/, '<html$1 data-offline="1">');
    html = html.replace(/(<main[^>]*>)/, "$1" + banner);
    var headers = new Headers(response.headers);
    headers.set("Content-Type", "text/html; charset=utf-8");
    return new Response(html, { status: 200, headers: headers });
  });
}

function keep(request, response) {
  if (!response.ok || response.redirected || response.type !== "basic") { return response; }
  var copy = response.clone();
  copy.blob().then(function (body) {
    var headers = new Headers(copy.headers);
    headers.set("X-Govhall-Saved-At", new Date().toISOString());
    return caches.open(PAGES).then(function (cache) {
      return cache.put(request.url, new Response(body, { status: 200, headers: headers }));
    });
  });
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }

  if (request.mode === "navigate") {
    if (kept(url)) {
      event.respondWith(
        fetch(request).then(function (response) { return keep(request, response); })
          .catch(function () {
            return caches.open(PAGES).then(function (cache) {
              return cache.match(request.url);
            }).then(function (cached) {
              return cached ? markOffline(cached) : caches.match(OFFLINE_URL);
            });
          })
      );
    } else {
      event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_URL); }));
    }
    return;
  }

  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.open(STATIC).then(function (cache) {
        return cache.match(request).then(function (cached) {
          var network = fetch(request).then(function (response) {
            if (response.ok) { cache.put(request, response.clone()); }
            return response;
          });
          return cached || network;
        });
      })
    );
  }
});
