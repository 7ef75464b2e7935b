// Replies in thread inside chat (chatthreads), and "make a forum thread" of chat messages.
//
// The thread panel (templates/chat/_thread_panel.html) shows a root message and its replies:
// opened from a root's summary ("Replies: 3"), a reply's "Replied in a thread", or the message
// menu's "thread" action (`chat:action`). It loads the thread with `replies:since` and catches
// up after a reconnect from the last reply's channel seq; replies arrive live as the channel's
// `message:new` with a `thread_root_id`. Its composer sends `reply:send` (Enter sends, a
// client_id per reply so a retry never doubles it, a draft per thread kept until the server
// confirmed). Each root's summary gets its count and "n new" live from `replies:summary`; what
// the viewer has seen of a thread is remembered in this browser (localStorage).
//
// Loaded on first use: chat.js imports this module when a thread is first opened (a summary,
// "Replied in a thread", the menu's "thread" action) and calls openThread(); the summaries of
// the main log are drawn without it (chat_layout.js decorateThreads, renderSummary).
import { bindDraft, clearDraft, loadDraft } from "./drafts.js";
import { localize, t } from "./i18n.js";
import { decorateReactions, renderSummary, setSeenReplies } from "./chat_layout.js";
import { call, getSocket } from "./socket.js";
import { toast } from "./ui.js";

const panel = document.getElementById("thread-panel");
const log = document.getElementById("thread-log");
const form = document.getElementById("thread-form");
const field = document.getElementById("thread-body");
const alsoBox = document.getElementById("thread-also");
const mainLog = document.getElementById("message-log");
const channelId = Number(panel?.dataset.channelId);
let rootId = null;
let lastSeq = 0;
let opener = null;
let loading = null;
let clientId = null;
let saveDraftNow = () => {};

function newClientId() {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function draftKey() {
  return `chat-thread:${rootId}`;
}

/** The thread shown in the panel (its root's id, or null); renderSummary reads it there. */
function setRoot(id) {
  rootId = id;
  if (id) panel.dataset.rootId = String(id);
  else delete panel.dataset.rootId;
}

// ------------------------------------------------------------------ the panel's messages

function fragment(message) {
  const template = document.createElement("template");
  template.innerHTML = message.html.trim(); // the server's sanitized fragment, as chat.js does
  const node = localize(template.content.firstElementChild);
  node.id = `t-${message.id}`; // the main log holds m-<id>: ids stay unique
  node.removeAttribute("aria-live");
  // Edit, delete and report live in the main log's menu; the panel shows text and reactions.
  for (const actions of node.querySelectorAll(".chat-actions")) actions.remove();
  node.classList.toggle("is-mine", node.dataset.authorId === document.body.dataset.userId);
  node.classList.toggle("is-thread-root", message.id === rootId);
  decorateReactions(node);
  return node;
}

/** Insert (or replace) a message of the open thread in seq order, never twice. */
function upsert(message) {
  const node = fragment(message);
  const existing = log.querySelector(`[data-message-id="${Number(message.id)}"]`);
  if (existing) { existing.replaceWith(node); return; }
  let after = null;
  for (const item of log.querySelectorAll("[data-seq]")) {
    if (Number(item.dataset.seq) > message.seq && !item.classList.contains("is-thread-root")) { after = item; break; }
  }
  log.insertBefore(node, after);
  if (!after) log.scrollTop = log.scrollHeight;
}

function accept(message) {
  if (message.thread_root_id !== rootId && message.id !== rootId) return;
  upsert(message);
  if (message.id !== rootId) lastSeq = Math.max(lastSeq, message.seq);
}

/** Load what the panel misses after `lastSeq` (the whole thread on opening), page by page. */
async function load() {
  const wanted = rootId;
  log.setAttribute("aria-busy", "true"); // a whole thread at once is not read out reply by reply
  try {
    await loadPages(wanted);
  } finally {
    log.removeAttribute("aria-busy");
  }
}

async function loadPages(wanted) {
  for (;;) {
    const ack = await call("replies:since", { root_id: wanted, after_seq: lastSeq });
    if (wanted !== rootId) return; // another thread was opened meanwhile
    if (!ack?.ok) {
      toast(ack?.error?.message || t("send_failed"), { kind: "error" });
      return;
    }
    setRoot(ack.root.id); // asked with a reply's id: the server answers with its root's thread
    accept(ack.root);
    wanted = rootId;
    for (const message of ack.messages) accept(message);
    lastSeq = Math.max(lastSeq, ack.last_seq);
    setSeenReplies(rootId, ack.root.reply_count);
    if (!ack.has_more) return;
  }
}

/** Open the thread of `messageId` (a root, or a reply: its root's thread). */
export async function openThread(messageId, from = document.activeElement) {
  if (!panel) return;
  saveDraftNow();
  opener = from instanceof HTMLElement ? from : null;
  setRoot(Number(messageId));
  lastSeq = 0;
  log.replaceChildren();
  panel.hidden = false;
  document.getElementById("chat")?.classList.add("has-thread");
  const reply = document.querySelector(`#message-log [data-message-id="${rootId}"] .chat-thread-context .chat-thread-open`);
  if (reply) setRoot(Number(reply.dataset.rootId)); // a reply opens its root's thread
  field.value = loadDraft(draftKey());
  clientId = null;
  field.focus();
  loading = load();
  await loading;
  for (const summary of mainLog.querySelectorAll(`.chat-thread-summary[data-root-id="${rootId}"]`)) renderSummary(summary);
}

function closeThread() {
  saveDraftNow();
  panel.hidden = true;
  document.getElementById("chat")?.classList.remove("has-thread");
  setRoot(null);
  log.replaceChildren();
  if (opener?.isConnected) opener.focus();
}

// ------------------------------------------------------------------ the panel's composer

async function send() {
  const body = field.value;
  if (!body.trim() || !rootId) return;
  const thread = rootId;
  clientId = clientId || newClientId(); // kept until confirmed: a retry is never a twin
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  let ack = null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    ack = await call("reply:send", { root_id: thread, body, client_id: clientId, also_to_channel: alsoBox.checked });
    if (ack?.ok || !ack?.error?.retryable) break;
  }
  button.disabled = false;
  if (!ack?.ok) {
    // The text stays in the box (and in its draft) with its client_id: sending again is safe.
    toast(ack?.error?.message || t("send_failed"), { kind: "error" });
    return;
  }
  clearDraft(`chat-thread:${thread}`);
  clientId = null;
  if (thread === rootId) {
    if (field.value === body) field.value = "";
    accept(ack.message);
  }
  field.focus();
}

if (panel && log && form && field && mainLog) {
  saveDraftNow = bindDraft(field, draftKey);
  document.getElementById("thread-close")?.addEventListener("click", closeThread);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) { event.stopPropagation(); closeThread(); }
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); send(); });
  field.addEventListener("input", () => { if (!field.value) clientId = null; });
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  const socket = getSocket();
  socket.on("message:new", (message) => { if (rootId && message.channel_id === channelId) accept(message); });
  socket.on("message:edited", (message) => { if (rootId && log.querySelector(`[data-message-id="${Number(message.id)}"]`)) upsert(message); });
  socket.on("message:deleted", (message) => { if (rootId && log.querySelector(`[data-message-id="${Number(message.id)}"]`)) upsert(message); });
  socket.on("message:hidden", (event) => { log.querySelector(`[data-message-id="${Number(event.id)}"]`)?.remove(); });
  // Back after a dropped connection: whatever the open thread missed, from its position.
  socket.on("connect", () => { if (rootId && loading) loading = load(); });
}
