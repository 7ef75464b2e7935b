// The message pane's layout around the server's message fragments: consecutive messages of one
// author within a few minutes share one header (avatar and name once), a separator starts each
// day (in the viewer's language and time zone), the "new messages" divider, and "jump to latest"
// with the count of messages that arrived below while the reader was scrolled up. It is
// recomputed after every insertion (a live message or a catch-up batch), by the same rule the
// server applies to the first page.
import { formatDateTime, formatNumber, t, timeZone } from "./i18n.js";

const NEAR_BOTTOM_PX = 80;

/** "2026-12-03" for a date in the viewer's time zone: which day a message belongs to. */
function dayKey(date) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit" };
  try {
    return new Intl.DateTimeFormat("en-CA", { ...options, timeZone: timeZone() }).format(date);
  } catch {
    return new Intl.DateTimeFormat("en-CA", options).format(date); // unknown zone: browser's
  }
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
