// Small enhancements; every page works without this file.

// htmx swaps only 2xx answers by default. A search fragment that refuses its input answers 400
// (422 for a form it will not take) with a message in Japanese: swap it into the target like a
// result, so the old results go and the message shows. Other errors stay unswapped.
if (window.htmx) {
  window.htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "400", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];
}
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen readers announce it after a failed submit.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  // 「詳しい条件」 of a search form: open on wide screens (on phones it stays closed unless chosen).
  if (window.matchMedia("(min-width: 56rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((el) => { el.open = true; });
  }
  // Buttons that ask before acting (退会, 差戻し): data-confirm="...".
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // Forms that must not be sent twice (取り込む): data-submit-once. A second click or Enter while
  // the first request is on its way is ignored and the button shows it is busy. The server
  // refuses a repeat too; this only spares the wait and the warning.
  document.querySelectorAll("form[data-submit-once]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.submitting) {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "true";
      form.querySelectorAll("button").forEach((button) => {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-busy");
      });
    });
  });
  // Coming back with the browser's back button shows the page as it was left: usable again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach((form) => {
      delete form.dataset.submitting;
      form.querySelectorAll("button").forEach((button) => {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-busy");
      });
    });
  });
});
