"""Members flag posts, threads and chat messages; enough flags hide an item pending review."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.errors import Conflict, Invalid
from forum.extensions import db
from forum.lib.text import clean_text
from forum.models import Flag, FlagReason, User
from forum.services import access, notifications
from forum.services.access import ContentTarget
from forum.services.moderation import audit, content

NOTE_MAX = 1000
REASONS = {
    FlagReason.SPAM.value: _l("Spam or advertising"),
    FlagReason.HARASSMENT.value: _l("Harassment or abuse"),
    FlagReason.OFF_TOPIC.value: _l("Off-topic"),
    FlagReason.CONFIDENTIAL.value: _l("Confidential information"),
    FlagReason.OTHER.value: _l("Something else"),
}
REASON_LABELS = {**REASONS, FlagReason.WORD_LIST.value: _l("Word filter")}


@dataclass
class FlagResult:
    """The stored flag and whether it tipped the item into hidden-pending-review."""

    flag: Flag
    target: ContentTarget
    auto_hidden: bool


def flaggable(user: User | None, target_type: str, target_id: int) -> ContentTarget:
    """The item a flag form is about (readable by an active user), or raise."""
    return access.access_flaggable(user, target_type, target_id)


def flag(user: User | None, target_type: str, target_id: int, reason: str,
         note: str = "") -> FlagResult:
    """Flag an item once; at MODERATION_FLAG_THRESHOLD distinct members it is hidden."""
    target = access.access_flaggable(user, target_type, target_id)
    errors = {}
    if reason not in REASONS:
        errors["reason"] = _("Choose a reason.")
    note = clean_text(note or "")
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)d characters.", n=NOTE_MAX)
    elif reason == FlagReason.OTHER.value and not note:
        errors["note"] = _("Tell the moderators what is wrong.")
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    if target.author_id == user.id:
        raise Invalid(_("You cannot flag your own writing; edit or delete it instead."),
                      code="own_content")
    already = _("You have already flagged this. The moderators will review it.")
    if db.session.scalar(select(Flag.id).where(
            Flag.user_id == user.id, Flag.target_type == target.type,
            Flag.target_id == target.id)) is not None:
        raise Conflict(already, code="already_flagged")
    row = Flag(target_type=target.type, target_id=target.id, cohort_id=target.cohort_id,
               user_id=user.id, reason=reason, note=note)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # a double submit raced us
        db.session.rollback()
        raise Conflict(already, code="already_flagged") from None
    auto_hidden = False
    pending = None
    container = target.obj.channel_id if target.type == "message" else target.thread.id
    if target.obj.hidden_at is None and _distinct_open_flaggers(target) >= _threshold():
        reason_text = _("Hidden automatically after several members flagged it; a moderator "
                        "will review it.")
        content.apply_hide(target, None, reason_text)
        audit.record(None, "auto_hide", target_type=target.type, target_id=target.id,
                     cohort_id=target.cohort_id, reason=reason_text)
        if target.author_id is not None:
            pending = notifications.notify_moderation(
                target.author_id, action="hide", reason=reason_text, target_type=target.type,
                target_id=target.id, url=target.url, actor_id=None)
        auto_hidden = True
    db.session.commit()
    if auto_hidden:
        content.broadcast_hidden(target, container)
        notifications.deliver(pending)
    return FlagResult(row, target, auto_hidden)


def _threshold() -> int:
    return max(1, int(current_app.config.get("MODERATION_FLAG_THRESHOLD", 3)))


def _distinct_open_flaggers(target: ContentTarget) -> int:
    return db.session.scalar(select(func.count(func.distinct(Flag.user_id))).where(
        Flag.target_type == target.type, Flag.target_id == target.id,
        Flag.resolved_at.is_(None), Flag.user_id.is_not(None))) or 0
