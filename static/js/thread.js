// Live thread page. Joins the thread's room and inserts the server's sanitized HTML for new,
// edited and deleted posts; sends the page's action forms (reactions, watch/mute, accept,
// bookmark, flag) and the reply form with fetch() so nothing reloads, keeping keyboard focus
// on the button pressed; keeps reply drafts (static/js/drafts.js) until the server confirmed.
// The page works without this file (every action is a plain form); nothing here renders user
// text itself: user text arrives as the server's HTML or is set with textContent.
import { csrfToken } from "./base.js";
import { bindDraft, clearDraft, loadDraft, saveDraft } from "./drafts.js";
import { formatNumber, localize, t } from "./i18n.js";
import { getSocket } from "./socket.js";
import { toast } from "./ui.js";

const root = document.getElementById("thread");
const list = document.getElementById("post-list");
const live = document.getElementById("live-status");
const form = document.getElementById("reply-form");
const me = document.body.dataset.userId;
const csrf = csrfToken();

// --------------------------------------------------------------------------- fragments

/** Parse one server-rendered fragment (a post or the accepted-answer summary). */
function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim(); // the server's sanitized HTML, never user text from here
  const node = localize(template.content.firstElementChild); // this viewer's language
  // Live fragments are shared by every viewer: give their forms this page's CSRF token and
  // reveal owner actions only to the owner.
  for (const input of node.querySelectorAll('input[name="csrf_token"]')) input.value = csrf;
  for (const owner of node.querySelectorAll("[data-owner-id]")) {
    owner.hidden = owner.dataset.ownerId !== me;
  }
  // Whether this viewer may accept answers is known to the page, not to the shared fragment.
  for (const accept of node.querySelectorAll(".accept-action")) {
    accept.hidden = !root.hasAttribute("data-can-accept");
  }
  return node;
}

/** Insert a new reply after its parent's last descendant (same page), else at the end. */
function insertPost(message) {
  const known = document.getElementById(`post-${message.post_id}`);
  if (known) return known; // already shown (the socket and the reply's answer both bring it)
  const node = fragment(message.html);
  const parent = message.parent_id && document.getElementById(`post-${message.parent_id}`);
  if (parent && parent.parentElement === list) {
    const depth = Number(parent.dataset.depth);
    let last = parent;
    while (last.nextElementSibling && Number(last.nextElementSibling.dataset.depth) > depth) {
      last = last.nextElementSibling;
    }
    last.after(node);
  } else {
    list.append(node);
  }
  document.getElementById("no-replies")?.remove();
  return node;
}

function announceReply(node) {
  const name = node.querySelector(".post-author")?.textContent.trim() ?? "";
  live.textContent = t("new_reply", { name });
}

function lastPostId() {
  let max = 0;
  for (const post of document.querySelectorAll("[data-post-id]")) {
    max = Math.max(max, Number(post.dataset.postId));
  }
  return max;
}

/** The element of `node` that plays the part `button` played in the old post. */
function twin(node, button) {
  const { kind, choice, action } = button.dataset;
  if (kind) return node.querySelector(`[data-kind="${kind}"]`);
  if (choice) return node.querySelector(`[data-choice="${choice}"]`);
  if (action) return node.querySelector(`[data-action="${action}"]`);
  return null;
}

function replacePost(message) {
  for (const old of document.querySelectorAll(`[data-post-id="${message.post_id}"]`)) {
    const node = fragment(message.html);
    node.id = old.id;
    node.dataset.depth = old.dataset.depth;
    for (const name of [...node.classList]) if (name.startsWith("depth-")) node.classList.remove(name);
    node.classList.add(`depth-${old.dataset.depth}`);
    const replyTo = old.querySelector(".post-reply-to");
    if (replyTo) node.querySelector(".post-header")?.append(replyTo);
    // The shared fragment knows nothing of this reader: keep their pressed reactions, their
    // bookmark and who reacted from the post it replaces, and keyboard focus where it was.
    for (const button of old.querySelectorAll("button[aria-pressed]")) {
      const same = twin(node, button);
      if (!same) continue;
      same.setAttribute("aria-pressed", button.getAttribute("aria-pressed"));
      if (button.name === "bookmark") same.value = button.value;
      if (button.title) same.title = button.title;
    }
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    old.replaceWith(node);
    if (focused) (twin(node, focused) ?? node).focus();
  }
}

// --------------------------------------------------------------------------- page state

/** "Amina, Bilal +3": who reacted (names are text: set as the title attribute). */
function whoLabel(names, total) {
  if (!names?.length) return "";
  const rest = total - names.length;
  return names.join(", ") + (rest > 0 ? ` +${formatNumber(rest)}` : "");
}

