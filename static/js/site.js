// Small behaviours that need JavaScript; the pages work without it (plain forms, real links).
// No inline script anywhere: the Content Security Policy allows only our own files.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});

// "Copy" next to a read-only field: the field stays selectable where the clipboard is not allowed.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  field.select();
  navigator.clipboard?.writeText(field.value).then(() => {
    button.textContent = button.dataset.copied;
  });
});

// The installable web app: the service worker keeps the traveller's own page for offline use.
const worker = document.querySelector("meta[name=service-worker]")?.content;
if (worker && "serviceWorker" in navigator) {
  navigator.serviceWorker
    .register(worker, { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      if (document.querySelector("[data-offline-note]")) {
        registration.active.postMessage({ remember: location.href });
      }
    })
    .catch(() => {});
}
