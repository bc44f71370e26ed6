// tracagg's service worker: after one visit the page starts without a network. Written into
// the build by scripts/service_worker.mjs (a trunk post_build hook), which fills in VERSION (a
// hash of the built files: a new build is a new worker, so the browser picks it up) and ASSETS
// (every file of the build). Network first: online, a new build is used at once; offline, the
// kept copy. Only this site's own files go through it; nothing else is touched or stored.
const VERSION = '__VERSION__';
const ASSETS = __ASSETS__;
const CACHE = `tracagg-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('tracagg-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const page = request.mode === 'navigate';
  const asset = page || ASSETS.some((name) => new URL(name, scope).pathname === url.pathname);
  if (!asset) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(page ? scope.href : request, copy));
        }
        return response;
      })
      .catch(() => caches.open(CACHE)
        .then((cache) => cache.match(page ? scope.href : request, { ignoreSearch: true }))
        .then((kept) => kept ?? Response.error())),
  );
});