/** Show a post's reaction counts (and, when given, who reacted and which are the reader's). */
function applyReactions(postId, counts, names, mine) {
  for (const post of document.querySelectorAll(`article[data-post-id="${postId}"]`)) {
    for (const chip of post.querySelectorAll("button.reaction[data-kind]")) {
      const kind = chip.dataset.kind;
      const n = counts?.[kind] ?? 0;
      const count = chip.querySelector("[data-count-for]");
      if (count) count.textContent = formatNumber(n);
      if (mine) chip.setAttribute("aria-pressed", String(mine.includes(kind)));
      if (names) {
        const who = whoLabel(names[kind], n);
        if (who) chip.title = who;
        else chip.removeAttribute("title");
      }
      // Emoji reactions show once used; a focused one stays until focus leaves it.
      if (chip.querySelector(".visually-hidden[data-i18n]")) {
        chip.hidden = n === 0 && chip !== document.activeElement;
      }
    }
    if (mine) {
      for (const choice of post.querySelectorAll("button[data-choice]")) {
        choice.setAttribute("aria-pressed", String(mine.includes(choice.dataset.choice)));
      }
    }
  }
}

/** Mark the accepted answer everywhere on the page and show its summary under the question. */
function applyAccepted({ post_id: acceptedId, html }) {
  for (const article of document.querySelectorAll("article[data-post-id]")) {
    const accepted = Number(article.dataset.postId) === acceptedId;
    article.classList.toggle("is-accepted", accepted);
    const header = article.querySelector(".post-header");
    const badge = header?.querySelector(".badge-answered");
    if (accepted && header && !badge) {
      const label = document.createElement("span");
      label.className = "badge badge-answered";
      label.dataset.i18n = "accepted_answer";
      label.textContent = t("accepted_answer");
      (header.querySelector(".badge-mentor") ?? header.querySelector(".post-author")).after(label);
    } else if (!accepted && badge) {
      badge.remove();
    }
    const button = article.querySelector(".accept-action button[name=accept]");
    if (button) {
      button.value = accepted ? "0" : "1";
      button.dataset.i18n = accepted ? "unaccept_answer" : "accept_answer";
      button.textContent = t(button.dataset.i18n);
    }
  }
  const slot = document.getElementById("accepted-slot");
  if (!slot) return;
  slot.replaceChildren();
  if (!html) return;
  const summary = fragment(html);
  const jump = summary.querySelector("[data-jump-to]");
  if (jump && document.getElementById(`post-${acceptedId}`)) jump.href = `#post-${acceptedId}`;
  slot.append(summary);
}

// --------------------------------------------------------------------------- sending forms

