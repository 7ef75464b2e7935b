// Times that follow the reader: their browser's zone until they choose one, and relative times
// ("5 min ago") that stay true while the page is open.
//
// - A member who has not chosen a zone (<html data-timezone-auto>) gets the zone their browser
//   reports: it is sent once to the server (POST /settings/timezone/browser), which renders
//   their next pages in it; this page's server-rendered times are rewritten in it now.
//   Visitors (no data-timezone) see times in their browser's zone, formatted here.
// - Every <time data-format="ago"> shows "5 min ago" (the date when older than a week), with
//   the absolute time in its title for hover; one timer refreshes them each minute, also those
//   that live updates insert later (a MutationObserver), so no page script has to.
import { csrfToken } from "./base.js";
import { formatAgo, formatDateTime } from "./i18n.js";

const html = document.documentElement;
const AGO = 'time[data-format="ago"]';
// Server-rendered times that show a clock ("08:06"): those to rewrite in another zone. A
// date alone (a join date) stays: one zone or the next rarely changes the day, and a wrong
// guess would add a time the page did not mean to show.
const CLOCK = /\d[:.]\d\d/;

function dateOf(time) {
  const date = new Date(time.getAttribute("datetime"));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Refresh the relative times in `root` (the whole page by default); cheap, text only. */
export function refreshTimes(root = document) {
  const now = Date.now();
  const times = root.matches?.(AGO) ? [root] : root.querySelectorAll(AGO);
  for (const time of times) {
    const date = dateOf(time);
    if (!date) continue;
    const text = formatAgo(date, now);
    if (time.textContent !== text) time.textContent = text;
    // The absolute time on hover, in the viewer's zone (set once per element).
    if (!time.dataset.titled) {
      time.title = formatDateTime(date);
      time.dataset.titled = "1";
    }
  }
}

/** Rewrite the absolute times the server rendered in another zone, in the one now on <html>. */
function rezone() {
  for (const time of document.querySelectorAll("time[datetime]:not([data-format=ago])")) {
    const date = dateOf(time);
    if (date && (time.dataset.format || CLOCK.test(time.textContent))) {
      time.textContent = formatDateTime(date);
    }
  }
  for (const time of document.querySelectorAll(AGO)) delete time.dataset.titled;
}

async function report(zone) {
  try {
    await fetch("/settings/timezone/browser", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ timezone: zone }),
    });
  } catch {
    // Offline: the next page tries again; this one already shows the browser's zone.
  }
}

function followBrowserZone() {
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  if (!zone) return;
  const member = "timezone" in html.dataset;
  if (member && !("timezoneAuto" in html.dataset)) return; // a chosen zone always wins
  if (html.dataset.timezone === zone) return;
  html.dataset.timezone = zone;
  rezone();
  if (member) report(zone);
}

function watchInsertedTimes() {
  // Live posts and messages arrive after the first paint: format theirs as they come.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) refreshTimes(node);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}

followBrowserZone();
refreshTimes();
watchInsertedTimes();
// One timer for the whole page, at the turn of each minute; a tab coming back refreshes at once.
setTimeout(() => {
  refreshTimes();
  setInterval(refreshTimes, 60_000);
}, 60_000 - (Date.now() % 60_000));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refreshTimes();
});
