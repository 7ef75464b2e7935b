"""Use cases of threaded discussions: threads, replies, edits, reactions, answers, read state.

Every writer takes the acting user first and follows one shape: access check → validate →
sanitize → write → one commit → broadcast to the thread room (server-rendered HTML).
Readers return small view objects so pages issue a fixed number of queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.lib.cursors import decode_cursor, encode_cursor
from forum.lib.fragments import render_fragment
from forum.lib.realtime import broadcast, thread_room
from forum.lib.text import clean_text, render_post
from forum.lib.upsert import insert_for
from forum.models import (
    Category,
    CohortMembership,
    CohortRole,
    Post,
    PostRevision,
    Reaction,
    Thread,
    ThreadRead,
    ThreadTag,
    ThreadWatch,
    User,
    WatchLevel,
    utcnow,
)
from forum.services import access, bookmarks, notifications, reactions, thread_lists, uploads
from forum.services.accounts import existing_usernames
from forum.services.moderation import automod
from forum.services.thread_lists import ListRow

PAGE_SIZE = 50  # posts per thread page
THREADS_PER_PAGE = 30
MAX_NESTING = 4  # deeper replies are shown flat with "in reply to @x"
MAX_TAGS = 5
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
SORTS = ("latest", "newest", "unanswered")
REACTION_KINDS = reactions.KINDS


# --------------------------------------------------------------------------- helpers


def render_body(source: str) -> str:
    """Validate the length of a Markdown body and return its sanitized HTML."""
    source = clean_text(source)
    limit = current_app.config["POST_MAX_LENGTH"]
    if not source:
        raise Invalid(_("Write something first."), fields={"body": _("This field is required.")})
    if len(source) > limit:
        message = _("At most %(n)d characters.", n=limit)
        raise Invalid(message, fields={"body": message})
    return render_post(source, resolve_mentions=existing_usernames).html


def parse_tags(raw: str | list[str] | None) -> list[str]:
    """Lower-cased, de-duplicated tags from "a, b c" text; Invalid when malformed or too many."""
    if raw is None:
        return []
    parts = raw if isinstance(raw, list) else re.split(r"[,\s]+", raw)
    tags: list[str] = []
    for part in parts:
        tag = part.strip().lstrip("#").lower()
        if not tag or tag in tags:
            continue
        if not TAG_RE.match(tag):
            message = _("Tags use letters, digits and dashes (at most 40 characters).")
            raise Invalid(message, fields={"tags": message})
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        message = _("At most %(n)d tags.", n=MAX_TAGS)
        raise Invalid(message, fields={"tags": message})
    return tags


def render_post_fragment(post: Post, thread: Thread, *, is_mentor: bool = False,
                         counts: dict[str, int] | None = None) -> str:
    """The viewer-neutral HTML of one post, as live updates insert it."""
    return render_fragment(
        "discussions/_post.html", post=post, thread=thread, category=thread.category,
        mentors={post.author_id} if is_mentor else set(), counts={post.id: counts or {}},
        mine=set(), viewer=None, display_depth=min(post.depth, MAX_NESTING),
        reply_to=None, live=True, reaction_choices=reactions.CHOICES,
        who_label=reactions.who_label,
    )


def render_accepted_fragment(post: Post | None, *, is_mentor: bool = False) -> str:
    """The viewer-neutral "accepted answer" summary shown under the question ("" for none)."""
    if post is None or post.is_removed:
        return ""
    return render_fragment("discussions/_accepted.html", post=post, is_mentor=is_mentor,
                           live=True)


def _accepted_payload(thread_id: int) -> dict:
    """`thread:accepted`: the accepted post's id and its summary fragment (None and "")."""
    thread = db.session.get(Thread, thread_id)
    post = _load_post(thread.accepted_post_id) if thread.accepted_post_id else None
    html = render_accepted_fragment(post, is_mentor=post is not None and _author_is_mentor(
        post, post.thread.category))
    return {"thread_id": thread_id, "post_id": post.id if post is not None else None,
            "html": html}


