// One shared Socket.IO connection per page, with its connection state said, not guessed, and
// the channel protocol every page uses (docs/socket-events.md, "Client algorithm"): join with the
// position, page while has_more, a timeout on every ack, retry a failed join, order by seq, fill
// gaps, and resync when the server asks (its message-queue connection came back).
//
// Reconnecting: the socket.io client retries a dropped transport by itself, but not a socket the
// server closed or refused. Here a server close (logout, ban, suspension) reconnects once to
// learn why; a refusal whose reason reconnecting cannot change (`banned`, `logged_out`,
// `unauthorized`) stops for good and says so; any other refusal (the database is briefly down)
// retries with backoff. Pages watch the state with onConnectionState(); a page with its own
// state line (`[data-connection-state]`, the chat composer) shows it there, others in a banner.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { t } from "./i18n.js";

let socket = null;
export const ACK_TIMEOUT_MS = 10000;
const RETRY_MAX_MS = 15000;
// Failed reconnection attempts after which the page says "Offline" rather than "Reconnecting…".
const OFFLINE_AFTER = 3;
/** Connect refusals that reconnecting cannot change: the client stops and the page says why. */
export const FINAL_REFUSALS = new Set(["banned", "logged_out", "unauthorized"]);

// status: "connecting" (first time), "connected", "reconnecting", "offline", "refused" (final,
// with `code`); `account`: {code: "suspended", until} once the server said so (`account:state`).
let state = { status: "connecting", code: null, account: null, attempts: 0 };
const watchers = new Set();

/** The connection state now: {status, code, account, attempts}. */
export function connectionState() { return state; }

/** Call `watch(state)` now and on every change of the connection state; returns an unsubscribe. */
export function onConnectionState(watch) {
  watchers.add(watch);
  watch(state);
  return () => watchers.delete(watch);
}

function setState(patch) {
  state = { ...state, ...patch };
  for (const watch of watchers) watch(state);
}

/** The page's socket, created on first use (same origin; the session cookie authenticates). */
export function getSocket() {
  if (socket) return socket;
  socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  if (!document.querySelector("[data-connection-state]")) onConnectionState(showInBanner);
  let retryTimer = null;
  let retryMs = 500;
  let connectedAt = 0;
  // The server closed or refused the socket for a reason worth asking again: connect later.
  const connectLater = () => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (!socket.connected && state.status !== "refused") socket.connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
  const waiting = (attempts) => ((attempts >= OFFLINE_AFTER || navigator.onLine === false)
    ? "offline" : "reconnecting");
  socket.on("connect", () => {
    clearTimeout(retryTimer);
    connectedAt = Date.now();
    setState({ status: "connected", code: null, attempts: 0 });
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return; // this page closed it (retryNow reopens)
    setState({ status: waiting(0) });
    if (reason === "io server disconnect") {
      // Closed by the server (logout, ban, suspension): connect again to hear why. A socket
      // closed again and again right after connecting backs off instead of looping.
      if (Date.now() - connectedAt > 10000) retryMs = 500;
      connectLater();
    }
  });
  socket.on("connect_error", (error) => {
    const code = error?.data?.code ?? null;
    if (FINAL_REFUSALS.has(code)) {
      clearTimeout(retryTimer);
      setState({ status: "refused", code });
      return; // the client does not retry a refusal by itself; nor does this page
    }
    const attempts = state.attempts + 1;
    setState({ status: waiting(attempts), attempts });
    if (!socket.active) connectLater(); // refused for now (`unavailable`): ask again later
  });
  socket.on("account:state", (account) => { setState({ account }); });
  window.addEventListener("offline", () => {
    if (state.status !== "refused") setState({ status: "offline" });
  });
  window.addEventListener("online", () => { retryNow(); });
  return socket;
}

/** Connect at once (the "Retry now" button, the browser coming back online), unless the
 *  server refused the socket for good. */
export function retryNow() {
  const s = getSocket();
  if (s.connected || state.status === "refused") return;
  setState({ status: "reconnecting" });
  // disconnect() drops a pending backoff timer; connect() then opens a new connection now.
  s.disconnect();
  s.connect();
}