class ActionError extends Error {
  constructor(message, status = 0, fields = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

/**
 * Send `formElement` (as its `submitter` would) with fetch, asking for JSON. Resolves the
 * server's answer, or throws an ActionError saying what happened and what to do (`messages`
 * gives the reply form its own wording, which promises the text is kept).
 */
async function send(formElement, submitter, messages = {}) {
  const body = submitter ? new FormData(formElement, submitter) : new FormData(formElement);
  let response;
  try {
    response = await fetch(formElement.action, {
      method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    });
  } catch {
    throw new ActionError(messages.offline ?? t("action_offline"));
  }
  const isJson = (response.headers.get("Content-Type") ?? "").includes("application/json");
  const answer = isJson ? await response.json().catch(() => null) : null;
  if (response.ok && answer) return answer;
  // A page instead of JSON: the login page after the session ended.
  if (response.ok || response.status === 401) {
    throw new ActionError(messages.session ?? t("action_session"), 401);
  }
  const problem = answer?.error ?? {};
  if (response.status === 429) {
    throw new ActionError(problem.message ?? messages.limited ?? t("action_rate_limited"), 429);
  }
  if (response.status >= 500 || !problem.message) {
    throw new ActionError(messages.server ?? t("action_server"), response.status);
  }
  throw new ActionError(problem.message, response.status, problem.fields ?? {});
}

// What each action form does with the server's answer. None replaces the pressed button, so
// keyboard focus stays on it.
const APPLY = {
  react(_form, _button, answer) {
    applyReactions(answer.post_id, answer.counts, answer.names, answer.mine);
  },
  watch(formElement, _button, answer) {
    for (const button of formElement.querySelectorAll("button[data-level]")) {
      const on = answer.level === button.dataset.level;
      button.setAttribute("aria-pressed", String(on));
      button.value = on ? "" : button.dataset.level; // pressing it again goes back to default
    }
    toast(answer.message, { kind: "success" });
  },
  accept(_form, _button, answer) {
    applyAccepted(answer);
    toast(answer.message, { kind: "success" });
  },
  bookmark(_form, button, answer) {
    for (const same of document.querySelectorAll(
      `article[data-post-id="${answer.post_id}"] button[name=bookmark]`)) {
      same.setAttribute("aria-pressed", String(answer.bookmarked));
      same.value = answer.bookmarked ? "0" : "1";
    }
    button?.setAttribute("aria-pressed", String(answer.bookmarked));
    toast(answer.message, { kind: "success" });
  },
};

document.addEventListener("submit", async (event) => {
  const formElement = event.target;
  const action = formElement.dataset?.liveForm;
  if (!root || !action || !APPLY[action] || !root.contains(formElement)) return;
  event.preventDefault(); // never a page load while this script runs
  if (formElement.dataset.busy) return; // a double click: the first one is on its way
  formElement.dataset.busy = "1";
  const button = event.submitter;
  try {
    APPLY[action](formElement, button, await send(formElement, button));
  } catch (error) {
    toast(error.message, { kind: "error" });
  } finally {
    delete formElement.dataset.busy;
  }
});

// --------------------------------------------------------------------------- flag dialog

/** Flag a post or the thread in an in-page dialog; focus comes back to the Report link. */
function openFlagDialog(link) {
  const template = document.getElementById("flag-form-template");
  if (!template) return false;
  const dialog = document.createElement("dialog");
  dialog.className = "ui-dialog card flag-dialog";
  const heading = document.createElement("h2");
  heading.id = "flag-dialog-title";
  heading.textContent = t("flag_title");
  dialog.setAttribute("aria-labelledby", heading.id);
  const flagForm = template.content.firstElementChild.cloneNode(true);
  flagForm.action = link.href;
  const status = flagForm.querySelector(".flag-status");
  const actions = document.createElement("div");
  actions.className = "ui-dialog-actions";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button";
  cancel.textContent = t("cancel");
  cancel.addEventListener("click", () => dialog.close());
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.className = "button primary";
  submit.textContent = t("flag_send");
  actions.append(cancel, submit);
  flagForm.append(actions);
  dialog.append(heading, flagForm);
  flagForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (flagForm.dataset.busy) return;
    flagForm.dataset.busy = "1";
    try {
      const answer = await send(flagForm, submit);
      dialog.close();
      toast(answer.message, { kind: "success" });
    } catch (error) {
      if (error.status === 409) { // already flagged: nothing more to do
        dialog.close();
        toast(error.message, { kind: "info" });
        return;
      }
      status.textContent = Object.values(error.fields).join(" ") || error.message;
      status.hidden = false;
      toast(error.message, { kind: "error" });
    } finally {
      delete flagForm.dataset.busy;
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    link.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  flagForm.querySelector("input[type=radio]")?.focus();
  return true;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[data-flag]");
  if (!link || !root?.contains(link)) return;
  if (openFlagDialog(link)) event.preventDefault();
});

// --------------------------------------------------------------------------- reply in place

function replyBox() {
  if (!form) return;
  const threadId = root.dataset.threadId;
  const body = form.querySelector("textarea[name=body]");
  const parentInput = form.querySelector("input[name=parent_id]");
  const replying = document.getElementById("replying-to");
  const status = document.getElementById("reply-status");
  const targetKey = `thread:${threadId}:target`; // the reply target being written, if any
  // One draft per thread and per reply target.
  const draftKey = () => (parentInput.value
    ? `thread:${threadId}:reply:${parentInput.value}` : `thread:${threadId}`);

  // Back on the page after a reload with a reply to a post half written: pick it up again.
  const remembered = loadDraft(targetKey);
  if (!parentInput.value && !body.value.trim() && !loadDraft(draftKey()) && remembered
      && document.getElementById(`post-${remembered}`)
      && loadDraft(`thread:${threadId}:reply:${remembered}`)) {
    parentInput.value = remembered;
  }
  replying.hidden = !parentInput.value;
  const flush = bindDraft(body, draftKey);

  /** Reply to a post (or to the thread with null); the text in the box is never dropped. */
  function setTarget(postId) {
    const oldKey = draftKey();
    const text = body.value;
    flush();
    parentInput.value = postId ?? "";
    saveDraft(targetKey, parentInput.value);
    const waiting = loadDraft(draftKey());
    if (waiting && oldKey !== draftKey()) {
      body.value = waiting; // that target's own draft; this one stays saved under its target
    } else if (text.trim() && oldKey !== draftKey()) {
      clearDraft(oldKey); // the text moves with the box to its new target
      saveDraft(draftKey(), text);
    }
    replying.hidden = !parentInput.value;
  }

  function showStatus(message) {
    status.textContent = message;
    status.hidden = !message;
  }

  // "Reply" on a post sets the target without a page load.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-reply-to]");
    if (!link) return;
    event.preventDefault();
    setTarget(link.dataset.replyTo);
    body.focus();
  });
  document.getElementById("cancel-reply-to")?.addEventListener("click", () => {
    setTarget(null);
    body.focus();
  });
  // Ctrl+Enter (Cmd+Enter on a Mac) posts; the hint shows only where it works.
  form.querySelector(".reply-shortcut")?.removeAttribute("hidden");
  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault(); // never a plain form post while this script runs
    if (sending) return;
    if (!body.value.trim()) {
      showStatus(t("reply_empty"));
      body.focus();
      return;
    }
    sending = true;
    form.setAttribute("aria-busy", "true");
    showStatus("");
    const key = draftKey();
    saveDraft(key, body.value); // kept, whatever happens to the request
    try {
      const answer = await send(form, null, {
        offline: t("reply_offline"), server: t("reply_server_error"),
        limited: t("reply_rate_limited"), session: t("reply_session"),
      });
      clearDraft(key); // the server has it now
      body.value = "";
      body.dispatchEvent(new Event("input", { bubbles: true })); // composers refresh
      parentInput.value = "";
      saveDraft(targetKey, "");
      replying.hidden = true;
      if (root.dataset.page !== root.dataset.pages) {
        // Replies are on the last page: go there (the text is safe on the server).
        window.location.assign(`/p/${answer.post_id}`);
        return;
      }
      const node = insertPost(answer);
      node.tabIndex = -1;
      node.focus(); // the reader's new post, where it belongs
      toast(answer.message, { kind: answer.held ? "info" : "success" });
    } catch (error) {
      // The text stays in the box and in the draft; say what happened and what to do.
      const field = error.fields?.body;
      showStatus(field && field !== error.message ? `${error.message} ${field}` : error.message);
      toast(error.message, { kind: "error" });
    } finally {
      sending = false;
      form.removeAttribute("aria-busy");
    }
  });
}