def accepted_answer(user: User, thread_id: int) -> dict:
    """A readable thread's accepted answer as `thread:accepted` carries it."""
    return _accepted_payload(access.access_thread(user, thread_id).id)


def post_fragment(user: User, post_id: int) -> dict:
    """One readable post as `post:new` carries it (the answer to a reply posted in place)."""
    post = access.access_post(user, post_id)
    return {"thread_id": post.thread_id, "post_id": post.id, "parent_id": post.parent_id,
            "depth": post.depth, "held": post.hidden_at is not None,
            "html": render_post_fragment(
                post, post.thread, is_mentor=_author_is_mentor(post, post.thread.category),
                counts=_reaction_counts([post.id])[post.id])}


def _load_post(post_id: int) -> Post:
    """A post with what its fragment needs (thread, category, author)."""
    return db.session.scalar(
        select(Post).where(Post.id == post_id).options(
            joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author))
    )


def _author_is_mentor(post: Post, category: Category) -> bool:
    if post.author is None:
        return False
    return post.author_id in _mentor_author_ids(category, {post.author_id},
                                                {post.author_id: post.author})


def _reaction_counts(post_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {pid: {} for pid in post_ids}
    if not post_ids:
        return counts
    rows = db.session.execute(
        select(Reaction.post_id, Reaction.kind, func.count())
        .where(Reaction.post_id.in_(post_ids))
        .group_by(Reaction.post_id, Reaction.kind)
    ).all()
    for post_id, kind, n in rows:
        counts[post_id][kind] = n
    return counts


def refresh_thread_counters(thread: Thread) -> None:
    """Recompute reply count and last activity from the live posts (after a delete)."""
    replies = db.session.scalar(
        select(func.count()).select_from(Post).where(
            Post.thread_id == thread.id, Post.deleted_at.is_(None), Post.id != thread.first_post_id)
    )
    last = db.session.execute(
        select(Post.id, Post.created_at).where(Post.thread_id == thread.id,
                                               Post.deleted_at.is_(None))
        .order_by(Post.id.desc()).limit(1)
    ).first()
    thread.reply_count = replies or 0
    if last is not None:
        thread.last_post_id, thread.last_activity_at = last.id, last.created_at
    else:
        thread.last_post_id, thread.last_activity_at = thread.first_post_id, thread.created_at


def _commit_keeping_loaded() -> None:
    """Commit a side write (the read marker) without expiring the page's loaded objects.

    Expiring them would reload every post one by one while the template renders (N+1); the
    write touched none of them, so what is loaded is still current.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _set_read(user: User, thread_id: int, post_id: int) -> None:
    """Move the user's read marker forward (never back) in ONE upsert; the caller commits.

    INSERT … ON CONFLICT DO UPDATE … WHERE: no read-then-write round trip on every thread view,
    and two tabs racing cannot move the marker backwards or collide on the unique row.
    """
    connection = db.session.connection()
    table = ThreadRead.__table__
    insert = insert_for(connection.dialect.name, table)
    now = utcnow()
    connection.execute(
        insert.values(user_id=user.id, thread_id=thread_id, last_read_post_id=post_id,
                      updated_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.thread_id],
            set_={"last_read_post_id": insert.excluded.last_read_post_id,
                  "updated_at": insert.excluded.updated_at},
            where=table.c.last_read_post_id < insert.excluded.last_read_post_id))


# --------------------------------------------------------------------------- writers


def create_thread(user: User, category_id: int, title: str, body: str,
                  tags: str | list[str] | None = None) -> Thread:
    """Start a thread with its first post; the author watches it."""
    category = access.writable_category(user, category_id)
    title = clean_text(title)
    errors: dict[str, str] = {}
    if not 3 <= len(title) <= 200:
        errors["title"] = _("Use 3 to 200 characters.")
    try:
        html = render_body(body)
    except Invalid as error:
        errors.update(error.fields)
        html = ""
    try:
        tag_list = parse_tags(tags)
    except Invalid as error:
        errors.update(error.fields)
        tag_list = []
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    held = automod.screen(title, "title") or automod.screen(body)
    automod.check_new_member_rate(user, "post")
    now = utcnow()
    thread = Thread(category_id=category.id, author_id=user.id, title=title, created_at=now,
                    last_activity_at=now, post_count=1)
    thread.tags = [ThreadTag(tag=tag) for tag in tag_list]
    db.session.add(thread)
    db.session.flush()
    post = Post(thread_id=thread.id, author_id=user.id, body_source=clean_text(body),
                body_html=html, created_at=now)
    db.session.add(post)
    db.session.flush()
    uploads.attach_to_post(post)
    thread.first_post_id = thread.last_post_id = post.id
    if held:
        automod.hold_new("thread", thread, category.cohort_id, held)
    db.session.add(ThreadWatch(user_id=user.id, thread_id=thread.id))
    db.session.add(ThreadRead(user_id=user.id, thread_id=thread.id, last_read_post_id=post.id))
    pending = None if held else notifications.notify_new_thread(user, thread, category, post)
    db.session.commit()
    notifications.deliver(pending)
    return thread


def reply(user: User, thread_id: int, body: str, parent_id: int | None = None) -> Post:
    """Reply to a thread, or to one of its posts (a tree); broadcast `post:new`."""
    thread = access.writable_thread(user, thread_id)
    category = thread.category
    if not access.can_moderate_cohort(user, category.cohort_id):
        if thread.is_locked:
            raise Forbidden(_("This thread is locked."), code="locked")
        if thread.hidden_at is not None:
            # Its author may still read it, but a reply nobody else can see helps no one.
            raise Forbidden(_("This thread is hidden by a moderator and takes no replies."),
                            code="hidden")
    parent = None
    if parent_id is not None and parent_id != thread.first_post_id:
        parent = db.session.scalar(select(Post).where(Post.id == parent_id,
                                                      Post.thread_id == thread.id))
        if parent is None:
            raise Invalid(_("The post you replied to is gone."),
                          fields={"parent_id": _("Unknown post.")})
    html = render_body(body)
    held = automod.screen(body)
    automod.check_new_member_rate(user, "post")
    now = utcnow()
    post = Post(thread_id=thread.id, author_id=user.id, body_source=clean_text(body),
                body_html=html,
                parent_id=parent.id if parent else None,
                depth=parent.depth + 1 if parent else 0, created_at=now)
    db.session.add(post)
    db.session.flush()
    uploads.attach_to_post(post)
    # In SQL: two replies committed at once must both count (a Python += loses one).
    thread.reply_count = Thread.reply_count + 1
    thread.post_count = Thread.post_count + 1
    thread.last_activity_at = now
    thread.last_post_id = post.id
    _set_read(user, thread.id, post.id)
    if held:
        # Held for review: nobody else hears of it until a moderator restores it.
        automod.hold_new("post", post, category.cohort_id, held)
        db.session.commit()
        return post
    pending = notifications.notify_reply(user, thread, post, parent)
    db.session.commit()
    notifications.deliver(pending)
    post = _load_post(post.id)
    broadcast("post:new", {
        "thread_id": thread.id, "post_id": post.id, "parent_id": post.parent_id,
        "depth": post.depth,
        "html": render_post_fragment(post, post.thread,
                                     is_mentor=_author_is_mentor(post, post.thread.category)),
    }, thread_room(thread.id))
    return post


def edit_post(user: User, post_id: int, body: str) -> Post:
    """Change one's own post; the old text is kept as a revision; broadcast `post:edited`."""
    post = access.writable_post(user, post_id)
    if not access.can_edit_post(user, post):
        raise Forbidden()
    html = render_body(body)
    body = clean_text(body)
    if body == post.body_source:
        return post
    held = automod.screen(body)
    if held and post.hidden_at is None:
        automod.hold_new("post", post, post.thread.category.cohort_id, held)
    db.session.add(PostRevision(post_id=post.id, editor_id=user.id, body_source=post.body_source,
                                body_html=post.body_html))
    previous_html = post.body_html
    post.body_source, post.body_html, post.edited_at = body, html, utcnow()
    uploads.attach_to_post(post)
    pending = notifications.notify_post_edit(user, post, previous_html)
    db.session.commit()
    notifications.deliver(pending)
    post = _load_post(post.id)
    counts = _reaction_counts([post.id])[post.id]
    broadcast("post:edited", {
        "thread_id": post.thread_id, "post_id": post.id,
        "html": render_post_fragment(post, post.thread, counts=counts,
                                     is_mentor=_author_is_mentor(post, post.thread.category)),
    }, thread_room(post.thread_id))
    return post


def delete_post(user: User, post_id: int) -> Post:
    """Soft-delete one's own reply: a placeholder stays so its replies keep their context."""
    access.require_active(user)
    post = access.access_post(user, post_id)
    if not access.can_edit_post(user, post):
        raise Forbidden()
    thread = post.thread
    if post.id == thread.first_post_id:
        raise Forbidden(_("The opening post of a thread cannot be deleted."), code="first_post")
    post.deleted_at = utcnow()
    notifications.set_excerpts("post", post.id, "")  # its words leave notifications too
    if thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
    db.session.flush()
    refresh_thread_counters(thread)
    db.session.commit()
    post = _load_post(post.id)
    broadcast("post:deleted", {
        "thread_id": post.thread_id, "post_id": post.id,
        "html": render_post_fragment(post, post.thread),
    }, thread_room(post.thread_id))
    return post


def react(user: User, post_id: int, kind: str, on: bool = True) -> dict[str, int]:
    """Add (or with on=False remove) a reaction; broadcast the new counts of that post."""
    post = access.writable_post(user, post_id)
    if kind not in REACTION_KINDS:
        raise Invalid(_("Unknown reaction."), fields={"kind": _("Unknown reaction.")})
    if post.deleted_at is not None:
        raise Invalid(_("This post was deleted."))
    if post.hidden_at is not None:
        raise Invalid(_("This post is hidden by a moderator."))
    existing = db.session.scalar(select(Reaction).where(
        Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind))
    if on and existing is None:
        db.session.add(Reaction(post_id=post.id, user_id=user.id, kind=kind))
    elif not on and existing is not None:
        db.session.delete(existing)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a double click raced us: the reaction already exists
    counts = _reaction_counts([post.id])[post.id]
    # Who reacted goes with the counts: every reader's "who reacted" list stays current.
    broadcast("reaction:counts", {"thread_id": post.thread_id, "post_id": post.id,
                                  "counts": counts,
                                  "names": reactions.reactor_names([post.id])[post.id]},
              thread_room(post.thread_id))
    return counts


def toggle_reaction(user: User, post_id: int, kind: str) -> dict[str, int]:
    """Add the reaction if the user has not given it yet, remove it otherwise."""
    given = db.session.scalar(select(Reaction.id).where(
        Reaction.post_id == post_id, Reaction.user_id == user.id, Reaction.kind == kind))
    return react(user, post_id, kind, on=given is None)


def accept_answer(user: User, post_id: int, accept: bool = True) -> Thread:
    """Mark a reply as the accepted answer (or clear it); Q&A and ask-a-mentor threads only."""
    post = access.writable_post(user, post_id)
    thread = post.thread
    access.require_can_accept(user, thread)
    if post.id == thread.first_post_id or post.deleted_at is not None:
        raise Invalid(_("Only a reply can be the accepted answer."))
    thread.accepted_post_id = post.id if accept else None
    pending = notifications.notify_accepted(user, thread, post) if accept else None
    db.session.commit()
    notifications.deliver(pending)
    broadcast("thread:accepted", _accepted_payload(thread.id), thread_room(thread.id))
    return thread


def mark_read(user: User, thread_id: int, post_id: int) -> None:
    """Remember that the user has read the thread up to this post."""
    access.access_thread(user, thread_id)
    _set_read(user, thread_id, post_id)
    db.session.commit()


def set_watch(user: User, thread_id: int, level: str | None) -> str | None:
    """Watch or mute a thread; None goes back to the default (not watching)."""
    access.require_login(user)
    thread = access.access_thread(user, thread_id)
    if level is not None and level not in (WatchLevel.WATCH.value, WatchLevel.MUTE.value):
        raise Invalid(_("Unknown choice."))
    row = db.session.scalar(select(ThreadWatch).where(
        ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread.id))
    if level is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(ThreadWatch(user_id=user.id, thread_id=thread.id, level=level))
    else:
        row.level = level
    db.session.commit()
    return level


def posts_since(user: User, thread_id: int, after_id: int, limit: int = 50) -> list[dict]:
    """Posts created after `after_id` as live fragments: a reconnecting page catches up."""
    thread = access.access_thread(user, thread_id)
    posts = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.id > after_id).order_by(Post.id)
        .limit(limit).options(joinedload(Post.author))
    ).all()
    authors = {p.author_id: p.author for p in posts if p.author is not None}
    mentors = _mentor_author_ids(thread.category, set(authors), authors)
    counts = _reaction_counts([p.id for p in posts])
    return [{"thread_id": thread.id, "post_id": p.id, "parent_id": p.parent_id,
             "depth": p.depth,
             "html": render_post_fragment(p, thread, is_mentor=p.author_id in mentors,
                                          counts=counts[p.id])} for p in posts]


