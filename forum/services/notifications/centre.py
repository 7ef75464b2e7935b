"""The notification centre: the list, the unread count, marking read. Plain data out, so the
pages, the socket events and the JSON API share these functions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.lib.cursors import decode_cursor, encode_cursor
from forum.lib.realtime import send_to_user
from forum.models import Notification, NotificationKind, User, utcnow
from forum.services import access
from forum.services.notifications.core import visible_clause

K = NotificationKind
MAX_LIMIT = 100


def _moderation_text(row: Notification) -> str:
    texts = {
        "hide": _("A moderator hid your content."),
        "hidden": _("A moderator hid your content."),
        "restore": _("A moderator restored your content."),
        "restored": _("A moderator restored your content."),
        "delete": _("A moderator removed your content."),
        "lock": _("A moderator locked your thread."),
        "unlock": _("A moderator unlocked your thread."),
        "move": _("A moderator moved your thread."),
        "warn": _("A moderator sent you a warning."),
        "suspend": _("Your account was suspended by a moderator."),
        "edit": _("A moderator edited your content."),
        "unsuspend": _("Your suspension was lifted."),
        "lift": _("A moderator lifted the restriction on your account."),
        "ban": _("Your account was banned."),
        "dismiss": _("A report about your content was reviewed; no action was needed."),
    }
    return texts.get(row.detail, _("A moderator reviewed your content."))


def describe(row: Notification) -> str:
    """One line of text for a notification, in the current locale ("3 new replies in …")."""
    actor = row.actor.display_name if row.actor is not None else _("Someone")
    n, subject = row.count, row.subject
    if not subject and row.target_type == "thread":
        # The thread was hidden or deleted by a moderator (notifications.set_thread_subject).
        subject = _("(removed by a moderator)")
    # One event reads as a sentence about who did it; a collapsed row as a count. They are
    # separate messages because a plural form may not drop or add placeholders (Babel checks).
    if row.kind == K.REPLY.value:
        if n == 1:
            return _("%(actor)s replied in “%(subject)s”", actor=actor, subject=subject)
        return ngettext("%(num)d new reply in “%(subject)s”",
                        "%(num)d new replies in “%(subject)s”", n, subject=subject)
    if row.kind == K.MENTION.value:
        if n == 1:
            return _("%(actor)s mentioned you in “%(subject)s”", actor=actor, subject=subject)
        return ngettext("%(num)d mention of you in “%(subject)s”",
                        "%(num)d mentions of you in “%(subject)s”", n, subject=subject)
    if row.kind == K.ACCEPTED.value:
        return _("Your answer in “%(subject)s” was accepted", subject=subject)
    if row.kind == K.MENTOR_ANSWER.value:
        if n == 1:
            return _("Mentor %(actor)s answered in “%(subject)s”", actor=actor, subject=subject)
        return ngettext("%(num)d mentor answer in “%(subject)s”",
                        "%(num)d mentor answers in “%(subject)s”", n, subject=subject)
    if row.kind == K.NEW_THREAD.value:
        if n == 1 and row.excerpt:  # no title: the thread was hidden or deleted since
            return _("New thread in %(subject)s: “%(title)s”", subject=subject, title=row.excerpt)
        return ngettext("%(num)d new thread in %(subject)s",
                        "%(num)d new threads in %(subject)s", n, subject=subject)
    if row.kind == K.DIRECT_MESSAGE.value:
        if n == 1:
            return _("%(actor)s sent you a direct message", actor=actor)
        return ngettext("%(num)d new direct message, the latest from %(actor)s",
                        "%(num)d new direct messages, the latest from %(actor)s", n, actor=actor)
    if row.kind == K.MODERATION.value:
        return _moderation_text(row)
    return _("Something new for you")


def item(row: Notification) -> dict:
    """A notification as plain data (pages, sockets, API). `row.actor` must be loaded."""
    return {
        "id": row.id,
        "kind": row.kind,
        "text": describe(row),
        "excerpt": "" if row.kind == K.NEW_THREAD.value else row.excerpt,
        "count": row.count,
        "url": row.url,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "actor": None if row.actor is None else {
            "id": row.actor.id, "username": row.actor.username,
            "display_name": row.actor.display_name, "avatar_token": row.actor.avatar_token},
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "read": row.read_at is not None,
    }


def unread_count_query(user: User):
    """The SELECT of the user's unread count, for callers that fold it into a larger query
    (the page header asks it together with unread threads and chat: one round trip)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), visible_clause())


def unread_count(user: User) -> int:
    """How many unread notifications the user has (one COUNT query)."""
    access.require_login(user)
    return db.session.scalar(unread_count_query(user)) or 0


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    """Unread counts of several people at once (for live badge updates)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Notification.user_id, func.count(Notification.id)).where(
            Notification.user_id.in_(sorted(user_ids)), Notification.read_at.is_(None),
            visible_clause()).group_by(Notification.user_id)
    ).all()
    counts = dict.fromkeys(user_ids, 0)
    counts.update(dict(rows))
    return counts


def list_notifications(user: User, cursor: str | None = None, limit: int = 20,
                       unread_only: bool = False) -> dict:
    """A page of the user's notifications, newest activity first, keyset-paged by cursor.

    Returns {"items": [...], "next_cursor": str | None, "unread": int} in two queries.
    """
    access.require_login(user)
    try:
        limit = max(1, min(int(limit), MAX_LIMIT))
    except (TypeError, ValueError):
        raise Invalid(_("The page size must be a number.")) from None
    query = (select(Notification).options(joinedload(Notification.actor))
             .where(Notification.user_id == user.id, visible_clause()))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    position = decode_cursor(cursor)
    if position is not None:
        moment, row_id = position
        query = query.where(or_(Notification.updated_at < moment,
                                and_(Notification.updated_at == moment,
                                     Notification.id < row_id)))
    rows = list(db.session.scalars(
        query.order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(limit + 1)))
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last.updated_at, last.id) if last is not None else None
    return {"items": [item(row) for row in rows[:limit]], "next_cursor": next_cursor,
            "unread": unread_count(user)}


def _push_unread(user: User) -> int:
    count = unread_count(user)
    # Other open tabs of the same person update their badge too.
    send_to_user(user.id, "notifications:unread", {"unread": count})
    return count


def mark_read(user: User, notification_id: int) -> dict:
    """Mark one of the user's notifications read; returns {"id", "unread"}.

    Someone else's notification answers NotFound, exactly like a missing one, and so does one
    about something the user may no longer read (it is not listed either).
    """
    access.require_login(user)
    row = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id, visible_clause()))
    if row is None:
        raise NotFound()
    url = row.url
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    return {"id": notification_id, "url": url, "unread": _push_unread(user)}


def mark_all_read(user: User) -> dict:
    """Mark every notification of the user read; returns {"marked", "unread"}."""
    access.require_login(user)
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return {"marked": result.rowcount or 0, "unread": _push_unread(user)}