// --------------------------------------------------------------------------- live updates

function connect() {
  const threadId = Number(root.dataset.threadId);
  const socket = getSocket();
  let joinedBefore = false;
  let lost = false; // access:lost received: never re-join from this page
  const join = () => !lost && socket.emit("thread:join", { thread_id: threadId }, (ack) => {
    if (!ack || !ack.ok) {
      console.warn("thread:join refused", ack?.error);
      return;
    }
    root.dataset.live = "on"; // live updates flowing (tests wait for this)
    // After a dropped connection, fetch what was posted meanwhile (de-duplicated by id).
    if (joinedBefore && root.dataset.page === root.dataset.pages) {
      socket.emit("thread:since", { thread_id: threadId, after_id: lastPostId() }, (reply) => {
        if (reply && reply.ok) reply.posts.forEach(insertPost);
      });
    }
    joinedBefore = true;
  });
  socket.on("disconnect", () => { root.dataset.live = "off"; });
  socket.on("connect", join);
  if (socket.connected) join();
  const mine = (handler) => (message) => {
    if (message && message.thread_id === threadId) handler(message);
  };
  // New replies appear live on the last page only; earlier pages keep their stable order.
  socket.on("post:new", mine((m) => {
    if (root.dataset.page !== root.dataset.pages || document.getElementById(`post-${m.post_id}`)) return;
    announceReply(insertPost(m));
  }));
  socket.on("post:edited", mine(replacePost));
  socket.on("post:deleted", mine(replacePost));
  socket.on("post:hidden", mine(replacePost));
  socket.on("post:restored", mine(replacePost));
  // Moved, hidden or deleted by a moderator: reload, so access is checked again (a page the
  // reader may no longer see answers 404 instead of leaking further updates).
  socket.on("thread:moved", mine(() => window.location.reload()));
  socket.on("thread:removed", mine(() => window.location.reload()));
  // Access lost (removed from the cohort, the thread moved out of reach...): the server has
  // already taken this socket out of the room. Say so politely where the person reads; the
  // reply box goes (its draft stays in storage) and the page stops re-joining.
  socket.on("access:lost", mine(() => {
    lost = true;
    root.dataset.live = "lost";
    const notice = document.getElementById("access-lost") ?? document.createElement("p");
    notice.id = "access-lost";
    notice.className = "flash flash-warning";
    notice.setAttribute("role", "status");
    notice.textContent = t("access_lost");
    root.prepend(notice);
    const box = document.getElementById("reply");
    if (box) box.hidden = true;
  }));
  socket.on("reaction:counts", mine((m) => applyReactions(m.post_id, m.counts, m.names)));
  socket.on("thread:accepted", mine(applyAccepted));
  // Locked or unlocked by a moderator: the reply box goes or comes back without a reload, so
  // nobody loses a draft (moderators may still reply and keep theirs).
  socket.on("thread:state", mine((state) => {
    const notice = document.getElementById("locked-notice");
    if (notice) notice.hidden = !state.locked;
    const box = document.getElementById("reply");
    if (box && !("canModerate" in root.dataset)) box.hidden = Boolean(state.locked);
  }));
}

if (root && list) {
  replyBox();
  connect();
}