# --------------------------------------------------------------------------- readers


@dataclass
class CategorySummary:
    """A category with what the index shows about it."""

    category: Category
    thread_count: int = 0
    unread_count: int = 0


def list_categories(user: User) -> list[CategorySummary]:
    """Categories the user may read, global first, with visible-thread and unread counts."""
    access.require_login(user)
    categories = db.session.scalars(
        select(Category).where(access.visible_categories_clause(user))
        .options(joinedload(Category.cohort))
        .order_by(Category.cohort_id.is_not(None), Category.position, Category.name)
    ).all()
    summaries = {c.id: CategorySummary(c) for c in categories}
    unread = Thread.last_post_id > func.coalesce(ThreadRead.last_read_post_id, 0)
    rows = db.session.execute(
        select(Thread.category_id, func.count(), func.sum(case((unread, 1), else_=0)))
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id,
                                    ThreadRead.user_id == user.id))
        .where(access.visible_threads_clause(user))
        .group_by(Thread.category_id)
    ).all()
    for category_id, count, unread_count in rows:
        if category_id in summaries:
            summaries[category_id].thread_count = count
            summaries[category_id].unread_count = int(unread_count or 0)
    return list(summaries.values())


# A thread in a list with the member's unread state, posters and readers (thread_lists.py).
ThreadRow = ListRow


