// The chat composer: never loses what a person typed, and says the state instead of guessing it.
//
// - Sending goes through an outbox (outbox.js): a message shows at once in the log as
//   "Sending…", is stored with its client_id until the server confirms it, and is sent (again)
//   whenever the socket is up — after a reconnect, or after a reload. The server stores one
//   message per client_id, so a resend never doubles it. Only a refusal that sending again
//   cannot change turns it into "Not sent" with Retry / Edit / Delete; a timeout, a dropped
//   connection, `unavailable` or a rate limit wait (with backoff, or the server's retry_after)
//   and send again.
// - With scripts running the form never posts (the offline page would swallow the message);
//   without them it posts as before.
// - The draft of the box is kept per channel (and per chat thread: draftKey) by drafts.js; on
//   send the text moves into the outbox, which holds it until the server confirmed it.
// - The state line above the box says: connected, "Reconnecting… / Offline" with the number of
//   messages waiting and "Retry now", or why this person cannot send (suspended until when,
//   banned, logged out, removed from the channel); the box is then disabled, its text kept.
import { bindDraft, saveDraft } from "./drafts.js";
import { formatDateTime, formatNumber, t } from "./i18n.js";
import { loadOutbox, putEntry, removeEntry } from "./outbox.js";
import { call, connectionState, getSocket, onConnectionState, retryNow } from "./socket.js";

const RETRY_MAX_MS = 15000;
// A `server_error` may be a bug that repeats: after this many tries the message says so.
const SERVER_ERROR_TRIES = 5;
// Acks worth sending again, unchanged and with the same client_id, after a wait.
const TRANSIENT = new Set(["timeout", "unavailable", "server_error", "rate_limited"]);
// Refusals about the person, not the message: the box is disabled and the state line says why.
// Every other refusal (invalid, too_long, forbidden, not_found, read_only, cohort_restricted,
// client_id_reused, bad_request) is definitive for that message: "Not sent", Retry / Delete.
const ACCOUNT_REFUSALS = { suspended: "suspended", banned: "banned", unauthorized: "logged_out",
  logged_out: "logged_out", not_found: "no_access" };

/** The draft key of a chat composer: a channel, or one chat thread in it (the thread panel). */
export function draftKey(channelId, threadId = null) {
  return threadId ? `chat:${channelId}:thread:${threadId}` : `chat:${channelId}`;
}

/** A fresh client_id: one per message, kept with it until the server confirmed it. */
export function newClientId() {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function sleep(ms) { return new Promise((resolve) => { setTimeout(resolve, ms); }); }

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // textContent: never HTML from user text
  return node;
}

/**
 * Take over the chat page's composer: `feed` is the channel's followChannel(), `upsert(message)`
 * shows a server message in the log, `markRead()` moves the read marker.
 */
