// Small behaviours that need JavaScript; the pages work without it (plain forms, real links).
// No inline script anywhere: the Content Security Policy allows only our own files.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});