@dataclass
class CategoryPage:
    """One page of a category's thread list."""

    category: Category
    pinned: list[ThreadRow]
    threads: list[ThreadRow]
    sort: str
    tag: str | None
    next_cursor: str | None
    can_post: bool


def category_page(user: User, slug: str, sort: str = "latest", tag: str | None = None,
                  after: str | None = None) -> CategoryPage:
    """A page of threads: pinned first, then keyset-paginated by activity or creation time."""
    category = access.access_category(user, slug)
    sort = sort if sort in SORTS else "latest"
    tag = (tag or "").strip().lower() or None
    key = Thread.last_activity_at if sort == "latest" else Thread.created_at
    cursor = decode_cursor(after)

    def _query(pinned: bool):
        query = (
            select(Thread, *thread_lists.unread_columns(user), thread_lists.readers_column())
            .join(Category, Category.id == Thread.category_id)
            .outerjoin(ThreadRead, thread_lists.read_join(user))
            .where(Thread.category_id == category.id, Thread.is_pinned.is_(pinned),
                   access.visible_threads_clause(user))
            .options(joinedload(Thread.author))
        )
        if tag:
            query = query.where(Thread.id.in_(select(ThreadTag.thread_id)
                                              .where(ThreadTag.tag == tag)))
        if sort == "unanswered":
            query = query.where(Thread.accepted_post_id.is_(None) if category.is_qa
                                else Thread.reply_count == 0)
        return query

    since = thread_lists.new_since(user)

    def _rows(query) -> list[ThreadRow]:
        return [ThreadRow(t, thread_lists.unread_state(t, read, read_id, new_posts, since),
                          readers=readers or 0)
                for t, read, read_id, new_posts, readers
                in db.session.execute(query).unique().all()]

    pinned = [] if cursor else _rows(_query(True).order_by(key.desc(), Thread.id.desc()))
    query = _query(False)
    if cursor:
        moment, last_id = cursor
        # A row-value comparison, not `key < m OR (key = m AND id < n)`: SQLite can only turn
        # the row value into an index range; the OR walked the category from its newest thread
        # (70 ms for the last page of 50k threads).
        query = query.where(tuple_(key, Thread.id) < tuple_(moment, last_id))
    rows = _rows(query.order_by(key.desc(), Thread.id.desc()).limit(THREADS_PER_PAGE + 1))
    next_cursor = None
    if len(rows) > THREADS_PER_PAGE:
        rows = rows[:THREADS_PER_PAGE]
        last = rows[-1].thread
        moment = last.last_activity_at if sort == "latest" else last.created_at
        next_cursor = encode_cursor(moment, last.id)
    thread_lists.attach_tags(pinned + rows)
    thread_lists.attach_posters(pinned + rows)
    return CategoryPage(category, pinned, rows, sort, tag, next_cursor,
                        can_post=access.can_write_cohort(user, category.cohort_id))


