// Reactions on chat messages (chatthreads): the reaction row under each message
// (templates/chat/_message_extras.html) is interactive; `message:reactions` from the room
// updates every row live. Adding one: the row's "add reaction" button, or the message menu's
// "react" action (a `chat:action` event), opens a small picker <dialog>. Only emoji from the
// server's fixed set are shown, and nothing here renders HTML from anyone.
//
// Loaded on first use: chat.js imports this module on the first click on a reaction, the first
// "react" action or the first `message:reactions` event, and calls what it exports. The rows
// are marked for the viewer (own reactions, labels) without it: chat_layout.js decorateReactions.
import { t } from "./i18n.js";
import { decorateReactions } from "./chat_layout.js";
import { call } from "./socket.js";
import { toast } from "./ui.js";

export const EMOJI = ["👍", "❤️", "😂", "🎉", "🙏", "👀", "✅", "😮"]; // forum/models/chat.py REACTION_EMOJI

function reactionButton({ emoji, count, user_ids: userIds }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "chat-reaction";
  button.dataset.emoji = emoji;
  button.dataset.userIds = userIds.join(" ");
  const face = document.createElement("span");
  face.className = "chat-reaction-emoji";
  face.textContent = emoji;
  const number = document.createElement("span");
  number.className = "chat-reaction-count";
  number.textContent = String(count);
  button.append(face, " ", number);
  return button;
}

/** Replace the reaction buttons of a message everywhere it is shown (log and thread panel). */
export function applyReactions({ message_id: messageId, reactions }) {
  for (const row of document.querySelectorAll(`.chat-reactions[data-message-id="${Number(messageId)}"]`)) {
    const focused = document.activeElement?.closest?.(".chat-reaction")?.dataset.emoji;
    const add = row.querySelector(".chat-reaction-add");
    row.replaceChildren(...reactions.map(reactionButton), ...(add ? [add] : []));
    decorateReactions(row);
    // Keyboard users keep their place when their own click re-renders the row.
    if (focused && row.contains(document.activeElement) === false) {
      row.querySelector(`.chat-reaction[data-emoji="${CSS.escape(focused)}"]`)?.focus();
    }
  }
}

/** Set (on) or clear (off) the viewer's emoji on a message; the ack's counts apply at once. */
export async function react(messageId, emoji, on) {
  const ack = await call("reaction:toggle", { message_id: Number(messageId), emoji, on });
  if (!ack?.ok) {
    toast(ack?.error?.message || t("send_failed"), { kind: "error" });
    return;
  }
  applyReactions(ack);
}

/** The emoji picker: a modal dialog of the allowed emoji; resolves the choice or null. */
export function pickEmoji() {
  const dialog = document.createElement("dialog");
  dialog.className = "ui-dialog card chat-emoji-picker";
  dialog.id = "emoji-picker";
  const form = document.createElement("form");
  form.method = "dialog";
  const heading = document.createElement("h2");
  heading.id = "emoji-picker-heading";
  heading.textContent = t("add_reaction");
  dialog.setAttribute("aria-labelledby", heading.id);
  const grid = document.createElement("div");
  grid.className = "chat-emoji-grid";
  for (const emoji of EMOJI) {
    const choice = document.createElement("button");
    choice.type = "submit";
    choice.value = emoji;
    choice.className = "button chat-emoji-choice";
    choice.textContent = emoji;
    grid.append(choice);
  }
  const cancel = document.createElement("button");
  cancel.type = "submit";
  cancel.value = "";
  cancel.className = "button";
  cancel.textContent = t("cancel");
  form.append(heading, grid, cancel);
  dialog.append(form);
  const previous = document.activeElement;
  document.body.append(dialog);
  dialog.showModal();
  grid.firstElementChild.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
      resolve(EMOJI.includes(dialog.returnValue) ? dialog.returnValue : null);
    }, { once: true });
  });
}

/** Pick an emoji and add it to a message. */
export async function addReaction(messageId) {
  const emoji = await pickEmoji();
  if (emoji) await react(messageId, emoji, true);
}

/** A click on a reaction (toggle the viewer's) or on "add reaction" (the picker). */
export function onClick(target) {
  const chip = target.closest(".chat-reaction");
  const add = target.closest(".chat-reaction-add");
  const row = (chip || add)?.closest(".chat-reactions");
  if (!row) return;
  const messageId = row.dataset.messageId;
  if (chip) react(messageId, chip.dataset.emoji, chip.getAttribute("aria-pressed") !== "true");
  else addReaction(messageId);
}
