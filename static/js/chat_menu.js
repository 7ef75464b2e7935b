// Message actions in one "⋯" menu per message (hover, focus, long-press or the context-menu
// key), and keyboard movement through the log: the messages form ONE tab stop (a roving
// tabindex: ↑/↓, Home/End move between messages; Enter opens the focused message's menu), so
// Tab goes from the log to the composer instead of through every link of every message.
// Edit and delete ask in in-page dialogs (static/js/ui.js), never the browser's prompt/confirm.
// "react", "thread" and "to-thread" belong to other modules: see the contract in chat.js.
import { t } from "./i18n.js";

// Dialogs and toasts (ui.js) load with the first action that needs one, not with the page.
const ui = () => import("./ui.js");

const FOCUSABLE = "a[href], button, input, textarea, select, [tabindex]";
const EXTERNAL_ACTIONS = ["react", "thread", "to-thread"];

/** The actions other modules announced they implement (`<body data-chat-features>`). */
function features() {
  return new Set((document.body.dataset.chatFeatures || "").split(/[\s,]+/).filter(Boolean));
}

export function setupMessages({ log, me, emit, upsert, showError }) {
  let current = null; // the message holding the log's one tab stop
  let openMenu = null;

  const messages = () => [...log.querySelectorAll(":scope > .chat-message")];

  /** Only the current message and what is inside it can be reached with Tab. */
  function setTabbable(item, on) {
    item.tabIndex = on ? 0 : -1;
    for (const inner of item.querySelectorAll(FOCUSABLE)) {
      if (inner.closest(".chat-menu")) continue;
      inner.tabIndex = on ? 0 : -1;
    }
  }

  function makeCurrent(item, { focus = false } = {}) {
    if (!item) return;
    if (current && current !== item && current.isConnected) setTabbable(current, false);
    current = item;
    setTabbable(item, true);
    if (focus) item.focus();
  }

  /** A message was inserted or replaced: it joins the roving tabindex. */
  function prepare(item) {
    const replacing = current && !current.isConnected && current.id === item.id;
    setTabbable(item, replacing);
    if (replacing) current = item;
    if (!current || !current.isConnected) makeCurrent(messages().at(-1));
  }

  function closeMenu({ restoreFocus = false } = {}) {
    if (!openMenu) return;
    const { menu, button } = openMenu;
    openMenu = null;
    menu.remove();
    button.setAttribute("aria-expanded", "false");
    if (restoreFocus && button.isConnected) button.focus();
  }

  function menuItems(item) {
    const own = item.dataset.authorId === me;
    const wanted = features();
    const items = [];
    if (wanted.has("react")) items.push(["react", t("react")]);
    if (wanted.has("thread")) items.push(["thread", t("reply_in_thread")]);
    if (own) items.push(["edit", t("edit")], ["delete", t("delete")]);
    items.push(["copy", t("copy_link")]);
    if (!own && item.querySelector(".flag-link")) items.push(["report", t("report")]);
    if (wanted.has("to-thread")) items.push(["to-thread", t("make_forum_thread")]);
    return items;
  }

  function open(item, { focusFirst = true } = {}) {
    const button = item.querySelector(".chat-menu-button");
    if (!button) return;
    closeMenu();
    const menu = document.createElement("div");
    menu.className = "chat-menu";
    menu.setAttribute("role", "menu");
    menu.id = `chat-menu-${item.dataset.messageId}`;
    menu.setAttribute("aria-label", t("message_actions"));
    for (const [action, label] of menuItems(item)) {
      const entry = document.createElement("button");
      entry.type = "button";
      entry.setAttribute("role", "menuitem");
      entry.tabIndex = -1;
      entry.dataset.action = action;
      entry.textContent = label;
      menu.append(entry);
    }
    button.after(menu);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", menu.id);
    openMenu = { menu, button, item };
    if (focusFirst) menu.querySelector("[role=menuitem]")?.focus();
  }

  async function run(action, item, anchor) {
    const id = Number(item.dataset.messageId);
    if (EXTERNAL_ACTIONS.includes(action)) {
      document.dispatchEvent(new CustomEvent("chat:action",
        { detail: { action, messageId: id, anchor } }));
    } else if (action === "edit") {
      await edit(item);
    } else if (action === "delete") {
      const { confirmDialog } = await ui();
      const yes = await confirmDialog({ title: t("delete_confirm"), confirmLabel: t("delete"),
        danger: true });
      if (yes) emit("message:delete", { message_id: id }, (ack) => { if (ack?.ok) upsert(ack.message); });
    } else if (action === "copy") {
      const link = new URL(`#m-${id}`, window.location.href).href;
      const { toast } = await ui();
      try {
        await navigator.clipboard.writeText(link);
        toast(t("link_copied"), { kind: "success" });
      } catch {
        toast(link); // no clipboard permission: the link is shown to copy by hand
      }
    } else if (action === "report") {
      window.location.assign(item.querySelector(".flag-link").href);
    }
  }

  /** Edit one's own message in an in-page dialog. */
  async function edit(item) {
    const id = Number(item.dataset.messageId);
    const currentText = item.querySelector(".chat-body")?.textContent.trim() ?? "";
    const { promptDialog } = await ui();
    const body = await promptDialog({ title: t("edit_prompt"), label: t("edit_prompt"),
      value: currentText, multiline: true });
    if (body && body.trim() && body.trim() !== currentText) {
      emit("message:edit", { message_id: id, body }, (ack) => {
        if (ack?.ok) upsert(ack.message); else if (ack) showError(ack.error.message);
      });
    }
  }

  /** The newest message of the viewer that can still be edited (↑ in an empty composer). */
  function editLast() {
    const mine = messages().filter((m) => m.dataset.authorId === me
      && !m.classList.contains("is-deleted"));
    if (!mine.length) return false;
    edit(mine.at(-1));
    return true;
  }

  log.addEventListener("click", (event) => {
    const entry = event.target.closest(".chat-menu [role=menuitem]");
    if (entry && openMenu) {
      const { item, button } = openMenu;
      closeMenu({ restoreFocus: true });
      run(entry.dataset.action, item, button);
      return;
    }
    const button = event.target.closest(".chat-menu-button");
    if (button) {
      const item = button.closest(".chat-message");
      if (openMenu?.button === button) closeMenu();
      else { makeCurrent(item); open(item, { focusFirst: event.detail === 0 }); }
    }
  });

  // Long-press on a touch screen (and the context-menu key) opens the same menu.
  log.addEventListener("contextmenu", (event) => {
    const item = event.target.closest(".chat-message");
    if (!item?.querySelector(".chat-menu-button") || event.target.closest("a[href]")) return;
    event.preventDefault();
    makeCurrent(item);
    open(item);
  });

  log.addEventListener("focusin", (event) => {
    const item = event.target.closest(".chat-message");
    if (item && item !== current) makeCurrent(item);
  });

  log.addEventListener("keydown", (event) => {
    if (openMenu && event.target.closest(".chat-menu")) {
      const entries = [...openMenu.menu.querySelectorAll("[role=menuitem]")];
      const at = entries.indexOf(document.activeElement);
      const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: entries.length - 1 };
      if (event.key in moves) {
        event.preventDefault();
        entries[(moves[event.key] + entries.length) % entries.length]?.focus();
      } else if (event.key === "Tab") {
        closeMenu();
      }
      return;
    }
    const item = event.target.closest(".chat-message");
    if (!item || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target === item && (event.key === "Enter" || event.key === " "
        || event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey))) {
      event.preventDefault();
      open(item);
      return;
    }
    const list = messages();
    const at = list.indexOf(item);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: list.length - 1 };
    if (event.target === item && event.key in moves) {
      event.preventDefault();
      makeCurrent(list[Math.max(0, Math.min(list.length - 1, moves[event.key]))], { focus: true });
    }
  });

  // Esc closes an open menu (wherever focus is); it does not also mark the channel read.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !openMenu) return;
    event.preventDefault();
    event.stopPropagation();
    closeMenu({ restoreFocus: true });
  }, { capture: true });
  document.addEventListener("click", (event) => {
    if (openMenu && !openMenu.menu.contains(event.target)
        && !openMenu.button.contains(event.target)) closeMenu();
  });
  log.addEventListener("focusout", (event) => {
    if (openMenu && event.relatedTarget && !openMenu.menu.contains(event.relatedTarget)
        && event.relatedTarget !== openMenu.button) closeMenu();
  });

  for (const item of messages()) setTabbable(item, false);
  makeCurrent(messages().at(-1));
  if (messages().length) log.tabIndex = -1; // the current message is the log's tab stop

  return { prepare, editLast, isMenuOpen: () => openMenu !== null, focusLatest: () => makeCurrent(messages().at(-1), { focus: true }) };
}