@dataclass
class PostItem:
    """A post as placed on the page: its indent and, when shown flat, whom it answers."""

    post: Post
    display_depth: int
    reply_to: str | None = None
    reply_to_id: int | None = None


@dataclass
class ThreadPage:
    """Everything the thread page shows, loaded with a fixed number of queries."""

    thread: Thread
    category: Category
    first_post: Post | None
    accepted: Post | None
    items: list[PostItem]
    page: int
    pages: int
    counts: dict[int, dict[str, int]]
    mine: set[tuple[int, str]]
    mentors: set[int]
    first_unread_id: int | None
    watch_level: str | None
    can_post: bool
    can_accept: bool
    can_moderate: bool
    tags: list[str] = field(default_factory=list)
    # Why hidden posts (and the thread) are hidden: shown to their authors and moderators.
    holds: dict[int, str] = field(default_factory=dict)
    thread_hold: str | None = None
    # Who reacted (first names per post and kind) and which shown posts the reader bookmarked.
    reactors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    bookmarked: set[int] = field(default_factory=set)


def _mentor_author_ids(category: Category, author_ids: set[int],
                       authors: dict[int, User]) -> set[int]:
    """Authors who get the mentor badge in this space: site mentors or the cohort's mentors."""
    badge = {uid for uid, u in authors.items() if u.is_mentor}
    if category.cohort_id is not None and author_ids:
        badge |= set(db.session.scalars(select(CohortMembership.user_id).where(
            CohortMembership.cohort_id == category.cohort_id,
            CohortMembership.user_id.in_(sorted(author_ids)),
            CohortMembership.role == CohortRole.MENTOR.value)))
    return badge


