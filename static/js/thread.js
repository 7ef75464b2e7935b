// Live thread page: joins the thread's room, inserts the server's sanitized HTML for new,
// edited and deleted posts, updates reaction counts, and keeps the reply draft in localStorage.
// The page works without this file; nothing here renders user text itself.
import { formatNumber, localize, t } from "./i18n.js";
import { getSocket } from "./socket.js";

const root = document.getElementById("thread");
const list = document.getElementById("post-list");
const live = document.getElementById("live-status");
const form = document.getElementById("reply-form");
const me = document.body.dataset.userId;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

/** Parse one server-rendered <article> fragment. */
function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
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
  if (document.getElementById(`post-${message.post_id}`)) return; // already shown
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

function replacePost(message) {
  for (const old of document.querySelectorAll(`[data-post-id="${message.post_id}"]`)) {
    const node = fragment(message.html);
    node.id = old.id;
    node.dataset.depth = old.dataset.depth;
    for (const name of [...node.classList]) if (name.startsWith("depth-")) node.classList.remove(name);
    node.classList.add(`depth-${old.dataset.depth}`);
    const replyTo = old.querySelector(".post-reply-to");
    if (replyTo) node.querySelector(".post-header")?.append(replyTo);
    old.replaceWith(node);
  }
}

function updateCounts(message) {
  for (const post of document.querySelectorAll(`[data-post-id="${message.post_id}"]`)) {
    for (const span of post.querySelectorAll("[data-count-for]")) {
      span.textContent = formatNumber(message.counts[span.dataset.countFor] ?? 0);
    }
  }
}

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
    if (root.dataset.page === root.dataset.pages) insertPost(m);
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
  socket.on("reaction:counts", mine(updateCounts));
  // Locked or unlocked by a moderator: the reply box goes or comes back without a reload, so
  // nobody loses a draft (moderators may still reply and keep theirs).
  socket.on("thread:state", mine((state) => {
    const notice = document.getElementById("locked-notice");
    if (notice) notice.hidden = !state.locked;
    const box = document.getElementById("reply");
    if (box && !("canModerate" in root.dataset)) box.hidden = Boolean(state.locked);
  }));
}

function drafts() {
  if (!form) return;
  const key = form.dataset.draftKey;
  const body = form.querySelector("textarea[name=body]");
  const submitted = sessionStorage.getItem(`${key}:submitted`);
  sessionStorage.removeItem(`${key}:submitted`);
  if (submitted && !form.hasAttribute("data-has-errors")) {
    localStorage.removeItem(key); // the reply went through: the draft is done
  } else if (!body.value.trim()) {
    body.value = localStorage.getItem(key) ?? "";
  }
  body.addEventListener("input", () => {
    if (body.value.trim()) localStorage.setItem(key, body.value);
    else localStorage.removeItem(key);
  });
  form.addEventListener("submit", () => sessionStorage.setItem(`${key}:submitted`, "1"));

  // "Reply" on a post sets the parent without a page load.
  const parentInput = form.querySelector("input[name=parent_id]");
  const replying = document.getElementById("replying-to");
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-reply-to]");
    if (!link) return;
    event.preventDefault();
    parentInput.value = link.dataset.replyTo;
    replying.hidden = false;
    body.focus();
  });
  document.getElementById("cancel-reply-to")?.addEventListener("click", () => {
    parentInput.value = "";
    replying.hidden = true;
  });
}

if (root && list) {
  drafts();
  connect();
}
