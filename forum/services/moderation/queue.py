"""The review queue: flagged items with their context, oldest first, scoped to the moderator.

A page costs a fixed number of queries whatever it holds: one for the page of targets, one for
their flags (with reporters), one per item kind (posts, threads, messages with their context),
one for cohort names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.lib.text import plain_text
from forum.models import Channel, Cohort, Flag, Hold, Message, Post, Thread, User
from forum.services import access

PAGE_SIZE = 30
EXCERPT = 300


@dataclass
class QueueItem:
    """One flagged item: what it is, where, by whom, and why it was flagged."""

    target_type: str
    target_id: int
    cohort_id: int | None
    first_flagged_at: datetime
    flag_count: int
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (reporter, note)
    obj: Post | Thread | Message | None = None
    author: User | None = None
    place: str = ""  # thread title or channel name
    url: str = ""
    excerpt: str = ""
    hidden: bool = False
    hold_reason: str = ""
    deleted: bool = False


@dataclass
class QueuePage:
    """A page of the queue and the cohorts the moderator may filter by."""

    items: list[QueueItem]
    cohort_id: int | None
    cohorts: list[tuple[int, str]]
    next_after: str | None
    global_moderator: bool


def _scope_clause(scope: set[int] | None):
    if scope is None:
        return true()
    return Flag.cohort_id.in_(sorted(scope))


def review_queue(user: User | None, cohort_id: int | None = None,
                 after: str | None = None) -> QueuePage:
    """Open flags grouped by item, oldest first; facilitators see only their cohorts."""
    scope = access.require_moderator(user)
    first = func.min(Flag.created_at).label("first")
    query = (select(Flag.target_type, Flag.target_id, func.max(Flag.cohort_id), first,
                    func.count(Flag.id))
             .where(Flag.resolved_at.is_(None), _scope_clause(scope))
             .group_by(Flag.target_type, Flag.target_id))
    if cohort_id is not None:
        query = query.where(Flag.cohort_id == cohort_id)
    cursor = _decode(after)
    if cursor is not None:
        moment, kind, tid = cursor
        query = query.having(
            (first > moment) | ((first == moment) & (Flag.target_type > kind))
            | ((first == moment) & (Flag.target_type == kind) & (Flag.target_id > tid)))
    rows = db.session.execute(
        query.order_by(first, Flag.target_type, Flag.target_id).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    items = [QueueItem(t, i, c, when, n) for t, i, c, when, n in rows]
    _fill(items)
    next_after = None
    if more and items:
        last = items[-1]
        next_after = f"{last.first_flagged_at.timestamp():.6f}.{last.target_type}.{last.target_id}"
    cohorts = select(Cohort.id, Cohort.name).order_by(Cohort.name)
    if scope is not None:
        cohorts = cohorts.where(Cohort.id.in_(sorted(scope)))
    return QueuePage(items, cohort_id, [tuple(r) for r in db.session.execute(cohorts).all()],
                     next_after, scope is None)


def _decode(after: str | None):
    if not after:
        return None
    from datetime import UTC

    try:
        stamp, kind, tid = after.rsplit(".", 2)
        return datetime.fromtimestamp(float(stamp), tz=UTC), kind, int(tid)
    except (ValueError, OverflowError):
        return None


def _targets_clause(model, by_type: dict[str, list[int]]):
    return or_(*(and_(model.target_type == kind, model.target_id.in_(ids))
                 for kind, ids in sorted(by_type.items())))


def _fill(items: list[QueueItem]) -> None:
    if not items:
        return
    keys = {(i.target_type, i.target_id): i for i in items}
    by_type: dict[str, list[int]] = {}
    for item in items:
        by_type.setdefault(item.target_type, []).append(item.target_id)
    flags = db.session.execute(
        select(Flag.target_type, Flag.target_id, Flag.reason, Flag.note, User.username)
        .outerjoin(User, User.id == Flag.user_id)
        .where(Flag.resolved_at.is_(None), _targets_clause(Flag, by_type))
        .order_by(Flag.id)).all()
    for kind, tid, reason, note, reporter in flags:
        item = keys.get((kind, tid))
        if item is None:
            continue
        item.reasons[reason] = item.reasons.get(reason, 0) + 1
        if note:
            item.notes.append((reporter or "", note))
    holds = db.session.execute(
        select(Hold.target_type, Hold.target_id, Hold.reason).where(
            _targets_clause(Hold, by_type))).all()
    for kind, tid, reason in holds:
        if (kind, tid) in keys:
            keys[(kind, tid)].hold_reason = reason
    if by_type.get("post"):
        for post in db.session.scalars(select(Post).where(Post.id.in_(by_type["post"])).options(
                joinedload(Post.thread), joinedload(Post.author))):
            _set(keys[("post", post.id)], post, post.author, post.thread.title,
                 f"/p/{post.id}", post.body_html)
    if by_type.get("thread"):
        threads = db.session.scalars(select(Thread).where(Thread.id.in_(by_type["thread"]))
                                     .options(joinedload(Thread.author))).all()
        first_posts = {p.id: p for p in db.session.scalars(select(Post).where(
            Post.id.in_([t.first_post_id for t in threads if t.first_post_id])))}
        for thread in threads:
            first = first_posts.get(thread.first_post_id)
            _set(keys[("thread", thread.id)], thread, thread.author, thread.title,
                 f"/t/{thread.id}", first.body_html if first else "")
    if by_type.get("message"):
        for message in db.session.scalars(
                select(Message).where(Message.id.in_(by_type["message"])).options(
                    joinedload(Message.author), joinedload(Message.channel))):
            channel: Channel = message.channel
            # A reported direct message is shown here, but its conversation stays closed.
            url = "" if channel.is_direct else f"/chat/{channel.id}#m-{message.id}"
            _set(keys[("message", message.id)], message, message.author, channel.name, url,
                 message.body_html)


def _set(item: QueueItem, obj, author: User | None, place: str, url: str, html: str) -> None:
    item.obj, item.author, item.place, item.url = obj, author, place, url
    text = plain_text(html or "")
    item.excerpt = text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")
    item.hidden = obj.hidden_at is not None
    item.deleted = obj.deleted_at is not None


def open_flag_count(user: User | None) -> int:
    """How many items wait for this moderator (for the navigation link)."""
    scope = access.moderated_cohort_ids(user)
    grouped = (select(Flag.target_type, Flag.target_id)
               .where(Flag.resolved_at.is_(None), _scope_clause(scope))
               .group_by(Flag.target_type, Flag.target_id).subquery())
    return db.session.scalar(select(func.count()).select_from(grouped)) or 0
