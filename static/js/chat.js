// Live chat page: follows the channel through the shared client (socket.js followChannel:
// catch-up by seq, paging, gap filling, resync), inserts the server's sanitized HTML for new,
// edited and deleted messages in seq order (never renders user text itself), loads older
// messages on scroll, shows typing and presence; chat_composer.js sends (outbox, drafts, state).
// The page works without this file.
import { localize, t } from "./i18n.js";
import { initComposer } from "./chat_composer.js";
import { followChannel, getSocket } from "./socket.js";

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

function lastId() {
  const items = log.querySelectorAll("[data-message-id]");
  return items.length ? Number(items[items.length - 1].dataset.messageId) : null;
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const node = localize(template.content.firstElementChild); // this viewer's language
  for (const owner of node.querySelectorAll("[data-owner-id]")) owner.hidden = owner.dataset.ownerId !== me;
  for (const other of node.querySelectorAll("[data-not-owner-id]")) other.hidden = other.dataset.notOwnerId === me;
  node.classList.toggle("is-mine", node.dataset.authorId === me);
  return node;
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
function upsert(message, { announce = false } = {}) {
  const node = fragment(message.html);
  const existing = document.getElementById(`m-${message.id}`);
  if (existing) { existing.replaceWith(node); return; }
  let after = null;
  const items = log.querySelectorAll("[data-seq]");
  // Usually the newest: appended without a scan.
  if (items.length && Number(items[items.length - 1].dataset.seq) > message.seq) {
    for (const item of items) {
      if (Number(item.dataset.seq) > message.seq) { after = item; break; }
    }
  }
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.insertBefore(node, after);
  document.getElementById("no-messages")?.remove();
  if (!after && (nearBottom || message.author?.id === Number(me))) log.scrollTop = log.scrollHeight;
  if (!announce) node.removeAttribute("aria-live");
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
    for (const message of ack.messages) upsert(message);
    log.scrollTop += log.scrollHeight - height; // keep the reader's place
  });
}

function onLogClick(event) {
  const item = event.target.closest("[data-message-id]");
  if (!item) return;
  const id = Number(item.dataset.messageId);
  if (event.target.closest(".chat-delete")) {
    if (window.confirm(t("delete_confirm"))) {
      getSocket().emit("message:delete", { message_id: id }, (ack) => { if (ack?.ok) upsert(ack.message); });
    }
  } else if (event.target.closest(".chat-edit")) {
    const current = item.querySelector(".chat-body")?.textContent.trim() ?? "";
    const body = window.prompt(t("edit_prompt"), current);
    if (body && body.trim()) {
      getSocket().emit("message:edit", { message_id: id, body }, (ack) => {
        if (ack?.ok) upsert(ack.message); else if (ack) showError(ack.error.message);
      });
    }
  }
}

if (root && log && form && input) {
  for (const owner of log.querySelectorAll("[data-owner-id]")) owner.hidden = owner.dataset.ownerId !== me;
  for (const other of log.querySelectorAll("[data-not-owner-id]")) other.hidden = other.dataset.notOwnerId === me;
  for (const item of log.querySelectorAll("[data-author-id]")) item.classList.toggle("is-mine", item.dataset.authorId === me);
  log.scrollTop = log.scrollHeight;
  const socket = getSocket();
  feed = followChannel(channelId, {
    position: pagePosition(),
    onMessages: (messages) => {
      for (const message of messages) upsert(message, { announce: messages.length === 1 });
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
  log.addEventListener("click", onLogClick);
  document.addEventListener("visibilitychange", markRead);
  // Leaving within the throttle window: send the pending marker now, not never.
  window.addEventListener("pagehide", () => { clearTimeout(readTimer); sendRead(); });
}
