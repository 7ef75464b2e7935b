"""Recording notifications: recipients filtered by access, preferences and mutes; repeats collapse.

Everything here only adds rows to the caller's session (the caller commits once) and fills a
`Pending` that `deliver()` sends out after that commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, case, exists, insert, or_, select, text, update

from forum.extensions import db
from forum.lib.text import plain_text
from forum.lib.upsert import insert_for
from forum.models import (
    COLLAPSING,
    Category,
    Channel,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    Post,
    Thread,
    User,
    utcnow,
)
from forum.services import access

EXCERPT_LENGTH = 200
# Kinds whose "email" choice means an immediate mail when the person has no live socket; for
# the other kinds "email" means "in the daily digest".
IMMEDIATE_KINDS = frozenset({NotificationKind.MENTION.value,
                             NotificationKind.DIRECT_MESSAGE.value})
DEFAULTS: dict[str, str] = {
    NotificationKind.REPLY.value: Delivery.EMAIL.value,
    NotificationKind.MENTION.value: Delivery.EMAIL.value,
    NotificationKind.ACCEPTED.value: Delivery.EMAIL.value,
    NotificationKind.MENTOR_ANSWER.value: Delivery.EMAIL.value,
    NotificationKind.NEW_THREAD.value: Delivery.APP.value,
    NotificationKind.DIRECT_MESSAGE.value: Delivery.EMAIL.value,
    NotificationKind.MODERATION.value: Delivery.EMAIL.value,
}
DIGEST = "digest"  # the preference row holding whether the daily digest is mailed
DIGEST_DEFAULT = Delivery.EMAIL.value
KINDS = tuple(kind.value for kind in NotificationKind)

# Mentions as lib/text.py renders them (only existing users, never inside code or links): reading
# them back from the stored HTML reuses that parsing instead of repeating it.
_MENTION_LINK_RE = re.compile(r'<a (?=[^>]*class="mention")[^>]*href="/u/([A-Za-z0-9_.-]+)"')


@dataclass
class Pending:
    """Notifications recorded in the current transaction, to deliver after commit."""

    user_ids: set[int] = field(default_factory=set)
    notification_ids: list[int] = field(default_factory=list)
    # Rows (by id) that may warrant an immediate mail, decided again at delivery time.
    mail_ids: list[int] = field(default_factory=list)

    def merge(self, other: Pending | None) -> Pending:
        """Add another pending batch to this one."""
        if other is not None:
            self.user_ids |= other.user_ids
            self.notification_ids += [i for i in other.notification_ids
                                      if i not in self.notification_ids]
            self.mail_ids += [i for i in other.mail_ids if i not in self.mail_ids]
        return self


@dataclass
class Event:
    """What happened, as every recipient's row will describe it."""

    kind: str
    target_type: str
    target_id: int
    actor_id: int | None
    cohort_id: int | None = None
    subject: str = ""
    excerpt: str = ""
    url: str = ""
    detail: str = ""
    collapse: bool = True
    source_type: str = ""  # the post or message the excerpt quotes, if any
    source_id: int | None = None


def mentioned_names(html: str) -> set[str]:
    """Lower-cased usernames linked as @mentions in rendered (sanitized) HTML."""
    return {name.lower() for name in _MENTION_LINK_RE.findall(html or "")}


def excerpt(html: str) -> str:
    """A short plain-text excerpt of rendered HTML."""
    text = plain_text(html or "")
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def path(endpoint: str, **values) -> str:
    """A site-relative URL, built in or out of a request (CLI, socket events)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def users_by_name(names: Iterable[str]) -> list[User]:
    """Active (not banned) users with these lower-cased usernames."""
    from sqlalchemy import func

    names = sorted(set(names))
    if not names:
        return []
    return list(db.session.scalars(select(User).where(
        func.lower(User.username).in_(names), User.banned_at.is_(None))))


def users_by_id(ids: Iterable[int]) -> list[User]:
    """Active (not banned) users with these ids."""
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids),
                                                      User.banned_at.is_(None))))


def deliveries(user_ids: list[int], kind: str) -> dict[int, str]:
    """user id → the delivery chosen for this kind (default when nothing is stored)."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery).where(
            NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind)
    ).all()) if user_ids else {}
    default = DIGEST_DEFAULT if kind == DIGEST else DEFAULTS[kind]
    return {uid: chosen.get(uid, default) for uid in user_ids}


