// staysite's service worker: the traveller's own page, as last seen, when the network is gone.
// Served from our static files at the site's root (trips/views/webapp.py), so that its scope
// covers the pages. It keeps only pages that carry an offline note (the traveller's own page)
// and forgets them at the login page (after logging out).
const CACHE = "staysite-offline-v1";
const NOTE = "data-offline-note hidden";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function isPage(response) {
  const type = response.headers.get("Content-Type") || "";
  return response.ok && type.startsWith("text/html");
}

async function remember(url, response) {
  const text = await response.text();
  if (!text.includes(NOTE)) return;
  const cache = await caches.open(CACHE);
  await cache.put(url, new Response(text, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
}

async function lastSeen(url) {
  const cache = await caches.open(CACHE);
  const kept = (await cache.match(url)) || (await cache.match((await cache.keys())[0] || url));
  if (!kept) return null;
  // The note, hidden online, says the page is the last one seen and as of when.
  const text = (await kept.text()).replace(NOTE, "data-offline-note");
  return new Response(text, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("message", (event) => {
  const url = event.data && event.data.remember;
  if (url && new URL(url).origin === self.location.origin) {
    event.waitUntil(
      fetch(url, { credentials: "same-origin" }).then((r) => (isPage(r) ? remember(url, r) : null)),
    );
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode !== "navigate" || request.method !== "GET") return;
  event.respondWith(
    (async () => {
      let response;
      try {
        response = await fetch(request);
      } catch (error) {
        const kept = await lastSeen(request.url);
        if (kept) return kept;
        throw error;
      }
      if (new URL(response.url).pathname.startsWith("/accounts/login/")) {
        event.waitUntil(caches.delete(CACHE));
      } else if (isPage(response)) {
        event.waitUntil(remember(request.url, response.clone()));
      }
      return response;
    })(),
  );
});
