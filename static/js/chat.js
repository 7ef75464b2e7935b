// Live chat page: follows the channel through the shared client (socket.js followChannel:
// catch-up by seq, paging, gap filling, resync), inserts the server's sanitized HTML for new,
// edited and deleted messages in seq order (never renders user text itself), loads older
// messages on scroll, shows typing and presence; chat_composer.js sends (outbox, drafts, state).
// The workspace around it: chat_layout.js (grouping, day separators, "new messages", "jump to
// latest"), chat_menu.js (the "⋯" menu, roving focus, edit/delete dialogs), chat_sidebar.js
// (live unread counts, jump-to filter, phone drawer, channel keys, favicon, notifications).
// The page works without these files.
//
// CONTRACT with the modules that add message actions (chat_reactions.js, chat_threads.js):
//   - The actions a page offers are listed in <body data-chat-features="..."> (space-separated):
//     "react", "thread" (reply in thread), "to-thread" (make a forum thread). The "⋯" menu
//     shows those items only when their name is listed there.
//   - Choosing one dispatches on document:
//       new CustomEvent("chat:action", {detail: {action, messageId, anchor}})
//     action: "react" | "thread" | "to-thread"; messageId: a number; anchor: the "⋯" button
//     (to place a picker or return focus to).
//   - Both modules load on first use (LAZY below): this file lists their actions, listens for
//     what starts them (a click on a reaction or a thread link, a chat:action, a reactions
//     event) and imports the module then. What they show under each message at load is drawn
//     by the server and marked for the viewer here (chat_layout.js), so the page needs neither
//     to look finished, and nothing moves when they arrive.
//   - templates/chat/_message.html includes "chat/_message_extras.html" (if present) after the
//     body, inside the message element, for reactions and the thread-reply count. Messages
//     are one tab stop (a roving tabindex): controls the extras add are made reachable only in
//     the focused message when the message is (re)inserted (chat_menu.js prepare()).
import { formatDateTime, localize, t } from "./i18n.js";
import { initComposer } from "./chat_composer.js";
import { followChannel, getSocket } from "./socket.js";
import {
  addChatFeatures, clearFirstUnread, decorateReactions, decorateThreads, jumpToLatest,
  markFirstUnread, nearBottom, relayout, renderSummary,
} from "./chat_layout.js";
import { setupMessages } from "./chat_menu.js";
import { setupSidebar } from "./chat_sidebar.js";

const root = document.getElementById("chat");
const log = document.getElementById("message-log");
const form = document.getElementById("chat-form");
const input = form?.querySelector("textarea");
const typingLine = document.getElementById("typing-indicator");
const presenceList = document.getElementById("presence-list");
const me = document.body.dataset.userId;
const channelId = Number(root?.dataset.channelId);
let oldestLoaded = false;
let loadingOlder = false;
let typingTimer = null;
let feed = null;
let actions = null; // chat_menu.js: the messages' menu and roving focus
let latest = null; // chat_layout.js: "jump to latest"
let sidebar = null; // chat_sidebar.js
const groupSeconds = Number(root?.dataset.groupSeconds) || 300;

function lastId() {
  const items = log.querySelectorAll("[data-message-id]");
  return items.length ? Number(items[items.length - 1].dataset.messageId) : null;
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const node = localize(template.content.firstElementChild); // this viewer's language
  for (const other of node.querySelectorAll("[data-not-owner-id]")) other.hidden = other.dataset.notOwnerId === me;
  node.classList.toggle("is-mine", node.dataset.authorId === me);
  localizeTitles(node);
  decorateReactions(node);
  decorateThreads(node);
  return node;
}

// Modules loaded on first use (see the contract above); each is imported once.
const LAZY = {
  reactions: () => import("./chat_reactions.js"),
  threads: () => import("./chat_threads.js"),
};