def all_deliveries(user_id: int) -> dict[str, str]:
    """kind → delivery for one person, every kind and the digest, in one query."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user_id)).all())
    return {**DEFAULTS, DIGEST: DIGEST_DEFAULT,
            **{k: v for k, v in chosen.items() if k in DEFAULTS or k == DIGEST}}


def record(pending: Pending, event: Event, recipient_ids: Iterable[int]) -> set[int]:
    """Add (or count up) one row per recipient; returns who was actually notified.

    The actor is never told about their own action; "off" preferences are honoured here. Callers
    have already applied access rules and mutes.
    """
    ids = sorted(set(recipient_ids) - {event.actor_id, None})
    if not ids:
        return set()
    chosen = deliveries(ids, event.kind)
    ids = [uid for uid in ids if chosen[uid] != Delivery.OFF.value]
    if not ids:
        return set()
    existing: dict[int, int] = {}  # user id → id of their unread row about this target
    if event.collapse:
        existing = {user_id: row_id for row_id, user_id in db.session.execute(
            select(Notification.id, Notification.user_id).where(
                Notification.user_id.in_(ids), Notification.read_at.is_(None),
                Notification.kind == event.kind, Notification.target_type == event.target_type,
                Notification.target_id == event.target_id))}
    now = utcnow()
    texts = {"actor_id": event.actor_id, "subject": event.subject[:200],
             "excerpt": event.excerpt, "url": event.url[:500], "updated_at": now,
             "source_type": event.source_type, "source_id": event.source_id}
    # Set-based writes: one UPDATE for the rows that count up, one INSERT for the new ones,
    # however many people are told.
    if existing:
        db.session.execute(
            update(Notification).where(Notification.id.in_(sorted(existing.values())))
            .values(count=Notification.count + 1, **texts)
            .execution_options(synchronize_session=False))
    fresh = [{"user_id": uid, "kind": event.kind, "target_type": event.target_type,
              "target_id": event.target_id, "cohort_id": event.cohort_id, "count": 1,
              "detail": event.detail[:32], "created_at": now, "read_at": None,
              "emailed_at": None, "digested_at": None, **texts}
             for uid in ids if uid not in existing]
    created: dict[int, int] = {}
    for start in range(0, len(fresh), _ROWS_PER_INSERT):
        rows = fresh[start:start + _ROWS_PER_INSERT]
        created |= {user_id: row_id for row_id, user_id in db.session.execute(
            _insert_or_count_up(event, texts, rows))}
    for uid in ids:
        row_id = existing.get(uid) or created[uid]
        pending.user_ids.add(uid)
        if row_id not in pending.notification_ids:
            pending.notification_ids.append(row_id)
        # One mail per unread row: a burst of DMs mails once, not once per message.
        if (uid in created and event.kind in IMMEDIATE_KINDS
                and chosen[uid] == Delivery.EMAIL.value):
            pending.mail_ids.append(row_id)
    return set(ids)


# One multi-row INSERT per this many recipients (SQLite allows 32,766 bound values).
_ROWS_PER_INSERT = 500


def _insert_or_count_up(event: Event, texts: dict, rows: list[dict]):
    """One INSERT of these rows; a row another transaction added meanwhile is counted up.

    The unique index on unread collapsing rows (models/notification.py) makes the race of two
    replies committed at once end in one row with a count of 2, not two rows (or an error).
    """
    returning = (Notification.id, Notification.user_id)
    if not event.collapse:
        return insert(Notification).values(rows).returning(*returning)
    stmt = insert_for(db.session.get_bind().dialect.name, Notification)
    return stmt.values(rows).on_conflict_do_update(
        index_elements=["user_id", "kind", "target_type", "target_id"],
        index_where=text(COLLAPSING),
        set_={"count": Notification.count + 1, **texts},
    ).returning(*returning)


def set_excerpts(source_type: str, source_id: int, quoted: str) -> None:
    """Quote an item as it now reads in every row quoting it; "" withdraws it (no commit).

    `quoted`: `excerpt(html)` of an edited or restored post or message, a thread's title, or ""
    when the item is hidden or deleted. The rows stay (someone did reply or mention you), but
    moderation must reach the words already copied into other people's notification centres.
    """
    # New words only reach rows whose recipient may still read the item; the others lose the
    # old ones too (they are hidden anyway, and nothing private stays copied into them).
    db.session.execute(
        update(Notification).where(Notification.source_type == source_type,
                                   Notification.source_id == source_id)
        .values(excerpt=case((visible_clause(), quoted), else_="") if quoted else "")
        .execution_options(synchronize_session=False))


def set_thread_subject(thread_id: int, title: str) -> None:
    """Name a thread in the rows about it ("… replied in “title”"); "" while it is removed.

    A thread hidden for its title must not keep it in people's notification centres either.
    """
    title = title[:200]
    # A restored title goes back only to rows whose recipient may read the thread now.
    db.session.execute(
        update(Notification).where(Notification.target_type == "thread",
                                   Notification.target_id == thread_id)
        .values(subject=case((visible_clause(), title), else_=Notification.subject)
                if title else "")
        .execution_options(synchronize_session=False))


def visible_clause():
    """Rows whose content the recipient may read NOW: checked whenever a row is shown (centre,
    API, bell count, live events, mail, digest), not only when it was created.

    What a row is about must be readable by its recipient where it is today: the thread (moved,
    its category made private or "ask a mentor", the recipient removed from its cohort or no
    longer a moderator), or the channel. Moderation notices, addressed to the person about their
    own content or account, always show. Unreadable rows are hidden and not counted. Correlated
    on each row's own user, so one statement serves one person's badge or many people's counts.
    """
    recipient = Notification.user_id

    # Explicit correlation: the row's columns are used two and three levels down, and in the
    # SET clause of an UPDATE (set_excerpts), where nothing is correlated automatically.
    def thread_readable(thread_id):
        return exists().where(Thread.id == thread_id, Category.id == Thread.category_id,
                              access.thread_audience_clause(recipient)
                              ).correlate_except(Thread, Category)

    accepted_post_thread = (select(Post.thread_id).where(Post.id == Notification.target_id)
                            .correlate_except(Post).scalar_subquery())
    channel_readable = exists().where(Channel.id == Notification.target_id,
                                      access.channel_audience_clause(recipient)
                                      ).correlate_except(Channel)
    return or_(
        Notification.kind == NotificationKind.MODERATION.value,
        and_(Notification.target_type == "thread", thread_readable(Notification.target_id)),
        and_(Notification.target_type == "category", Notification.source_type == "thread",
             thread_readable(Notification.source_id)),
        and_(Notification.target_type == "post", thread_readable(accepted_post_thread)),
        and_(Notification.target_type == "channel", channel_readable),
    )
