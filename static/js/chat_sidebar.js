// The chat workspace's sidebar, live: unread counts and mention badges follow `chat:activity`
// (one light event per message, no content: docs/socket-events.md) and are resynced by
// `chat:watch` on every (re)connect; presence dots for direct conversations; the "jump to"
// filter (Ctrl/Cmd+K); the drawer on a phone; Alt+↑/↓ (Alt+Shift: unread only) to change
// channel; the favicon dot and optional desktop notifications for direct messages and mentions.
import { formatNumber, t } from "./i18n.js";

const CAP = 99;

export function setupSidebar({ socket, channelId, me, myName, onCurrentActivity }) {
  const sidebar = document.getElementById("chat-sidebar");
  if (!sidebar) return null;
  const items = () => [...sidebar.querySelectorAll(".chat-nav-item")];
  const itemFor = (id) => sidebar.querySelector(`.chat-nav-item[data-channel-id="${Number(id)}"]`);

  // ------------------------------------------------------------------ counts
  function setCounts(item, unread, mentions) {
    item.dataset.unread = String(unread);
    item.dataset.mentions = String(mentions);
    item.classList.toggle("has-unread", unread > 0);
    const shown = unread > CAP ? "99+" : formatNumber(unread);
    const badge = item.querySelector(".chat-unread-badge");
    badge.hidden = unread === 0;
    badge.firstElementChild.textContent = shown;
    badge.lastElementChild.textContent = t("unread_count", { num: shown });
    const mention = item.querySelector(".chat-mention-badge");
    mention.hidden = mentions === 0;
    mention.firstElementChild.textContent = `@${formatNumber(mentions)}`;
    mention.lastElementChild.textContent = t("mention_count", { num: formatNumber(mentions) });
    updateFavicon();
  }

  function isCurrentAndSeen(id) {
    return id === channelId && document.visibilityState === "visible";
  }

  /** The open channel was read up to its newest message. */
  function clearCurrent() {
    const item = itemFor(channelId);
    if (item) setCounts(item, 0, 0);
  }

  /** A line for a channel opened since the page loaded (the same markup as _sidebar.html). */
  function addItem(entry) {
    const list = sidebar.querySelector(`ul.chat-nav[data-kind="${entry.kind}"]`);
    if (!list) return null;
    const item = document.createElement("li");
    item.className = "chat-nav-item";
    item.dataset.channelId = String(entry.id);
    item.dataset.kind = entry.kind;
    if (entry.partner_id) item.dataset.partnerId = String(entry.partner_id);
    const link = document.createElement("a");
    link.href = `/chat/${Number(entry.id)}`;
    const mark = document.createElement("span");
    mark.setAttribute("aria-hidden", "true");
    mark.className = entry.kind === "direct" ? "chat-dot" : "chat-hash";
    if (entry.kind !== "direct") mark.textContent = "#";
    const title = document.createElement("span");
    title.className = "chat-nav-title";
    title.dir = "auto";
    title.textContent = entry.title; // a name: text, never markup
    link.append(mark, title);
    if (entry.kind === "direct") {
      const label = document.createElement("span");
      label.className = "visually-hidden chat-online-label";
      label.hidden = true;
      label.textContent = t("online");
      link.append(label);
    }
    for (const name of ["chat-mention-badge", "chat-unread-badge"]) {
      const badge = document.createElement("span");
      badge.className = name === "chat-unread-badge" ? `badge badge-count ${name}` : `badge ${name}`;
      badge.hidden = true;
      const seen = document.createElement("span");
      seen.setAttribute("aria-hidden", "true");
      const said = document.createElement("span");
      said.className = "visually-hidden";
      badge.append(seen, said);
      link.append(badge);
    }
    item.append(link);
    list.prepend(item); // the newest conversation first, where the eye is
    list.parentElement.querySelector(".chat-nav-empty")?.remove();
    return item;
  }

  function watch() {
    socket.emit("chat:watch", {}, (ack) => {
      if (!ack?.ok) return;
      sidebar.dataset.live = "on"; // following the channels' activity from now on
      for (const entry of ack.channels) {
        // A conversation opened since the page loaded (chat:listed) gets its line now.
        const item = itemFor(entry.id) ?? addItem(entry);
        if (!item) continue;
        if (isCurrentAndSeen(entry.id)) setCounts(item, 0, 0);
        else setCounts(item, entry.unread, entry.mentions);
      }
      showOnline(ack.online);
    });
  }

  function showOnline(ids) {
    const online = new Set(ids);
    for (const item of items()) {
      if (!item.dataset.partnerId) continue;
      const on = online.has(Number(item.dataset.partnerId));
      item.classList.toggle("is-online", on);
      const label = item.querySelector(".chat-online-label");
      if (label) label.hidden = !on;
    }
  }

  // Presence dots stay current: a light question every minute while the page is seen.
  setInterval(() => {
    if (!socket.connected || document.visibilityState !== "visible") return;
    if (!sidebar.querySelector(".chat-nav-item[data-partner-id]")) return;
    socket.emit("presence:partners", {}, (ack) => { if (ack?.ok) showOnline(ack.online); });
  }, 60_000);

  socket.on("connect", watch);
  // Someone opened a conversation with me: list it (watch also joins its activity room).
  socket.on("chat:listed", watch);
  if (socket.connected) watch();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") watch();
  });

  socket.on("chat:activity", (event) => {
    const item = itemFor(event.channel_id);
    if (!item || String(event.author_id) === me) return;
    const mentioned = (event.mentions || []).includes(myName);
    if (event.channel_id === channelId) onCurrentActivity?.(event);
    if (isCurrentAndSeen(event.channel_id)) return; // read as it arrives
    setCounts(item, Math.min(Number(item.dataset.unread) + 1, CAP + 1),
      Number(item.dataset.mentions) + (mentioned ? 1 : 0));
    if (mentioned || item.dataset.kind === "direct") notify(item, mentioned);
  });

  // ------------------------------------------------------------------ favicon
  // The icon is whatever `link[rel=icon]` names (base.html); with unread chat it gets a dot.
  let plainIcon = null;
  function updateFavicon() {
    const unread = items().some((item) => Number(item.dataset.unread) > 0
      && !("muted" in item.dataset));
    let link = document.querySelector("link[rel=icon]");
    if (!link && !unread) return;
    if (!link) {
      link = document.createElement("link");
      link.rel = "icon";
      link.dataset.chatDot = "created";
      document.head.append(link);
    }
    if (plainIcon === null) plainIcon = link.dataset.chatDot === "created" ? "" : link.href;
    if (!unread) {
      if (link.dataset.chatDot === "created") link.remove();
      else link.href = plainIcon;
      document.documentElement.dataset.chatUnread = "0";
      return;
    }
    document.documentElement.dataset.chatUnread = "1";
    const draw = (image) => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 32;
      const context = canvas.getContext("2d");
      if (image) context.drawImage(image, 0, 0, 32, 32);
      context.fillStyle = getComputedStyle(document.documentElement)
        .getPropertyValue("--danger").trim() || "#b3261e";
      context.beginPath();
      context.arc(24, 8, 7, 0, 2 * Math.PI);
      context.fill();
      link.href = canvas.toDataURL("image/png");
    };
    if (!plainIcon) { draw(null); return; }
    const image = new Image();
    image.onload = () => draw(image);
    image.onerror = () => draw(null);
    image.src = plainIcon;
  }

  // ------------------------------------------------------------------ desktop notifications
  // Asked for only after a click on the channel header's button; never for muted channels.
  // The button shows while <html class="can-notify"> (set before the first paint, base.html).
  const notifyButton = document.getElementById("chat-notify-button");
  const canNotify = typeof window.Notification === "function";
  if (notifyButton && canNotify && Notification.permission === "default") {
    notifyButton.addEventListener("click", async () => {
      const answer = await Notification.requestPermission();
      document.documentElement.classList.toggle("can-notify", answer === "default");
    });
  }

  function notify(item, mentioned) {
    if (!canNotify || Notification.permission !== "granted"
        || "muted" in item.dataset || !document.hidden) return;
    const title = item.querySelector(".chat-nav-title").textContent;
    const note = new Notification(
      mentioned ? t("notify_mention", { channel: title }) : t("notify_direct", { channel: title }),
      { tag: `chat-${item.dataset.channelId}` });
    note.onclick = () => {
      window.focus();
      window.location.assign(item.querySelector("a").href);
    };
  }

  // ------------------------------------------------------------------ drawer (phone)
  const drawerButton = document.getElementById("chat-drawer-button");
  const closeButton = document.getElementById("chat-drawer-close");
  const pane = document.getElementById("chat");

  // A phone: where the stylesheet shows the drawer button (one breakpoint, in the CSS).
  const isPhone = () => getComputedStyle(drawerButton).display !== "none";

  function openDrawer() {
    if (!isPhone() || sidebar.classList.contains("is-open")) return;
    sidebar.classList.add("is-open");
    drawerButton.setAttribute("aria-expanded", "true");
    // Focus stays in the drawer while it covers the page; the heading stays readable.
    for (const part of pane.children) part.inert = !part.classList.contains("chat-header");
    (sidebar.querySelector("[aria-current=page]") ?? closeButton).focus();
  }

  function closeDrawer({ restoreFocus = true } = {}) {
    if (!sidebar.classList.contains("is-open")) return;
    sidebar.classList.remove("is-open");
    drawerButton.setAttribute("aria-expanded", "false");
    for (const part of pane.children) part.inert = false;
    if (restoreFocus) drawerButton.focus();
  }

  drawerButton.addEventListener("click", openDrawer);
  closeButton.addEventListener("click", () => closeDrawer());
  sidebar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
      event.preventDefault();
      event.stopPropagation();
      closeDrawer();
    }
  });
  window.addEventListener("resize", () => { if (!isPhone()) closeDrawer({ restoreFocus: false }); });

  // ------------------------------------------------------------------ jump to (Ctrl/Cmd+K)
  const input = document.getElementById("chat-jump-input");
  if (/Mac|iPhone|iPad/.test(navigator.platform)) document.getElementById("chat-jump-keys").textContent = "⌘K";
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

  function filter() {
    const query = fold(input.value.trim());
    for (const item of items()) {
      item.hidden = Boolean(query) && !fold(item.querySelector(".chat-nav-title").textContent).includes(query);
    }
  }

  input.addEventListener("input", filter);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = items().find((item) => !item.hidden);
      if (first) window.location.assign(first.querySelector("a").href);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (input.value) { input.value = ""; filter(); } else if (sidebar.classList.contains("is-open")) closeDrawer();
      else input.blur();
    }
  });

  function openJump() {
    openDrawer();
    input.focus();
    input.select();
  }

  // ------------------------------------------------------------------ channel keys
  function go(step, unreadOnly) {
    const list = items().filter((item) => !item.hidden);
    const at = list.findIndex((item) => Number(item.dataset.channelId) === channelId);
    for (let n = 1; n <= list.length; n += 1) {
      const candidate = list[(at + step * n + list.length * n) % list.length];
      if (!candidate || Number(candidate.dataset.channelId) === channelId) continue;
      if (unreadOnly && !(Number(candidate.dataset.unread) > 0)) continue;
      window.location.assign(candidate.querySelector("a").href);
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      event.preventDefault();
      openJump();
    } else if (event.altKey && !event.ctrlKey && !event.metaKey
        && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      go(event.key === "ArrowDown" ? 1 : -1, event.shiftKey);
    }
  });

  updateFavicon();
  return { clearCurrent, setCounts, itemFor, closeDrawer };
}
