// The notification bell: keeps the unread badge current over Socket.IO and announces new
// notifications politely to screen readers (never moving focus). Texts come from the server,
// already translated into the reader's language. The page works without this file.
import { formatNumber } from "./i18n.js";
import { getSocket } from "./socket.js";

const bell = document.querySelector("[data-notification-bell]");
const badge = bell?.querySelector("[data-unread-count]");

/** A visually hidden polite live region, created once. */
function liveRegion() {
  let region = document.getElementById("notification-live");
  if (!region) {
    region = document.createElement("div");
    region.id = "notification-live";
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    region.setAttribute("role", "status");
    document.body.append(region);
  }
  return region;
}

function setCount(count) {
  if (!badge || typeof count !== "number" || count < 0) return;
  badge.textContent = formatNumber(count); // in the page's language
  badge.hidden = count === 0;
  bell.classList.toggle("has-unread", count > 0);
}

if (bell && document.body.dataset.userId) {
  const socket = getSocket();
  socket.on("notification:new", (message) => {
    setCount(message?.unread);
    const text = message?.notification?.text;
    if (text) liveRegion().textContent = text;
  });
  socket.on("notifications:unread", (message) => setCount(message?.unread));
  // After a (re)connect, ask for the count: events sent while disconnected are not replayed.
  const refresh = () => socket.emit("notifications:count", {}, (ack) => {
    if (ack?.ok) setCount(ack.unread);
  });
  socket.on("connect", refresh);
  if (socket.connected) refresh();
}

// Following a notification's link marks it read: a beacon POST (with the page's CSRF token)
// survives the navigation. Without JavaScript the "Open" button does the same.
for (const link of document.querySelectorAll("a[data-read-url]")) {
  link.addEventListener("click", () => {
    const form = new FormData();
    form.append("csrf_token", document.querySelector('meta[name="csrf-token"]')?.content ?? "");
    navigator.sendBeacon(link.dataset.readUrl, form);
  });
}