def _arrange(posts: list[Post], first_post_id: int | None,
             parent_names: dict[int, str]) -> list[PostItem]:
    """Depth-first order of the replies on this page; deep or orphaned ones shown flat."""
    on_page = {p.id for p in posts}
    children: dict[int | None, list[Post]] = {}
    for post in posts:
        if post.id == first_post_id:
            continue
        parent = post.parent_id if post.parent_id in on_page else None
        children.setdefault(parent, []).append(post)
    items: list[PostItem] = []

    def walk(parent_id: int | None, level: int) -> None:
        for post in children.get(parent_id, []):
            flat = level > MAX_NESTING or (post.parent_id is not None
                                           and post.parent_id not in on_page)
            items.append(PostItem(
                post, min(level, MAX_NESTING),
                reply_to=parent_names.get(post.parent_id) if flat and post.parent_id else None,
                reply_to_id=post.parent_id if flat else None))
            walk(post.id, level + 1)

    walk(None, 0)
    return items


@dataclass
class _PageMeta:
    total: int  # posts in the thread
    read_count: int  # posts up to the reader's marker
    last_read: int | None  # the marker (None: never opened)
    watch: str | None
    tags: list[str]


def _thread_page_meta(user: User, thread_id: int, count_read: bool = True) -> _PageMeta:
    """Post count, read marker, posts read, watch level and tags in ONE round trip.

    The thread's stored post count and scalar subqueries on the unique (user, thread) rows,
    outer joined to the thread's tags: five small lookups that were five queries per page view.
    Posts read are only counted when the page is not given (to open at the first unread):
    in a 20,000-post thread that count is a scan of the thread's index entries.
    """
    last_read = select(ThreadRead.last_read_post_id).where(
        ThreadRead.user_id == user.id, ThreadRead.thread_id == thread_id).scalar_subquery()
    read_count = select(func.count()).select_from(Post).where(
        Post.thread_id == thread_id, Post.id <= func.coalesce(last_read, 0)).scalar_subquery() \
        if count_read else literal(0)
    watch = select(ThreadWatch.level).where(
        ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread_id).scalar_subquery()
    rows = db.session.execute(
        select(Thread.post_count, read_count, last_read, watch, ThreadTag.tag).select_from(Thread)
        .outerjoin(ThreadTag, ThreadTag.thread_id == Thread.id)
        .where(Thread.id == thread_id).order_by(ThreadTag.tag)
    ).all()
    first = rows[0]
    return _PageMeta(total=first[0] or 0, read_count=first[1] or 0, last_read=first[2],
                     watch=first[3], tags=[row[4] for row in rows if row[4] is not None])


