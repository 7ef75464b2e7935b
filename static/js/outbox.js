// The chat outbox's storage: messages a person sent that the server has not confirmed yet, kept
// in localStorage per person and channel with the client_id they were first sent with, so a
// reload, a crash or a lost connection never loses them and a resend never doubles them (the
// server stores one message per (author, client_id)). The sending lives in chat_composer.js.

const PREFIX = "commons:outbox:";

function storage() {
  try {
    return window.localStorage; // private windows may refuse storage: the outbox is then in memory
  } catch {
    return null;
  }
}

function key(userId, channelId) {
  // Per person: another account signing in on this browser never sends someone else's words.
  return `${PREFIX}${userId}:${channelId}`;
}

/**
 * The waiting messages of `userId` in `channelId`, oldest first:
 * [{client_id, body, created_at, status: "pending"|"failed", error: {code, message}|null}].
 */
export function loadOutbox(userId, channelId) {
  try {
    const entries = JSON.parse(storage()?.getItem(key(userId, channelId)) ?? "[]");
    return Array.isArray(entries) ? entries.filter((e) => e && e.client_id && typeof e.body === "string") : [];
  } catch {
    return []; // unreadable (edited by hand): start afresh rather than break the page
  }
}

function write(userId, channelId, entries) {
  const store = storage();
  if (!store) return false;
  try {
    if (entries.length) store.setItem(key(userId, channelId), JSON.stringify(entries));
    else store.removeItem(key(userId, channelId));
    return true;
  } catch {
    return false; // storage full: the message still waits in the page, and is still sent
  }
}

// Each change reads the stored list afresh and changes one entry: two tabs of the same channel
// never overwrite each other's waiting messages.

/** Store (add, or update by client_id) one waiting message; false when storage refused. */
export function putEntry(userId, channelId, entry) {
  const entries = loadOutbox(userId, channelId);
  const index = entries.findIndex((e) => e.client_id === entry.client_id);
  const kept = { ...entry };
  delete kept.tries; // the retry count is the sending page's own business
  if (index >= 0) entries[index] = kept;
  else entries.push(kept);
  return write(userId, channelId, entries);
}

/** Forget one message (the server confirmed it, or its author deleted it). */
export function removeEntry(userId, channelId, clientId) {
  const entries = loadOutbox(userId, channelId);
  const left = entries.filter((e) => e.client_id !== clientId);
  return left.length === entries.length || write(userId, channelId, left);
}
