// 相談記録: keyboard shortcuts and search-as-you-type helpers. Every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-consultation-form]");
  if (form) {
    // Ctrl+Enter (⌘+Enter) saves from anywhere in the form.
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        const button = form.querySelector("[data-shortcut-save]");
        if (button) {
          event.preventDefault();
          form.requestSubmit(button);
        }
      }
    });
  }
  // Enter in a search box searches (htmx) instead of submitting the whole form, so the
  // さがす button (for browsers without JavaScript) leaves the tab order.
  document.querySelectorAll('input[type="search"][hx-get]').forEach((input) => {
    const button = input.closest(".party-search")?.querySelector('button[name="_search"]');
    if (button && window.htmx) button.tabIndex = -1;
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && window.htmx) {
        event.preventDefault();
        window.htmx.trigger(input, "search");
      }
    });
  });
  // Before new search results replace the old ones, a picked hit moves up to the chosen area,
  // so that searching again never loses what was picked.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    event.detail.target.querySelectorAll("input[data-party-choice]:checked").forEach((input) => {
      const area = document.querySelector(`[data-selected-for="${input.dataset.partyChoice}"]`);
      const label = input.closest("label");
      if (!area || !label) return;
      area.querySelectorAll("[data-chosen], [data-empty]").forEach((old) => old.remove());
      label.setAttribute("data-chosen", "");
      const heading = area.querySelector(".field__label");
      if (heading) heading.after(label);
      else area.prepend(label);
      input.checked = true;
    });
  });
});
