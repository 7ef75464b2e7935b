// Small enhancements shared by every page. Pages work without this file.
document.documentElement.classList.add("js");

for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}

/** The CSRF token of this page, for fetch() calls that change state. */
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}
