// The message pane's layout around the server's message fragments: consecutive messages of one
// author within a few minutes share one header (avatar and name once), a separator starts each
// day (in the viewer's language and time zone), the "new messages" divider, and "jump to latest"
// with the count of messages that arrived below while the reader was scrolled up. It is
// recomputed after every insertion (a live message or a catch-up batch), by the same rule the
// server applies to the first page.
//
// The server draws the first page the same way (templates/chat/channel.html: grouping, day
// separators), so the layout of the first paint is final and nothing moves when this runs. It
// also marks what belongs to this viewer under each message, on the server's viewer-neutral
// fragments: own reactions (decorateReactions) and thread summaries with their "n new"
// (decorateThreads); chat_reactions.js and chat_threads.js, loaded on first use, act on them.
import { formatDateTime, formatNumber, formatRelative, t, timeZone } from "./i18n.js";

const NEAR_BOTTOM_PX = 80;
const me = document.body.dataset.userId;
const SEEN_PREFIX = "commons:thread-seen:";
let dayFormat = null; // one formatter for every message: building one costs more than using it

/** "2026-12-03" for a date in the viewer's time zone: which day a message belongs to. */
function dayKey(date) {
  if (!dayFormat) {
    const options = { year: "numeric", month: "2-digit", day: "2-digit" };
    try {
      dayFormat = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: timeZone() });
    } catch {
      dayFormat = new Intl.DateTimeFormat("en-CA", options); // unknown zone: browser's
    }
  }
  return dayFormat.format(date);
}

function separator(key, date) {
  const item = document.createElement("li");
  item.className = "chat-day";
  item.dataset.day = key;
  const label = document.createElement("span");
  label.textContent = formatDateTime(date, "full", { time: false });
  item.append(label);
  return item;
}

/**
 * Group messages and place day separators. Separators already in place are kept (the log is
 * a polite live region: a separator removed and added again would be announced again).
 */
export function relayout(log, groupSeconds) {
  const keep = new Set();
  let previous = null;
  let previousDay = null;
  for (const item of log.querySelectorAll(":scope > .chat-message")) {
    const created = new Date(item.dataset.created);
    const day = Number.isNaN(created.getTime()) ? previousDay : dayKey(created);
    const divider = item.previousElementSibling?.classList.contains("chat-new-divider")
      ? item.previousElementSibling : null;
    if (day !== previousDay) {
      const anchor = divider ?? item;
      const before = anchor.previousElementSibling;
      if (before?.classList.contains("chat-day") && before.dataset.day === day) keep.add(before);
      else keep.add(log.insertBefore(separator(day, created), anchor));
    }
    const continued = previous !== null && day === previousDay && !divider
      && item.dataset.authorId && previous.dataset.authorId === item.dataset.authorId
      && !previous.classList.contains("is-deleted")
      && (created - new Date(previous.dataset.created)) / 1000 < groupSeconds;
    item.classList.toggle("is-continued", Boolean(continued));
    previous = item;
    previousDay = day;
  }
  for (const stale of log.querySelectorAll(":scope > .chat-day")) {
    if (!keep.has(stale)) stale.remove();
  }
}

/** Whether the reader is at (or near) the newest message. */
export function nearBottom(log) {
  return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
}

/**
 * "Jump to latest": shown while the reader is scrolled up, with how many messages arrived
 * below since. Returns `noteNew(count)` for the page to call when messages were appended.
 */
export function jumpToLatest(log, button, countLabel, onJump) {
  let below = 0;
  const render = () => {
    button.hidden = nearBottom(log);
    countLabel.textContent = below ? t("new_below", { num: formatNumber(below) }) : "";
  };
  log.addEventListener("scroll", () => {
    if (nearBottom(log)) below = 0;
    render();
  }, { passive: true });
  button.addEventListener("click", () => {
    below = 0;
    log.scrollTop = log.scrollHeight;
    render();
    onJump?.();
  });
  return {
    noteNew(count) {
      if (!nearBottom(log)) below += count;
      render();
    },
    render,
  };
}

