// The page's translated strings and locale-aware formatting for text inserted by scripts.
// Strings come from /i18n/<language>.js, a module the server renders with gettext for the
// page's language (forum/web/i18n.py JS_STRINGS), so no user-facing English lives in the
// scripts. Live fragments are rendered once for every viewer; `localize()` puts this viewer's
// language and time zone into them.

const html = document.documentElement;
const language = (html.lang || "en").split("-")[0];
let strings = {};
try {
  // Top-level await: modules importing this one start once the strings are here.
  strings = (await import(`/i18n/${encodeURIComponent(language)}.js`)).default;
} catch {
  strings = {}; // keys stay visible rather than breaking the page's script
}

function catalogue() {
  return strings;
}

/** The page's language tag (e.g. "ar", "zh-Hans"), as set on <html lang>. */
export function lang() {
  return html.lang || "en";
}

/** The viewer's time zone (from <html data-timezone>), else the browser's own. */
export function timeZone() {
  return html.dataset.timezone || undefined;
}

/** A translated string by key, with %(name)s placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = catalogue()[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// Unambiguous dates as the server writes them (forum/lib/dates.py): "3 Dec 2026, 08:06", a
// month name and a 24-hour clock, never "12/3/26"; English in day-month-year order.
const DAY = { day: "numeric", month: "short", year: "numeric" };
const CLOCK = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

function dateLocale() {
  return lang().split("-")[0] === "en" && !lang().includes("-") ? "en-GB" : lang();
}

function formatIn(date, options) {
  try {
    return new Intl.DateTimeFormat(dateLocale(), { ...options, timeZone: timeZone() }).format(date);
  } catch {
    return new Intl.DateTimeFormat(dateLocale(), options).format(date); // unknown zone: browser's
  }
}

/** A date and time in the viewer's language and time zone: "3 Dec 2026, 08:06"
 * (`{time: false}`: the date alone, e.g. for a chat's day separators). */
export function formatDateTime(date, style = "short", { time = true } = {}) {
  if (time) return formatIn(date, { ...DAY, ...CLOCK });
  return formatIn(date, style === "full" ? { ...DAY, weekday: "long", month: "long" } : DAY);
}

/** A date in the viewer's language and time zone: "3 Dec 2026". */
export function formatDate(date) {
  return formatIn(date, DAY);
}

const UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
  ["hour", 3600], ["minute", 60]];
const RELATIVE_FOR_MS = 7 * 86400 * 1000; // beyond a week the date says more (as the server)

/** "5 min ago" in the viewer's language (Intl.RelativeTimeFormat); "now" within a minute. */
export function formatRelative(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(dateLocale(), { numeric: "auto", style: "short" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, "second");
}

/** Relative for recent activity ("5 min ago"), the date for older ("3 Dec 2026"). */
export function formatAgo(date, now = Date.now()) {
  return Math.abs(now - date.getTime()) < RELATIVE_FOR_MS ? formatRelative(date, now)
    : formatDate(date);
}

/** A number in the viewer's language. */
export function formatNumber(value) {
  return new Intl.NumberFormat(lang()).format(value);
}

/**
 * Localize a server-rendered live fragment for this viewer: every [data-i18n] element gets its
 * text from the catalogue, every <time data-format> is formatted in the viewer's zone.
 */
export function localize(node) {
  const targets = node.matches?.("[data-i18n]") ? [node] : [];
  for (const element of [...targets, ...node.querySelectorAll("[data-i18n]")]) {
    // A label next to child elements (a reaction count) lives in the first text node.
    const label = [...element.childNodes].find((child) => child.nodeType === Node.TEXT_NODE
      && child.textContent.trim());
    if (label && element.children.length) label.textContent = `${t(element.dataset.i18n)} `;
    else element.textContent = t(element.dataset.i18n);
  }
  for (const time of node.querySelectorAll("time[data-format]")) {
    const date = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(date.getTime())) continue;
    time.textContent = time.dataset.format === "ago" ? formatAgo(date) : formatDateTime(date);
  }
  for (const count of node.querySelectorAll("[data-count-for]")) {
    count.textContent = formatNumber(Number(count.textContent) || 0);
  }
  return node;
}
