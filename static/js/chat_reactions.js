// Reactions on chat messages (chatthreads): the reaction row under each message
// (templates/chat/_message_extras.html) becomes interactive, the viewer's own reactions are
// marked (aria-pressed, from the shared data-user-ids), and `message:reactions` from the room
// updates every row live. Adding one: the row's "add reaction" button, or the message menu's
// "react" action (a `chat:action` event), opens a small picker <dialog>. Only emoji from the
// server's fixed set are shown, and nothing here renders HTML from anyone.
import { t } from "./i18n.js";
import { call, getSocket } from "./socket.js";
import { toast } from "./ui.js";

export const EMOJI = ["👍", "❤️", "😂", "🎉", "🙏", "👀", "✅", "😮"]; // forum/models/chat.py REACTION_EMOJI
const me = document.body.dataset.userId;

/** Announce a feature to the message action menu (chat.js shows the items we handle). */
export function addChatFeatures(...names) {
  const features = new Set((document.body.dataset.chatFeatures || "").split(" ").filter(Boolean));
  for (const name of names) features.add(name);
  document.body.dataset.chatFeatures = [...features].join(" ");
}

function label(button) {
  const count = button.querySelector(".chat-reaction-count")?.textContent ?? "";
  const emoji = button.dataset.emoji;
  const mine = button.getAttribute("aria-pressed") === "true";
  return t(mine ? "reaction_mine" : "reaction_label", { emoji, count });
}

/** Mark the viewer's own reactions and label the buttons, in a row or a whole subtree. */
export function decorateReactions(root = document) {
  const rows = root.matches?.(".chat-reactions") ? [root] : root.querySelectorAll?.(".chat-reactions") ?? [];
  for (const row of rows) {
    for (const button of row.querySelectorAll(".chat-reaction")) {
      const ids = (button.dataset.userIds || "").split(" ");
      button.setAttribute("aria-pressed", String(ids.includes(me)));
      button.setAttribute("aria-label", label(button));
    }
    const add = row.querySelector(".chat-reaction-add");
    if (add) {
      add.hidden = false;
      add.setAttribute("aria-label", t("add_reaction"));
    }
  }
}

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

async function addReaction(messageId) {
  const emoji = await pickEmoji();
  if (emoji) await react(messageId, emoji, true);
}

function onClick(event) {
  const chip = event.target.closest(".chat-reaction");
  const add = event.target.closest(".chat-reaction-add");
  const row = (chip || add)?.closest(".chat-reactions");
  if (!row) return;
  const messageId = row.dataset.messageId;
  if (chip) react(messageId, chip.dataset.emoji, chip.getAttribute("aria-pressed") !== "true");
  else addReaction(messageId);
}

if (document.getElementById("message-log")) {
  addChatFeatures("react");
  decorateReactions(document);
  // Messages arrive live (chat.js inserts the server's fragments): mark those too.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) decorateReactions(node);
      }
    }
  }).observe(document.getElementById("chat") ?? document.body, { childList: true, subtree: true });
  document.addEventListener("click", onClick);
  document.addEventListener("chat:action", (event) => {
    if (event.detail?.action === "react") addReaction(event.detail.messageId);
  });
  getSocket().on("message:reactions", applyReactions);
}
