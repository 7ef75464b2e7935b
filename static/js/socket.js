// One shared Socket.IO connection per page, with a visible connection state, and the channel
// protocol every page uses (docs/socket-events.md, "Client algorithm"): join with the position,
// page while has_more, a timeout on every ack, retry a failed join, order by seq, fill gaps,
// and resync when the server asks (its message-queue connection came back).
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { t } from "./i18n.js";

let socket = null;
export const ACK_TIMEOUT_MS = 10000;
const RETRY_MAX_MS = 15000;

/** The page's socket, created on first use (same origin; the session cookie authenticates). */
export function getSocket() {
  if (socket) return socket;
  socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  const banner = ensureBanner();
  socket.on("connect", () => { banner.hidden = true; });
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") banner.hidden = false;
  });
  socket.io.on("reconnect_attempt", () => { banner.hidden = false; });
  return socket;
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
  let busy = false; // a join or a fill is asking the server: live events only queue
  let retryMs = 1000;

  const deliver = (messages) => {
    const fresh = messages.filter((m) => m.seq > position && !held.has(m.seq));
    for (const m of fresh) held.add(m.seq);
    if (fresh.length) onMessages(fresh.sort((a, b) => a.seq - b.seq));
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
    get position() { return position; },
  };
}

// Acks that retrying cannot change (the channel is gone or out of reach, the request is wrong).
const FINAL_ERRORS = new Set(["not_found", "forbidden", "unauthorized", "invalid", "banned"]);

function sleep(ms) { return new Promise((resolve) => { setTimeout(resolve, ms); }); }

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