/** Route what starts a lazily loaded feature to its module, importing it the first time. */
function setupLazyFeatures(socket) {
  addChatFeatures("react", "thread", "to-thread");
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest(".chat-reaction, .chat-reaction-add")) {
      LAZY.reactions().then((module) => module.onClick(target));
      return;
    }
    const open = target?.closest(".chat-thread-open");
    if (open && log.contains(open)) LAZY.threads().then((module) => module.openThread(open.dataset.rootId, open));
  });
  document.addEventListener("chat:action", (event) => {
    const { action, messageId } = event.detail ?? {};
    if (!messageId) return;
    if (action === "react") LAZY.reactions().then((module) => module.addReaction(messageId));
    else if (action === "thread") LAZY.threads().then((module) => module.openThread(messageId));
    else if (action === "to-thread") {
      const id = encodeURIComponent(messageId);
      window.location.assign(`/chat/${channelId}/to-thread?from=${id}&to=${id}`);
    }
  });
  socket.on("message:reactions", (event) => {
    LAZY.reactions().then((module) => module.applyReactions(event));
  });
  socket.on("replies:summary", (event) => {
    if (event.channel_id !== channelId) return;
    for (const summary of log.querySelectorAll(`.chat-thread-summary[data-root-id="${Number(event.root_id)}"]`)) {
      renderSummary(summary, { count: event.reply_count, lastReplyAt: event.last_reply_at });
    }
  });
}

/** The absolute time as the title of each relative one ("3 minutes ago"), in this viewer's zone. */
function localizeTitles(node) {
  for (const time of node.querySelectorAll("time[data-format=ago]")) {
    const date = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(date.getTime())) time.title = formatDateTime(date, "medium");
  }
}

/** A moderator hid (or deleted) a message: it leaves every open page at once. */
function removeMessage(event) {
  if (event.channel_id !== channelId) return;
  document.getElementById(`m-${event.id}`)?.remove();
}

/** The highest seq the page shows (what the server rendered): where following starts. */
function pagePosition() {
  let top = 0;
  for (const item of log.querySelectorAll("[data-seq]")) top = Math.max(top, Number(item.dataset.seq));
  return top;
}

/** Insert (or replace) a message in seq order; a message already shown is never duplicated. */
function upsert(message, { announce = false, layout = true } = {}) {
  const node = fragment(message.html);
  const existing = document.getElementById(`m-${message.id}`);
  if (existing) {
    existing.replaceWith(node);
    actions?.prepare(node);
    if (layout) relayout(log, groupSeconds);
    return;
  }
  let after = null;
  const items = log.querySelectorAll("[data-seq]");
  // Usually the newest: appended without a scan.
  if (items.length && Number(items[items.length - 1].dataset.seq) > message.seq) {
    for (const item of items) {
      if (Number(item.dataset.seq) > message.seq) { after = item; break; }
    }
  }
  const wasNearBottom = nearBottom(log);
  log.insertBefore(node, after);
  actions?.prepare(node);
  document.getElementById("no-messages")?.remove();
  const mine = message.author?.id === Number(me);
  if (!after && document.visibilityState !== "visible" && !mine) markFirstUnread(log, node);
  if (layout) relayout(log, groupSeconds);
  if (!after && (wasNearBottom || mine)) log.scrollTop = log.scrollHeight;
  else if (!after) latest?.noteNew(1);
  node.removeAttribute("aria-live");
  if (announce && !mine) announceNew(node);
}

// Screen readers hear new messages through one polite status line, at most every ANNOUNCE_MS:
// a single message reads "New message from Amina", a burst "New messages: 7" — never the
// whole of a busy channel, one message after the other.
const ANNOUNCE_MS = 2000;
const announcer = document.getElementById("chat-announcer");
let unannounced = [];
let announceTimer = null;

function announceNew(node) {
  if (!announcer) return;
  unannounced.push(node);
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    const name = unannounced[0].querySelector(".chat-author")?.textContent.trim() ?? "";
    announcer.textContent = unannounced.length === 1 ? t("new_message", { name })
      : t("new_messages_count", { count: unannounced.length });
    unannounced = [];
    announceTimer = null;
  }, unannounced.length === 1 && !announcer.textContent ? 0 : ANNOUNCE_MS);
}

// The read marker moves at most once every few seconds: in a busy room every reader would
// otherwise write it once per message (100 readers: 100 events and commits per message).
const READ_EVERY_MS = 3000;
let readSentAt = 0;
let readSentId = 0;
let readTimer = null;

function markRead() {
  clearTimeout(readTimer);
  const wait = readSentAt + READ_EVERY_MS - Date.now();
  if (wait <= 0) sendRead();
  else readTimer = setTimeout(sendRead, wait);
}

function sendRead() {
  const id = Number(lastId());
  if (!id || id <= readSentId || document.visibilityState !== "visible") return;
  readSentAt = Date.now();
  readSentId = id;
  getSocket().emit("channel:read", { channel_id: channelId, message_id: id }, () => {});
}

