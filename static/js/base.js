// Small enhancements shared by every page. Pages work without this file.
document.documentElement.classList.add("js");

for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}

// Forms that ask before an irreversible action (delete, ban) carry their question in
// data-confirm, rendered in the reader's language; it is asked in an in-page dialog
// (static/js/ui.js), not the browser's confirm(). Without scripts the forms simply submit.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const question = form.dataset?.confirm;
  if (!question || form.dataset.confirmed) return;
  event.preventDefault();
  const submitter = event.submitter;
  const { confirmDialog } = await import("./ui.js");
  const yes = await confirmDialog({ title: question, danger: true,
    confirmLabel: submitter?.textContent.trim() });
  if (!yes) return;
  form.dataset.confirmed = "1"; // this submit goes through; the page is left behind anyway
  form.requestSubmit(submitter?.form === form ? submitter : undefined);
});

// Files: composers that take them (form[data-uploads]) get pick, drop and paste; pictures
// in posts and messages open in a lightbox. Both modules load on first use: the "Attach files"
// bar is in the page (templates/_forms.html), and uploader.js is imported when a file comes.
const UPLOAD_FIELDS = "form[data-uploads] textarea[name=body], textarea[data-uploads]";

function upload(field, files) {
  if (!field || !files.length) return;
  import("./uploader.js").then(({ uploadFiles }) => uploadFiles(field, files));
}

document.addEventListener("change", (event) => {
  const input = event.target.closest?.("input[data-upload-for]");
  if (!input) return;
  const files = [...input.files];
  input.value = ""; // the same file can be picked again
  upload(document.getElementById(input.dataset.uploadFor), files);
});
// The picker's label is its keyboard control too: Enter and Space open the file dialog.
document.addEventListener("keydown", (event) => {
  const pick = event.target.closest?.(".upload-pick");
  if (!pick || (event.key !== "Enter" && event.key !== " ")) return;
  event.preventDefault();
  document.getElementById(pick.htmlFor)?.click();
});
document.addEventListener("dragover", (event) => {
  const field = event.target.closest?.(UPLOAD_FIELDS);
  if (!field || ![...event.dataTransfer.types].includes("Files")) return;
  event.preventDefault(); // a drop is allowed here
  field.classList.add("drop-target");
});
document.addEventListener("dragleave", (event) => {
  event.target.closest?.(UPLOAD_FIELDS)?.classList.remove("drop-target");
});
document.addEventListener("drop", (event) => {
  const field = event.target.closest?.(UPLOAD_FIELDS);
  if (!field) return;
  field.classList.remove("drop-target");
  if (!event.dataTransfer?.files.length) return;
  event.preventDefault();
  upload(field, [...event.dataTransfer.files]);
});
document.addEventListener("paste", (event) => {
  const field = event.target.closest?.(UPLOAD_FIELDS);
  const files = [...(event.clipboardData?.files ?? [])];
  if (!field || !files.length) return; // plain text pastes as usual
  event.preventDefault();
  upload(field, files);
});
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a.attachment-image");
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  import("./lightbox.js").then(({ openLightbox }) => openLightbox(link));
});

/** The CSRF token of this page, for fetch() calls that change state. */
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

// The header menu is a <details>: it opens and closes without JavaScript. Here it also closes
// on Escape (focus back on its button), on a click elsewhere, and when focus leaves it.
for (const menu of document.querySelectorAll("details[data-nav-menu]")) {
  const summary = menu.querySelector("summary");
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  menu.addEventListener("focusout", (event) => {
    if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
  });
}

// Unread threads and chat in the header, and "(3) Commons" in the tab title, kept current over
// the page's one shared socket (static/js/socket.js). The server renders the first values.
const TITLE_COUNT = /^\(\d[^)]*\) /;
const badges = {
  threads: document.querySelectorAll("[data-unread-threads]"),
  chat: document.querySelectorAll("[data-unread-chat]"),
};

function setCounts(counts, formatNumber) {
  for (const [key, nodes] of Object.entries(badges)) {
    const n = counts?.[key];
    if (typeof n !== "number" || n < 0) continue;
    const label = n > 99 ? "99+" : formatNumber(n);
    for (const badge of nodes) {
      badge.textContent = label;
      badge.hidden = n === 0;
    }
    if (key === "chat") {
      const title = document.title.replace(TITLE_COUNT, "");
      document.title = n > 0 ? `(${label}) ${title}` : title;
    }
  }
}

async function liveCounts() {
  const [{ getSocket }, { formatNumber }] = await Promise.all([
    import("./socket.js"), import("./i18n.js")]);
  const socket = getSocket();
  const refresh = () => socket.emit("header:counts", {}, (ack) => {
    if (ack?.ok) setCounts(ack, formatNumber);
  });
  // Hints that a count moved. A chat page marks its channel read a few seconds after a message
  // arrives (chat.js), so a message is counted again once that has happened.
  let timer = null;
  const soon = (delay = 500) => { clearTimeout(timer); timer = setTimeout(refresh, delay); };
  socket.on("connect", refresh);
  socket.on("notification:new", () => soon());
  socket.on("notifications:unread", () => soon());
  socket.on("message:new", () => soon(3500));
  socket.on("chat:activity", () => soon()); // a lighter server hint, when the server sends it
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") soon(0);
  });
  if (socket.connected) refresh();
}

if (document.body.dataset.userId && badges.chat.length) liveCounts();