/** Emit with a per-ack timeout; resolves to the ack, or to a retryable error ack on timeout. */
export function call(event, payload, timeoutMs = ACK_TIMEOUT_MS) {
  return new Promise((resolve) => {
    getSocket().timeout(timeoutMs).emit(event, payload, (err, ack) => {
      resolve(err ? { ok: false, error: { code: "timeout", retryable: true } } : ack);
    });
  });
}

/**
 * Follow one channel without ever missing or doubling a message.
 *
 * `position` is the highest seq up to which the page holds everything (0: nothing yet).
 * `onMessages(list)` receives messages in seq order (each at most once per page load, except
 * edits, which carry a seq already seen); `onPresence(users)` the people online.
 */
export function followChannel(channelId, { position = 0, onMessages, onPresence, onJoined }) {
  const s = getSocket();
  const held = new Set(); // seqs received above `position` with a hole below them
  const watchers = new Set(); // others told of every delivery (the composer's outbox)
  let busy = false; // a join or a fill is asking the server: live events only queue
  let retryMs = 1000;

  const deliver = (messages) => {
    const fresh = messages.filter((m) => m.seq > position && !held.has(m.seq));
    for (const m of fresh) held.add(m.seq);
    if (fresh.length) onMessages(fresh.sort((a, b) => a.seq - b.seq));
    for (const watch of watchers) watch(messages);
    advance();
  };
  // The position moves over every contiguous seq received; a seq left above it is a gap.
  const advance = () => {
    while (held.has(position + 1)) { held.delete(position + 1); position += 1; }
    if (held.size && !busy) fill();
  };
  // A catch-up page accounts for every seq up to its last_seq (hidden ones included).
  const settle = (ack) => {
    deliver(ack.messages);
    position = Math.max(position, ack.last_seq ?? position);
    for (const seq of [...held]) if (seq <= position) held.delete(seq);
    return ack.has_more;
  };
  // Ask until the answer says "no more"; on a failed ack wait (backing off) and ask again.
  const ask = async (event, onOk) => {
    busy = true;
    try {
      for (;;) {
        const ack = await call(event, { channel_id: channelId, after_seq: position });
        if (ack?.ok) {
          retryMs = 1000;
          onOk?.(ack);
          if (!settle(ack)) break;
          event = "channel:since"; // has_more: continue from the last one received
          continue;
        }
        if (FINAL_ERRORS.has(ack?.error?.code) || !s.connected) return; // next connect asks
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    } finally { busy = false; }
    advance();
  };
  const fill = () => ask("channel:since");
  const join = () => ask("channel:join", (ack) => { onPresence?.(ack.presence); onJoined?.(); });

  s.on("connect", join); // first connect and every reconnect: catch up from the position
  s.on("resync", join); // the server's queue connection came back: events may have been lost
  s.on("message:new", (m) => {
    // Out of order (another process's event overtook this one) or after a hole: shown at once
    // in seq order; the hole is filled from the server.
    if (m.channel_id === channelId) deliver([m]);
  });
  if (s.connected) join();
  return {
    /** A message known from elsewhere (the ack of one's own send). */
    accept(message) { deliver([message]); },
    /** Call `watch(messages)` with every message that arrives (live, caught up or accepted). */
    watch(watch) { watchers.add(watch); },
    get position() { return position; },
  };
}

// Acks that retrying cannot change (the channel is gone or out of reach, the request is wrong).
const FINAL_ERRORS = new Set(["not_found", "forbidden", "unauthorized", "invalid", "banned"]);

function sleep(ms) { return new Promise((resolve) => { setTimeout(resolve, ms); }); }

/** The connection state in a banner at the top of pages that have no state line of their own. */
function showInBanner(current) {
  const banner = ensureBanner();
  const refused = current.status === "refused";
  banner.hidden = current.status === "connected" || current.status === "connecting";
  banner.textContent = refused ? refusalText(current.code) : t("reconnecting");
}

/** What to say when the server refused the connection for good. */
export function refusalText(code) {
  return code === "banned" ? t("account_banned") : t("logged_out");
}

function ensureBanner() {
  let banner = document.getElementById("connection-banner");
  if (!banner) {
    banner = document.createElement("div");
    banner.id = "connection-banner";
    banner.className = "banner banner-warning";
    banner.setAttribute("role", "status");
    banner.hidden = true;
    banner.textContent = t("reconnecting");
    document.body.prepend(banner);
  }
  return banner;
}
