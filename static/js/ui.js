// The design system's two script components, shared by every page script:
//   toast(message, {kind})   - a short status ("Saved", "Not sent"), announced politely by the
//                              page's one live region (#toasts in base.html);
//   confirmDialog / promptDialog - in-page modal <dialog>s instead of the browser's confirm()
//                              and prompt(), in the page's language and theme.
// Text is always set with textContent: nothing here renders HTML.
import { t } from "./i18n.js";

const TOAST_MS = { info: 4000, success: 3000, error: 8000 };

/** Show a short status message; errors stay longer. Returns the toast element. */
export function toast(message, { kind = "info", timeout } = {}) {
  const region = document.getElementById("toasts");
  if (!region) return null;
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  item.textContent = message;
  region.append(item);
  // Busy pages (a chat burst) must not stack dozens of toasts: keep the three newest.
  while (region.children.length > 3) region.firstElementChild.remove();
  const ms = timeout ?? TOAST_MS[kind] ?? TOAST_MS.info;
  if (ms > 0) setTimeout(() => item.remove(), ms);
  return item;
}

function buildDialog({ title, body, danger }) {
  const dialog = document.createElement("dialog");
  dialog.className = "ui-dialog card";
  const form = document.createElement("form");
  form.method = "dialog";
  const heading = document.createElement("h2");
  heading.id = `ui-dialog-${Date.now()}`;
  heading.textContent = title;
  dialog.setAttribute("aria-labelledby", heading.id);
  form.append(heading);
  if (body) {
    const text = document.createElement("p");
    text.textContent = body;
    form.append(text);
  }
  const actions = document.createElement("div");
  actions.className = "ui-dialog-actions";
  const cancel = document.createElement("button");
  cancel.type = "submit";
  cancel.value = "cancel";
  cancel.className = "button";
  cancel.textContent = t("cancel");
  const confirm = document.createElement("button");
  confirm.type = "submit";
  confirm.value = "confirm";
  confirm.className = danger ? "button danger" : "button primary";
  actions.append(cancel, confirm);
  form.append(actions);
  dialog.append(form);
  return { dialog, form, confirm };
}

function open(dialog, focusTarget) {
  const previous = document.activeElement;
  document.body.append(dialog);
  dialog.showModal();
  focusTarget?.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      // Keyboard focus goes back where it was, as the ARIA dialog pattern asks.
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
      resolve(dialog.returnValue);
    }, { once: true });
  });
}

/** Ask a yes/no question in a modal dialog; resolves true only when confirmed. */
export async function confirmDialog({ title, body = "", confirmLabel, danger = false }) {
  const { dialog, confirm } = buildDialog({ title, body, danger });
  confirm.textContent = confirmLabel ?? t("ok");
  return (await open(dialog, confirm)) === "confirm";
}

/** Ask for a text in a modal dialog; resolves the text, or null when cancelled. */
export async function promptDialog({ title, label, value = "", multiline = false,
  confirmLabel }) {
  const { dialog, form, confirm } = buildDialog({ title, body: "", danger: false });
  confirm.textContent = confirmLabel ?? t("save");
  const field = document.createElement(multiline ? "textarea" : "input");
  field.id = `${dialog.getAttribute("aria-labelledby")}-field`;
  field.name = "value";
  field.value = value;
  field.dir = "auto";
  if (multiline) field.rows = 4;
  const caption = document.createElement("label");
  caption.htmlFor = field.id;
  caption.textContent = label ?? title;
  const wrap = document.createElement("div");
  wrap.className = "field";
  wrap.append(caption, field);
  form.querySelector(".ui-dialog-actions").before(wrap);
  // Ctrl/Cmd+Enter saves a multi-line text, as in the composers.
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) confirm.click();
  });
  const result = await open(dialog, field);
  return result === "confirm" ? field.value : null;
}