def read_thread(user: User, thread_id: int, page: int | None = None) -> ThreadPage:
    """Load one page of a thread and mark it read up to the last post shown."""
    thread = access.access_thread(user, thread_id)
    category = thread.category
    meta = _thread_page_meta(user, thread.id, count_read=page is None)
    last_read = meta.last_read or 0
    pages = max(1, -(-meta.total // PAGE_SIZE))
    if page is None:
        # Open where the reader left off: the page of the first unread post.
        page = min(pages, meta.read_count // PAGE_SIZE + 1) if meta.last_read is not None else 1
    page = max(1, min(page, pages))
    # The page's first post id from the (thread_id, id) index alone, then a range from it: an
    # OFFSET over full rows reads (and joins) every skipped post, so page 400 of a long thread
    # cost twice page 1 (bench/growth.py, 1M posts).
    start = (select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id)
             .offset((page - 1) * PAGE_SIZE).limit(1).scalar_subquery())
    # Whether the reader bookmarked each post comes with the posts (no query of its own).
    rows = db.session.execute(
        select(Post, bookmarks.bookmarked_clause(user)).where(
            Post.thread_id == thread.id, Post.id >= start).order_by(Post.id)
        .limit(PAGE_SIZE).options(joinedload(Post.author))
    ).all()
    posts = [post for post, _saved in rows]
    bookmarked = {post.id for post, saved in rows if saved}
    extra_ids = {p.parent_id for p in posts if p.parent_id} - {p.id for p in posts}
    want_accepted = thread.accepted_post_id and thread.accepted_post_id not in {
        p.id for p in posts}
    if want_accepted:
        extra_ids.add(thread.accepted_post_id)
    extra = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(sorted(extra_ids))).options(joinedload(Post.author))
    )} if extra_ids else {}
    by_id = {p.id: p for p in posts} | extra
    parent_names = {pid: (p.author.username if p.author else _("deleted user"))
                    for pid, p in by_id.items()}
    first_post = by_id.get(thread.first_post_id) if page == 1 else None
    accepted = by_id.get(thread.accepted_post_id) if thread.accepted_post_id else None
    shown = list(posts) + ([accepted] if accepted is not None and want_accepted else [])
    shown_ids = [p.id for p in shown]
    counts, mine, reactors = reactions.page_reactions(shown_ids, user.id)
    authors = {p.author_id: p.author for p in shown if p.author is not None}
    mentors = _mentor_author_ids(category, set(authors), authors)
    watch, tags = meta.watch, meta.tags
    first_unread_id = next((p.id for p in posts if p.id > last_read), None)
    from forum.services.moderation.content import hold_reasons

    holds = hold_reasons("post", [p.id for p in shown if p.hidden_at is not None])
    thread_hold = hold_reasons("thread", [thread.id]).get(thread.id, "") \
        if thread.hidden_at is not None else None
    moderator = access.can_moderate_cohort(user, category.cohort_id)
    if posts and posts[-1].id > last_read:
        _set_read(user, thread.id, posts[-1].id)
        _commit_keeping_loaded()
    return ThreadPage(
        thread=thread, category=category, first_post=first_post, accepted=accepted,
        items=_arrange(list(posts), thread.first_post_id, parent_names), page=page, pages=pages,
        counts=counts, mine=mine, mentors=mentors, first_unread_id=first_unread_id,
        watch_level=watch, can_post=access.can_write_cohort(user, category.cohort_id) and (
            moderator or not (thread.is_locked or thread.hidden_at is not None)),
        can_accept=access.can_accept_answer(user, thread, category),
        can_moderate=moderator, tags=tags,
        holds=holds, thread_hold=thread_hold,
        reactors=reactors, bookmarked=bookmarked,
    )


