// A picture in a post or a message opens full size in an in-page dialog (its link still opens
// the file without JavaScript). Esc, the Close button or a click outside closes it; focus goes
// back to the picture's link.
import { t } from "./i18n.js";

let dialog = null;

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button small lightbox-close";
  close.textContent = t("close");
  close.addEventListener("click", () => dialog.close());
  const figure = document.createElement("figure");
  const image = document.createElement("img");
  const caption = document.createElement("figcaption");
  caption.dir = "auto";
  figure.append(image, caption);
  dialog.append(close, figure);
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // the backdrop
  });
  document.body.append(dialog);
  return dialog;
}

/** Show the picture a link points to, with its alt text as caption. */
export function openLightbox(link) {
  const box = dialog ?? build();
  const thumbnail = link.querySelector("img");
  const image = box.querySelector("img");
  image.src = link.href;
  image.alt = thumbnail?.alt ?? "";
  box.querySelector("figcaption").textContent = thumbnail?.alt ?? "";
  box.setAttribute("aria-label", thumbnail?.alt || t("picture"));
  box.addEventListener("close", () => link.focus(), { once: true });
  box.showModal();
  box.querySelector(".lightbox-close").focus();
}
