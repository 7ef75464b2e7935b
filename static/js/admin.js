// Admin pages: copy buttons for invitation links, and the confirmation step before a cohort is
// archived or made active again. Without this file the pages still work: links are selectable
// text in read-only fields, and the forms go to a confirmation page (an open <dialog>).
import { toast } from "./ui.js";
import { t } from "./i18n.js";

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      toast(t("copied"), { kind: "success" });
    } catch {
      // No clipboard access (permission, old browser): leave the link selected to copy by hand.
      field.focus();
      field.select();
      toast(t("copy_failed"), { kind: "error" });
    }
  });
}

/** Open a server-rendered confirmation <dialog> as a modal; resolves true when confirmed. */
function ask(dialog) {
  const previous = document.activeElement;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
      resolve(dialog.returnValue === "confirm");
    }, { once: true });
  });
}

// Forms whose consequences are explained in a server-rendered dialog (what changes, who can
// still post): the dialog asks first; on confirmation the form goes with confirmed=1, so the
// server skips its own confirmation page.
for (const form of document.querySelectorAll("form[data-confirm-dialog]")) {
  const dialog = document.getElementById(form.dataset.confirmDialog);
  if (!dialog) continue;
  form.addEventListener("submit", async (event) => {
    if (form.dataset.confirmed) return;
    const radios = form.querySelectorAll("input[name=mode]");
    const mode = form.querySelector("input[name=mode]:checked")?.value;
    if (radios.length && !mode) return; // no choice made: the server says what is missing
    event.preventDefault();
    for (const part of dialog.querySelectorAll("[data-mode]")) {
      part.hidden = part.dataset.mode !== mode;
    }
    if (!(await ask(dialog))) return;
    const confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "1";
    form.append(confirmed);
    form.dataset.confirmed = "1";
    form.requestSubmit();
  });
}

// The confirmation page (reached without scripts, or by reloading) shows an open dialog in the
// page: made modal here; Escape leaves, like its Cancel link.
const inline = document.querySelector("dialog[data-modal][open]");
if (inline && !inline.matches(":modal")) {
  inline.close();
  inline.showModal();
  inline.addEventListener("cancel", () => {
    const back = inline.querySelector("a[data-cancel]");
    if (back) window.location.assign(back.href);
  });
}
