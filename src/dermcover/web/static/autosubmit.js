// A <select data-autosubmit> sends its form as soon as it changes (the page's
// Content-Security-Policy allows no inline handlers, so this lives here).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
