// Keyboard shortcuts in the style of Discourse and GitHub, on every page; `?` lists them.
//   j / k   next / previous post (thread pages)     r   reply (to the selected post)
//   l       like the selected post                  g h / g u   Home / Unread
//   /       search                                  Escape      close the list
// They never fire while typing (inputs, text areas, editable text) or with Ctrl/Alt/Meta, so
// they cannot steal a character or a browser shortcut; `?` is Shift+/ and is allowed Shift.
import { t } from "./i18n.js";

const POSTS = "article[data-post-id]";
const COMPOSER = "#reply-form textarea[name=body], #reply textarea";
const G_WAIT_MS = 1500; // "g" waits this long for its second key
const LIST = [
  [["?"], "shortcut_help"], [["j"], "shortcut_next"], [["k"], "shortcut_previous"],
  [["r"], "shortcut_reply"], [["l"], "shortcut_like"], [["g", "h"], "shortcut_home"],
  [["g", "u"], "shortcut_unread"], [["/"], "shortcut_search"], [["key_escape"], "shortcut_close"],
];

let selected = null; // the post j/k last moved to
let pendingG = 0; // time "g" was pressed, 0 when not waiting
let dialog = null;

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable
    || target.matches("input, textarea, select, [contenteditable]:not([contenteditable=false])"));
}

function visiblePosts() {
  return [...document.querySelectorAll(POSTS)].filter((post) => post.checkVisibility());
}

/** The post the reader is on: where focus is, else the one j/k selected. */
function currentPost() {
  const focused = document.activeElement?.closest?.(POSTS);
  if (focused) return focused;
  return selected?.isConnected ? selected : null;
}

function select(post) {
  if (!post) return;
  selected = post;
  // Focusable by script only: Tab order stays the post's links and buttons.
  if (!post.hasAttribute("tabindex")) post.tabIndex = -1;
  post.focus({ preventScroll: true });
  post.scrollIntoView({ block: "nearest" });
}

function move(step) {
  const posts = visiblePosts();
  if (!posts.length) return false;
  const index = posts.indexOf(currentPost());
  if (index === -1) select(step > 0 ? posts[0] : posts[posts.length - 1]);
  else select(posts[Math.min(posts.length - 1, Math.max(0, index + step))]);
  return true;
}

function focusComposer() {
  const box = document.querySelector(COMPOSER);
  if (!box) return false;
  box.focus();
  return true;
}

function reply() {
  const link = currentPost()?.querySelector("a[data-reply-to]");
  if (link) {
    link.click(); // the thread script sets the reply target and focuses the composer
    if (document.activeElement?.matches(COMPOSER)) return true;
  }
  return focusComposer();
}

function like() {
  const post = currentPost();
  const button = post?.querySelector('[data-action="like"], button.reaction[data-kind="like"]');
  if (!button) return false;
  button.click();
  return true;
}

function go(name, fallback) {
  const link = document.querySelector(`a[data-shortcut="${name}"]`);
  window.location.assign(link?.href ?? fallback);
  return true;
}

function focusSearch() {
  const fields = [...document.querySelectorAll('#main input[type=search], .site-header input[type=search]')];
  const visible = fields.find((field) => field.checkVisibility());
  if (visible) {
    visible.focus();
    return true;
  }
  const menu = document.querySelector("details[data-nav-menu]");
  const inMenu = menu?.querySelector("input[type=search]");
  if (!inMenu) return false;
  menu.open = true; // on a phone the search field is in the menu
  inMenu.focus();
  return true;
}

function keys(sequence) {
  const cell = document.createElement("dt");
  sequence.forEach((key, index) => {
    if (index) cell.append(` ${t("shortcut_then")} `);
    const kbd = document.createElement("kbd");
    kbd.textContent = key.length > 1 ? t(key) : key; // named keys are translated: "Échap"
    cell.append(kbd);
  });
  return cell;
}

function buildDialog() {
  const box = document.createElement("dialog");
  box.className = "ui-dialog card shortcuts-dialog";
  box.id = "shortcuts-dialog";
  const heading = document.createElement("h2");
  heading.id = "shortcuts-title";
  heading.textContent = t("shortcuts_title");
  box.setAttribute("aria-labelledby", heading.id);
  const list = document.createElement("dl");
  list.className = "shortcut-list";
  for (const [sequence, key] of LIST) {
    const row = document.createElement("div");
    const what = document.createElement("dd");
    what.textContent = t(key);
    row.append(keys(sequence), what);
    list.append(row);
  }
  const form = document.createElement("form");
  form.method = "dialog";
  form.className = "ui-dialog-actions";
  const close = document.createElement("button");
  close.className = "button";
  close.textContent = t("close");
  form.append(close);
  box.append(heading, list, form);
  return box;
}

function openHelp() {
  if (dialog?.open) return true;
  dialog ??= buildDialog();
  const previous = document.activeElement;
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector("button").focus();
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
  }, { once: true });
  return true;
}

function handle(key) {
  if (pendingG && Date.now() - pendingG < G_WAIT_MS) {
    pendingG = 0;
    if (key === "h") return go("home", "/");
    if (key === "u") return go("unread", "/?tab=unread");
    return false;
  }
  pendingG = 0;
  switch (key) {
    case "?": return openHelp();
    case "j": return move(1);
    case "k": return move(-1);
    case "r": return reply();
    case "l": return like();
    case "/": return focusSearch();
    case "g":
      pendingG = Date.now();
      return true;
    default: return false;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.altKey
    || event.metaKey || typing(event.target)) return;
  if (event.shiftKey && event.key !== "?") return;
  // Another modal dialog (a confirmation) owns the keyboard; ours closes on Escape by itself.
  if (document.querySelector("dialog[open]")) return;
  // Handled keys do not also type or scroll ("/" would open Firefox's quick find).
  if (handle(event.key)) event.preventDefault();
});

// "Skip to reply" lands in the composer itself, ready to type.
document.querySelector("a[data-skip-to-composer]")?.addEventListener("click", (event) => {
  if (focusComposer()) event.preventDefault();
});