/** Put the "new messages" divider before a message (the first unread), unless one is shown. */
export function markFirstUnread(log, item) {
  if (!item || document.getElementById("chat-new-divider")) return;
  const divider = document.createElement("li");
  divider.className = "chat-new-divider";
  divider.id = "chat-new-divider";
  const label = document.createElement("span");
  label.textContent = t("new_messages");
  divider.append(label);
  log.insertBefore(divider, item);
}

/** The reader has seen everything: the divider goes. */
export function clearFirstUnread() {
  document.getElementById("chat-new-divider")?.remove();
}

// ------------------------------------------------------------------ what a message carries

/** Announce actions to the message menu (chat_menu.js shows the items listed here). */
export function addChatFeatures(...names) {
  const features = new Set((document.body.dataset.chatFeatures || "").split(" ").filter(Boolean));
  for (const name of names) features.add(name);
  document.body.dataset.chatFeatures = [...features].join(" ");
}

function reactionLabel(button) {
  const count = button.querySelector(".chat-reaction-count")?.textContent ?? "";
  const mine = button.getAttribute("aria-pressed") === "true";
  return t(mine ? "reaction_mine" : "reaction_label", { emoji: button.dataset.emoji, count });
}

/** Mark the viewer's own reactions and label the buttons, in a row or a whole subtree. */
export function decorateReactions(root = document) {
  const rows = root.matches?.(".chat-reactions") ? [root] : root.querySelectorAll?.(".chat-reactions") ?? [];
  for (const row of rows) {
    for (const button of row.querySelectorAll(".chat-reaction")) {
      const ids = (button.dataset.userIds || "").split(" ");
      button.setAttribute("aria-pressed", String(ids.includes(me)));
      button.setAttribute("aria-label", reactionLabel(button));
    }
    row.querySelector(".chat-reaction-add")?.setAttribute("aria-label", t("add_reaction"));
  }
}

/** The number of replies of a thread this browser has shown (localStorage), or null. */
export function seenReplies(id) {
  try {
    const value = window.localStorage.getItem(SEEN_PREFIX + id);
    return value === null ? null : Number(value);
  } catch {
    return null;
  }
}

export function setSeenReplies(id, count) {
  try {
    window.localStorage.setItem(SEEN_PREFIX + id, String(count));
  } catch {
    // Storage refused (private window, full): the counts still show, only "new" is lost.
  }
}

/** Show a root's summary: "Replies: n · last reply 5 min ago" and "n new" since last seen. */
export function renderSummary(summary, { count, lastReplyAt } = {}) {
  const id = Number(summary.dataset.rootId);
  if (count !== undefined) summary.dataset.replyCount = String(count);
  const replies = Number(summary.dataset.replyCount) || 0;
  summary.hidden = replies === 0;
  const button = summary.querySelector(".chat-thread-open");
  if (button) button.textContent = t("thread_replies", { num: replies });
  const last = summary.querySelector(".chat-thread-last");
  const time = last?.querySelector("time");
  if (time && lastReplyAt) time.setAttribute("datetime", lastReplyAt);
  if (last && time?.getAttribute("datetime")) {
    last.hidden = false;
    const lastLabel = last.querySelector(".chat-thread-last-label");
    if (lastLabel) lastLabel.textContent = t("thread_last_reply");
    time.textContent = formatRelative(new Date(time.getAttribute("datetime")));
  }
  let known = seenReplies(id);
  const open = Number(document.getElementById("thread-panel")?.dataset.rootId) === id;
  if (known === null || open) {
    // First sight (what the page shows counts as read) or the thread is open: all seen.
    known = replies;
    setSeenReplies(id, known);
  }
  const badge = summary.querySelector(".chat-thread-new");
  if (badge) {
    const fresh = Math.max(0, replies - known);
    badge.hidden = fresh === 0;
    badge.textContent = fresh ? t("thread_new", { num: fresh }) : "";
  }
}

/** Thread summaries and "Replied in a thread" links of the main log, for this viewer. */
export function decorateThreads(node) {
  const summaries = node.matches?.(".chat-thread-summary") ? [node]
    : node.querySelectorAll?.(".chat-thread-summary") ?? [];
  for (const summary of summaries) renderSummary(summary);
  for (const context of node.querySelectorAll?.(".chat-thread-context .chat-thread-open") ?? []) {
    context.textContent = t("thread_replied");
  }
}
