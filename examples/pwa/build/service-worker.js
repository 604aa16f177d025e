/**
 * The app's service worker (template; `service-worker-plugin.ts` prepends the build). It
 * precaches the app shell at install, so the app opens offline after the first visit:
 * navigations are answered from the network when it is there (a new build shows at once)
 * and from the cached `index.html` when it is not; the hashed assets come from the cache.
 * The relay's own paths (`/sync`, `/health`, `/metrics`) are never touched.
 */
const BUILD = self.RIDEVAULT_BUILD;
const CACHE = `ridevault-shell-${BUILD.version}`;
const RELAY_PATHS = new Set(["/sync", "/health", "/metrics"]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(BUILD.files))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("ridevault-shell-") && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (RELAY_PATHS.has(url.pathname)) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() =>
        caches.match("/", { cacheName: CACHE }).then((cached) => cached ?? Response.error()),
      ),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((cached) => cached ?? fetch(request)),
  );
});
