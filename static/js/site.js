// Small enhancements; every page works without this file.
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
});