def locate_post(user: User, post_id: int) -> tuple[int, int]:
    """(thread id, page number) of a post the user may read, for permalinks."""
    post = access.access_post(user, post_id)
    before = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == post.thread_id, Post.id < post.id)) or 0
    return post.thread_id, before // PAGE_SIZE + 1


def post_for_edit(user: User, post_id: int) -> Post:
    """A post its author may edit (in a space they may write in), or Forbidden/NotFound."""
    post = access.writable_post(user, post_id)
    if not access.can_edit_post(user, post):
        raise Forbidden()
    return post


def post_history(user: User, post_id: int) -> tuple[Post, list[PostRevision]]:
    """Earlier versions of a post: for its author and the space's moderators only."""
    post = access.access_post(user, post_id)
    if post.author_id != user.id and not access.can_moderate_cohort(
            user, post.thread.category.cohort_id):
        raise NotFound()
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id)
        .order_by(PostRevision.id.desc()).options(joinedload(PostRevision.editor))
    ).all()
    return post, list(revisions)


@dataclass
class PostData:
    """A post with its reaction counts, for the JSON API (no HTML fragment)."""

    post: Post
    counts: dict[str, int]


def list_posts(user: User, thread_id: int, after_id: int = 0,
               limit: int = 50) -> tuple[Thread, list[PostData], bool]:
    """Posts of a readable thread after `after_id`, in id order, and whether more follow.

    Keyset on the post id: the API pages through a thread of any length at the same cost.
    """
    thread = access.access_thread(user, thread_id)
    limit = max(1, min(int(limit), 100))
    posts = list(db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.id > after_id).order_by(Post.id)
        .limit(limit + 1).options(joinedload(Post.author))))
    more = len(posts) > limit
    posts = posts[:limit]
    counts = _reaction_counts([p.id for p in posts])
    return thread, [PostData(p, counts[p.id]) for p in posts], more


def post_data(user: User, post_id: int) -> PostData:
    """One readable post with its reaction counts (the API's answer after a write)."""
    post = access.access_post(user, post_id)
    return PostData(post, _reaction_counts([post.id])[post.id])


def new_thread_category(user: User, slug: str) -> Category:
    """The category a new-thread form posts into (readable, and the user may post)."""
    return access.writable_category(user, slug)


__all__ = [
    "accept_answer",
    "accepted_answer",
    "category_page",
    "create_thread",
    "delete_post",
    "edit_post",
    "list_categories",
    "list_posts",
    "locate_post",
    "mark_read",
    "parse_tags",
    "post_data",
    "post_for_edit",
    "post_fragment",
    "post_history",
    "posts_since",
    "react",
    "read_thread",
    "render_accepted_fragment",
    "reply",
    "set_watch",
    "toggle_reaction",
]