function renderPresence(users) {
  if (!presenceList) return;
  presenceList.replaceChildren(...users.map((user) => {
    const li = document.createElement("li");
    li.textContent = user.display_name; // textContent: never HTML from user data
    li.dir = "auto";
    return li;
  }));
}

function showTyping(user) {
  typingLine.textContent = t("typing", { name: user.display_name });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => { typingLine.textContent = ""; }, 3000);
}

function showError(text) {
  let box = document.getElementById("chat-error");
  if (!box) {
    box = document.createElement("p");
    box.id = "chat-error";
    box.className = "error";
    box.setAttribute("role", "alert");
    form.prepend(box);
  }
  box.textContent = text;
}

function loadOlder() {
  if (oldestLoaded || loadingOlder) return;
  const first = log.querySelector("[data-message-id]");
  if (!first) return;
  loadingOlder = true;
  getSocket().emit("channel:history", { channel_id: channelId, before_id: Number(first.dataset.messageId) }, (ack) => {
    loadingOlder = false;
    if (!ack?.ok) return;
    if (ack.messages.length === 0) { oldestLoaded = true; return; }
    const height = log.scrollHeight;
    for (const message of ack.messages) upsert(message, { layout: false });
    relayout(log, groupSeconds);
    log.scrollTop += log.scrollHeight - height; // keep the reader's place
  });
}

if (root && log && form && input) {
  for (const other of log.querySelectorAll("[data-not-owner-id]")) other.hidden = other.dataset.notOwnerId === me;
  for (const item of log.querySelectorAll("[data-author-id]")) item.classList.toggle("is-mine", item.dataset.authorId === me);
  localize(log); // relative times ("3 minutes ago") in this viewer's language
  localizeTitles(log);
  decorateReactions(log);
  decorateThreads(log);
  relayout(log, groupSeconds); // the server drew it: this only checks (and fixes a zone change)
  // Opened at the first unread message when there is one, else at the newest.
  const divider = document.getElementById("chat-new-divider");
  log.scrollTop = log.scrollHeight;
  if (divider) log.scrollTop = Math.min(log.scrollTop, divider.offsetTop - log.offsetTop - 8);
  const socket = getSocket();
  setupLazyFeatures(socket);
  actions = setupMessages({
    log, me, upsert, showError,
    emit: (event, payload, ack) => socket.emit(event, payload, ack),
  });
  const jumpButton = document.getElementById("chat-jump-latest");
  latest = jumpToLatest(log, jumpButton, document.getElementById("chat-new-below"),
    () => actions.focusLatest());
  latest.render();
  sidebar = setupSidebar({ socket, channelId, me, myName: root.dataset.me });
  feed = followChannel(channelId, {
    position: pagePosition(),
    onMessages: (messages) => {
      // A catch-up batch is laid out once, after its last message.
      for (const message of messages) upsert(message, { announce: true, layout: false });
      relayout(log, groupSeconds);
      markRead();
    },
    onPresence: renderPresence,
  });
  socket.on("message:edited", (message) => { if (message.channel_id === channelId) upsert(message); });
  socket.on("message:deleted", (message) => { if (message.channel_id === channelId) upsert(message); });
  socket.on("message:hidden", removeMessage);
  socket.on("message:restored", (message) => { if (message.channel_id === channelId) upsert(message); });
  socket.on("typing", (event) => { if (event.channel_id === channelId) showTyping(event.user); });
  socket.on("presence", (event) => { if (event.channel_id === channelId) renderPresence(event.users); });
  initComposer({ channelId, feed, upsert, markRead }); // sending, outbox, drafts, state line
  log.addEventListener("scroll", () => { if (log.scrollTop < 40) loadOlder(); });
  // ↑ in an empty composer edits one's last message (as in Slack).
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowUp" && !event.altKey && !event.shiftKey && !event.ctrlKey
        && !event.metaKey && input.value === "" && actions.editLast()) event.preventDefault();
  });
  // Esc marks the channel read (the divider goes, the sidebar's count too) unless a menu,
  // dialog, filter or drawer took it first.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || document.querySelector("dialog[open]")) return;
    clearTimeout(readTimer);
    readSentAt = 0;
    sendRead();
    clearFirstUnread();
    sidebar?.clearCurrent();
  });
  document.addEventListener("visibilitychange", markRead);
  // Leaving within the throttle window: send the pending marker now, not never.
  window.addEventListener("pagehide", () => { clearTimeout(readTimer); sendRead(); });
  root.dataset.ready = "1"; // the page's scripts are running (tests wait for it)
}