export function initComposer({ channelId, feed, upsert, markRead }) {
  const form = document.getElementById("chat-form");
  const input = form?.querySelector("textarea");
  const log = document.getElementById("message-log");
  const stateBox = document.getElementById("composer-state");
  if (!form || !input || !log || !stateBox) return null;
  const fieldset = document.getElementById("chat-composer");
  const idField = form.querySelector('input[name="client_id"]');
  const stateText = document.getElementById("composer-state-text");
  const retryButton = document.getElementById("composer-retry");
  const loginLink = document.getElementById("composer-login");
  const me = document.body.dataset.userId;
  const socket = getSocket();
  const key = () => draftKey(channelId, form.dataset.threadId || null);
  const entries = loadOutbox(me, channelId);
  const nodes = new Map(); // client_id → its <li> in the log
  let blocked = null; // {code, text, login?}: why this person cannot send here now
  let unblockTimer = 0; // a suspension's end, when the page is still open then
  let sending = false;
  let retryMs = 1000;
  let lastTypingSent = 0;

  const persist = (entry) => putEntry(me, channelId, entry);
  const waiting = () => entries.filter((e) => e.status === "pending").length;

  // ------------------------------------------------------------------ the state line

  function renderState() {
    const { status } = connectionState();
    const n = waiting();
    let text = "";
    let quiet = false;
    if (blocked) text = blocked.text;
    else if (status === "reconnecting") text = n ? t("reconnecting_waiting", { n: formatNumber(n) }) : t("reconnecting");
    else if (status === "offline") text = n ? t("offline_waiting", { n: formatNumber(n) }) : t("offline");
    else if (status === "connecting") text = n ? t("connecting_waiting", { n: formatNumber(n) }) : "";
    else { text = t("connected"); quiet = true; }
    if (stateText.textContent !== text) stateText.textContent = text; // unchanged: not re-announced
    stateBox.hidden = !text;
    stateBox.classList.toggle("is-quiet", quiet);
    stateBox.classList.toggle("is-blocked", Boolean(blocked));
    retryButton.hidden = Boolean(blocked) || quiet || !text; // also a first connect that hangs
    loginLink.hidden = !blocked?.login;
  }

  /** This person cannot send here (account state, access lost): say why, keep the text. */
  function block(code, details = {}) {
    const texts = {
      suspended: () => t("account_suspended", {
        until: details.until ? formatDateTime(new Date(details.until), "medium") : "…" }),
      banned: () => t("account_banned"),
      logged_out: () => t("logged_out"),
      no_access: () => t("channel_access_lost"),
    };
    blocked = { code, text: (texts[code] ?? (() => details.message ?? code))(),
      login: code === "logged_out" };
    fieldset.disabled = true; // a disabled box keeps its text (and drafts.js keeps the draft)
    renderState();
    // A suspension ends by itself: open the box again then (the server decides each send).
    const ends = code === "suspended" && details.until ? Date.parse(details.until) - Date.now() : 0;
    clearTimeout(unblockTimer);
    if (ends > 0 && ends < 2 ** 31 - 1) unblockTimer = setTimeout(unblock, ends + 1000);
  }

  /** Writing is possible again (the suspension was lifted or ran out). */
  function unblock() {
    clearTimeout(unblockTimer);
    if (blocked?.code !== "suspended") return;
    blocked = null;
    stateBox.removeAttribute("data-account-code");
    fieldset.disabled = fieldset.hasAttribute("data-cohort-blocked"); // archived read-only stays
    renderState();
    flush();
  }

  // ------------------------------------------------------------------ messages in the log

  function showEntry(entry) {
    let node = nodes.get(entry.client_id);
    if (!node) {
      node = buildNode(entry);
      nodes.set(entry.client_id, node);
      log.append(node);
      document.getElementById("no-messages")?.remove();
      log.scrollTop = log.scrollHeight;
    }
    const failed = entry.status === "failed";
    node.classList.toggle("is-failed", failed);
    node.querySelector(".chat-outbox-status").textContent = failed ? t("not_sent") : t("sending");
    node.querySelector(".chat-outbox-reason").textContent = failed ? (entry.error?.message ?? "") : "";
    node.querySelector(".chat-outbox-actions").hidden = !failed;
  }

  // The same structure as templates/chat/_message.html, built from text nodes only.
  function buildNode(entry) {
    const item = element("li", "chat-message is-mine is-outbox");
    item.dataset.clientId = entry.client_id;
    item.dataset.authorId = me;
    const header = element("header", "chat-message-header");
    const author = element("span", "chat-author");
    author.dir = "auto";
    const link = element("a", "", form.dataset.authorName ?? "");
    link.href = form.dataset.authorUrl ?? "#";
    author.append(link);
    header.append(author, element("span", "muted chat-time chat-outbox-status"));
    const body = element("div", "chat-body");
    body.dir = "auto";
    body.append(element("p", "chat-outbox-body", entry.body));
    const actions = element("div", "chat-actions chat-outbox-actions");
    actions.append(element("span", "chat-outbox-reason"));
    for (const [action, label] of [["retry", t("retry")], ["edit", t("edit")], ["delete", t("delete")]]) {
      const button = element("button", "link-button", label);
      button.type = "button";
      button.dataset.outboxAction = action;
      actions.append(button);
    }
    item.append(header, body, actions);
    return item;
  }

  /** Waiting messages stay below every delivered one (a delivery appends at the end). */
  function keepOutboxLast() {
    if (!nodes.size) return;
    const delivered = [...log.children].filter((node) => !node.dataset.clientId);
    const lastDelivered = delivered[delivered.length - 1];
    const misplaced = lastDelivered && [...nodes.values()].some((node) =>
      node.compareDocumentPosition(lastDelivered) & Node.DOCUMENT_POSITION_FOLLOWING);
    if (!misplaced) return;
    for (const entry of entries) {
      const node = nodes.get(entry.client_id);
      if (node) log.append(node);
    }
  }

  function forget(entry) {
    const index = entries.indexOf(entry);
    if (index >= 0) entries.splice(index, 1);
    nodes.get(entry.client_id)?.remove();
    nodes.delete(entry.client_id);
    removeEntry(me, channelId, entry.client_id);
    renderState();
  }

  /** The server has this message (its ack, a live event or a catch-up): it leaves the outbox. */
  function settle(message) {
    if (!message?.client_id || String(message.author?.id) !== me) return;
    const entry = entries.find((e) => e.client_id === message.client_id);
    if (entry) forget(entry);
  }

  // ------------------------------------------------------------------ sending

  /** Send the waiting messages in order, one at a time, while the socket is up. */
  async function flush() {
    if (sending) return;
    sending = true;
    try {
      for (;;) {
        const entry = entries.find((e) => e.status === "pending");
        if (!entry || blocked || !socket.connected) break;
        const ack = await call("message:send",
          { channel_id: channelId, body: entry.body, client_id: entry.client_id });
        if (!entries.includes(entry)) continue; // settled meanwhile (a live event came first)
        if (ack?.ok) {
          retryMs = 1000;
          upsert(ack.message);
          feed.accept(ack.message); // its seq counts as received: no gap filling for it
          settle(ack.message);
          markRead();
          continue;
        }
        const error = ack?.error ?? { code: "timeout" };
        const tries = (entry.tries ?? 0) + 1;
        if ((TRANSIENT.has(error.code) || error.retryable)
            && !(error.code === "server_error" && tries >= SERVER_ERROR_TRIES)) {
          entry.tries = tries;
          // Same client_id, after the server's retry_after or a growing pause; a dropped
          // socket ends the loop (the next connect starts it again).
          const wait = error.retry_after ? error.retry_after * 1000 : retryMs;
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
          await sleep(wait);
          continue;
        }
        entry.status = "failed";
        entry.error = { code: error.code, message: error.message ?? t("send_failed") };
        persist(entry);
        showEntry(entry);
        if (error.code in ACCOUNT_REFUSALS) block(ACCOUNT_REFUSALS[error.code], error);
        renderState();
      }
    } finally {
      sending = false;
    }
  }

  function queue(body) {
    const entry = { client_id: idField?.value || newClientId(), body,
      created_at: new Date().toISOString(), status: "pending", error: null };
    // The next message gets its own client_id (a shared one would answer with this message).
    if (idField) idField.value = newClientId();
    entries.push(entry);
    persist(entry);
    input.value = "";
    saveDraft(key(), ""); // the outbox holds the text now, until the server has confirmed it
    showEntry(entry);
    renderState();
    flush();
  }

  function onLogClick(event) {
    const button = event.target.closest("[data-outbox-action]");
    const node = button?.closest("[data-client-id]");
    const entry = node && entries.find((e) => e.client_id === node.dataset.clientId);
    if (!entry) return;
    const action = button.dataset.outboxAction;
    if (action === "retry") {
      // A refused message was not stored: a new client_id is safe, and needed when the old one
      // was taken (client_id_reused).
      if (entry.error?.code === "client_id_reused") {
        removeEntry(me, channelId, entry.client_id);
        nodes.delete(entry.client_id);
        entry.client_id = newClientId();
        node.dataset.clientId = entry.client_id;
        nodes.set(entry.client_id, node);
      }
      entry.status = "pending";
      entry.error = null;
      entry.tries = 0;
      persist(entry);
      showEntry(entry);
      renderState();
      flush();
    } else if (action === "edit") {
      // Back into the box to change it (too long, say); whatever is there already stays too.
      input.value = input.value.trim() ? `${input.value}\n\n${entry.body}` : entry.body;
      saveDraft(key(), input.value);
      forget(entry);
      if (!fieldset.disabled) input.focus();
    } else if (action === "delete") {
      forget(entry);
      input.focus();
    }
  }

  /** An admin archived the cohort read-only (or lifted it): the composer follows, with the reason. */
  function setReadOnly(event) {
    const root = document.getElementById("chat");
    if (event.channel_id !== channelId || "moderates" in root.dataset) return; // moderators write
    const notice = document.getElementById("cohort-notice");
    fieldset.toggleAttribute("data-cohort-blocked", event.read_only);
    fieldset.disabled = event.read_only || Boolean(blocked);
    if (notice) {
      notice.textContent = event.read_only ? notice.dataset.readOnlyText : "";
      notice.hidden = !event.read_only;
    }
  }

  // ------------------------------------------------------------------ wiring

  bindDraft(input, key);
  for (const entry of entries) showEntry(entry);
  if (stateBox.dataset.accountCode === "suspended") block("suspended", { until: stateBox.dataset.until });
  form.addEventListener("submit", (event) => {
    event.preventDefault(); // with scripts running, never the plain form post
    if (fieldset.disabled || !input.value.trim()) return;
    queue(input.value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    const now = Date.now();
    if (socket.connected && now - lastTypingSent > 2000) {
      lastTypingSent = now;
      socket.emit("typing", { channel_id: channelId }, () => {});
    }
  });
  log.addEventListener("click", onLogClick);
  retryButton.addEventListener("click", retryNow);
  feed.watch((messages) => {
    for (const message of messages) settle(message);
    keepOutboxLast();
  });
  onConnectionState((state) => {
    if (state.status === "refused" && blocked?.code !== state.code) {
      block(state.code === "banned" ? "banned" : "logged_out");
    } else if (state.account?.code === "suspended" && !blocked) {
      block("suspended", state.account);
    } else if (state.account?.code === "active" && blocked?.code === "suspended") {
      unblock(); // lifted while the page was open
    }
    renderState();
    if (state.status === "connected") flush();
  });
  socket.on("access:lost", (event) => { if (event.channel_id === channelId) block("no_access"); });
  socket.on("channel:read_only", setReadOnly);
  return { flush, draftKey: key };
}
