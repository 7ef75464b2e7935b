// Drafts that are never lost: what a person types in a composer is kept in localStorage under a
// key naming its place (a thread, a reply target, a channel, a chat thread), restored when they
// come back, and removed only when the caller says the server confirmed it. Shared by every
// composer (thread.js, composer.js, chat.js); pages work without it.

const PREFIX = "commons:draft:";
const SAVE_MS = 300;

function storage() {
  try {
    return window.localStorage; // private windows may refuse storage: drafts are then best effort
  } catch {
    return null;
  }
}

/** The saved draft for `key`, or "" when there is none. */
export function loadDraft(key) {
  return storage()?.getItem(PREFIX + key) ?? "";
}

/** Save (or, for blank text, forget) the draft for `key`. */
export function saveDraft(key, text) {
  const store = storage();
  if (!store) return;
  try {
    if (text.trim()) store.setItem(PREFIX + key, text);
    else store.removeItem(PREFIX + key);
  } catch {
    // Storage full: keep the page working; the text is still in the box.
  }
}

/** Forget the draft for `key`: call only once the server has confirmed what was sent. */
export function clearDraft(key) {
  storage()?.removeItem(PREFIX + key);
}

/**
 * Keep `field`'s text as the draft for `key()` while it is typed (and when the page is hidden
 * or left), restoring it when the field is empty. `key` is a function so a composer whose
 * target changes (replying to another post, another channel) saves under the right name.
 * Returns a function that saves at once (for callers that change the target).
 */
export function bindDraft(field, key) {
  if (!field.value.trim()) field.value = loadDraft(key());
  let timer = null;
  const flush = () => {
    clearTimeout(timer);
    saveDraft(key(), field.value);
  };
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(flush, SAVE_MS);
  });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });
  return flush;
}
