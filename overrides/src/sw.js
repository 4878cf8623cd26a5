// The site's service worker. overrides/hooks/serviceworker.py writes it to the site's root
// (<site>/sw.js, so its scope is every page under the site's sub-path), with BUILD filled in.
// It does two jobs:
//
// 1. Caching, at run time only (nothing is precached: the first visit downloads exactly what
//    the page asks for, and a second visit asks the network for none of it):
//    - cache first, in a cache named by the Pyodide version: Pyodide's core files and wheels,
//      self-hosted (assets/pyodide/) or from the CDN URL the build names. A new deploy with
//      the same Pyodide keeps them (~19 MB a reader does not download again);
//    - cache first, in a cache named by the build's version (a hash of our bundles, wheel,
//      runtime files and KaTeX): assets/gdcore/, assets/katex/ and the theme's files whose
//      names carry a content hash;
//    - network first, with the same cache as the offline fallback: pages and every other
//      file of the site (search index, sitemap, images).
//    A new deploy changes BUILD, so this file changes, the browser installs it and its
//    activate step deletes this site's caches of other versions.
// 2. Cross-origin isolation on hosts that cannot send headers (GitHub Pages), the idea of
//    coi-serviceworker (github.com/gzuidhof/coi-serviceworker): every response it gives the
//    site's pages and workers carries Cross-Origin-Opener-Policy: same-origin and
//    Cross-Origin-Embedder-Policy. The page is then crossOriginIsolated, so the runtime can
//    stop Python with its interrupt buffer (KeyboardInterrupt, variables kept). The page
//    reloads once after the worker first takes control (main.html).

const BUILD = /* filled in by the build */ {
  version: "dev",
  pyodideVersion: "0.0.0",
  pyodideCDN: "",
};

const SCOPE = self.registration.scope; // the site's root URL, ending in "/"
// Cache Storage is shared by the whole origin (user.github.io hosts many sites): names
// carry the scope, and activate only deletes caches of this scope.
const PREFIX = `gdcore ${SCOPE} `;
const PYODIDE_CACHE = `${PREFIX}pyodide ${BUILD.pyodideVersion}`;
const SITE_CACHE = `${PREFIX}site ${BUILD.version}`;
const OURS = [PYODIDE_CACHE, SITE_CACHE];

// "credentialless" lets CDN files without a Cross-Origin-Resource-Policy header load (they are
// fetched without cookies); Safari does not know it and would not isolate the page, so it gets
// "require-corp" (then the CDN must send CORP or CORS headers, as jsDelivr does).
const SAFARI = /Safari\//.test(self.navigator.userAgent) && !/Chrom(e|ium)\//.test(self.navigator.userAgent);
const COEP = SAFARI ? "require-corp" : "credentialless";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && !OURS.includes(n)).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

/** Which rule serves this URL: "pyodide", "asset", "page", or null (not ours: untouched). */
function kind(url) {
  const href = url.href;
  if (BUILD.pyodideCDN && href.startsWith(BUILD.pyodideCDN)) return "pyodide";
  if (!href.startsWith(SCOPE)) return null;
  const path = href.slice(SCOPE.length).split(/[?#]/)[0];
  if (path.startsWith("livereload/")) return null; // `mkdocs serve`'s long poll
  if (path.startsWith("assets/pyodide/")) return "pyodide";
  if (path.startsWith("assets/gdcore/") || path.startsWith("assets/katex/")) return "asset";
  if (/^assets\/.*\.[0-9a-f]{8,}\.min\.(js|css)$/.test(path)) return "asset"; // the theme's hashed files
  return "page";
}

// Only documents and workers need the headers: other responses go out as they are (a copy
// made to change headers loses its URL, which fetch() callers such as instant navigation see).
// With require-corp, a file from another origin also needs Cross-Origin-Resource-Policy.
function needsHeaders(request) {
  if (request.mode === "navigate" || request.destination === "worker") return true;
  return COEP === "require-corp" && !request.url.startsWith(self.location.origin);
}

/** The response with the isolation headers (opaque responses cannot be changed, nor need it). */
function isolated(response) {
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", COEP);
  if (COEP === "require-corp") headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const cacheable = (r) => r.status === 200 && (r.type === "basic" || r.type === "cors");

/** Cache first: the stored copy if there is one, else the network's (stored for next time). */
async function cacheFirst(event, cacheName) {
  const request = event.request;
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request.url);
  if (hit) return hit;
  // A file from the CDN is fetched with CORS and no cookies (jsDelivr allows it): the answer
  // can be stored at its real size and served to importScripts as well as to fetch.
  const crossOrigin = !request.url.startsWith(self.location.origin);
  const response = await (crossOrigin
    ? fetch(request.url, { mode: "cors", credentials: "omit" }).catch(() => fetch(request))
    : fetch(request));
  if (cacheable(response)) event.waitUntil(cache.put(request.url, response.clone()));
  return response;
}

/** Network first: the network's answer (stored), or the stored copy when offline. */
async function networkFirst(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (cacheable(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(SITE_CACHE).then((cache) => cache.put(request.url, copy)));
    }
    return response;
  } catch (err) {
    const cache = await caches.open(SITE_CACHE);
    // `?embed` views are the same file: fall back to the page without its query
    const hit = (await cache.match(request.url)) || (await cache.match(request.url, { ignoreSearch: true }));
    if (hit) return hit;
    if (request.mode !== "navigate") throw err;
    return new Response(
      "<!doctype html><meta charset=utf-8><title>Offline</title><p>You are offline, and this page " +
        "was not opened before on this device, so it was not saved. Pages you have opened work offline.",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
    );
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return; // a DevTools request
  const rule = kind(new URL(request.url));
  if (rule === null) return;
  const answer =
    rule === "page" ? networkFirst(event) : cacheFirst(event, rule === "pyodide" ? PYODIDE_CACHE : SITE_CACHE);
  event.respondWith(needsHeaders(request) ? answer.then(isolated) : answer);
});
