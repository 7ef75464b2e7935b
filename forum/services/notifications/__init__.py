"""Notifications: who is told what, in-app and by mail.

Contract used by other services:
  * `notify_*` functions only ADD rows to the caller's session; the caller commits once;
  * they return a `Pending` value the caller hands to `deliver()` AFTER its commit, which pushes
    the live badge update (and immediate mail) — a broadcast never precedes the row.

Submodules: `core` (recording, collapsing, preferences lookup), `triggers` (who hears of what),
`centre` (list, unread count, mark read), `preferences`, `mailing` (immediate mail, digests,
unsubscribe links).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.lib.realtime import send_to_user
from forum.models import Notification, User
from forum.services.notifications.centre import (
    describe,
    item,
    list_notifications,
    mark_all_read,
    mark_read,
    unread_count,
    unread_count_query,
    unread_counts,
)
from forum.services.notifications.core import (
    Pending,
    set_excerpts,
    set_thread_subject,
)
from forum.services.notifications.core import excerpt as quote
from forum.services.notifications.triggers import (
    notify_accepted,
    notify_message,
    notify_message_edit,
    notify_moderation,
    notify_new_thread,
    notify_post_edit,
    notify_reply,
)

__all__ = [
    "Pending",
    "deliver",
    "describe",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "notify_accepted",
    "notify_message",
    "notify_message_edit",
    "notify_moderation",
    "notify_new_thread",
    "notify_post_edit",
    "notify_reply",
    "quote",
    "set_excerpts",
    "set_thread_subject",
    "unread_count",
]


def deliver(pending: Pending | None) -> None:
    """After commit: push unread counts to the recipients' sockets and send immediate mail.

    The caller's action is already committed; a failure here (Redis, SMTP) is logged and never
    turns a successful post or message into an error.
    """
    if pending is None or not pending.user_ids:
        return
    try:
        _push(pending)
    except Exception:  # delivery is best effort once the rows exist
        current_app.logger.exception("Live notification delivery failed")
    if pending.mail_ids:
        from forum.services.notifications.mailing import send_immediate

        try:
            send_immediate(pending.mail_ids)
        except Exception:  # the notification stays in the centre and digest
            db.session.rollback()
            current_app.logger.exception("Notification mail failed")


def _push(pending: Pending) -> None:
    """`notification:new` (the item, in the recipient's language, and the new unread count)
    to each recipient's sockets."""
    counts = unread_counts(sorted(pending.user_ids))
    rows = list(db.session.scalars(
        select(Notification).where(Notification.id.in_(sorted(pending.notification_ids)))
        .options(joinedload(Notification.actor))))
    languages = dict(db.session.execute(
        select(User.id, User.language).where(User.id.in_(sorted(pending.user_ids)))).all())
    told: set[int] = set()
    for row in sorted(rows, key=lambda r: r.id):
        with force_locale(languages.get(row.user_id) or "en"):
            payload = {"notification": item(row), "unread": counts.get(row.user_id, 0)}
        send_to_user(row.user_id, "notification:new", payload)
        told.add(row.user_id)
    for user_id in sorted(pending.user_ids - told):
        send_to_user(user_id, "notifications:unread", {"unread": counts.get(user_id, 0)})


# Kept importable for callers written against the stub.
__all__ += ["item", "unread_count_query", "unread_counts"]
