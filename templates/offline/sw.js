// The service worker of the dropoff table (served by hub/intake/offline_views.py). Pages
// and data come from the network when it answers, and the last copy kept on the device
// when it does not; what the table sends (dropoffs, htmx requests) always goes to the
// network: the page queues dropoffs itself (static/js/offline.js).
"use strict";

var CONFIG = {{ config|safe }};
var STATIC = "dh-static-" + CONFIG.version;
var PAGES = "dh-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      return cache.addAll(CONFIG.statics.concat([CONFIG.offline]));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("dh-static-") === 0 && name !== STATIC;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

// The table asks for its page and its catalog to be kept, once it has them.
self.addEventListener("message", function (event) {
  var urls = event.data && event.data.keep;
  if (Array.isArray(urls)) {
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return fetch(url, {credentials: "same-origin"}).then(function (response) {
          if (response.ok && !response.redirected) {
            return cache.put(url, response);
          }
        }).catch(function () {});
      }));
    }));
  }
});

// The table's page and its catalog; not a page with a query (?logged=12 shows one
// dropoff's confirmation, which must not come back from the cache).
function kept(url) {
  return !url.search && /\/hubs\/[^/]+\/intake\/(offline\.json)?$/.test(url.pathname);
}

function fromNetwork(request, url) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && kept(url)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        cache.put(url.pathname, copy);
      });
    }
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname.indexOf("/accounts/logout/") === 0) {
    // The pages kept belong to whoever logs out.
    event.respondWith(caches.delete(PAGES).then(function () {
      return fetch(request);
    }));
    return;
  }
  if (request.method !== "GET" || request.headers.get("HX-Request")) {
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request);
    }));
    return;
  }
  if (request.mode === "navigate" || kept(url)) {
    event.respondWith(fromNetwork(request, url).catch(function () {
      return caches.match(url.pathname, {ignoreSearch: true}).then(function (hit) {
        if (hit) {
          return hit;
        }
        if (request.mode === "navigate") {
          return caches.match(CONFIG.offline);
        }
        return Response.error();
      });
    }));
  }
});
