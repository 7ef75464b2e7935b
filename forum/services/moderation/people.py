"""Moderator actions on people: warn, suspend, ban, lift.

Suspension and ban cut the person's live sockets at once (after the commit); a ban also bumps
the session version so every session and remember-me cookie stops working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from forum.errors import Invalid
from forum.extensions import db
from forum.models import AuditEntry, User, utcnow
from forum.services import access, notifications, sessions
from forum.services.accounts import bump_session_version
from forum.services.moderation import audit
from forum.services.moderation.content import clean_reason

MAX_SUSPENSION_DAYS = 365


def _notify(person: User, actor: User, action: str, reason: str):
    return notifications.notify_moderation(
        person.id, action=action, reason=reason, target_type="user", target_id=person.id,
        url=None, actor_id=actor.id)


def warn(actor: User | None, user_id: int, reason: str) -> User:
    """Send a person a moderator's warning (a notification), recorded in the audit log."""
    target = access.access_person(actor, user_id)
    reason = clean_reason(reason, required=True)
    audit.record(actor, "warn", target_type="user", target_id=target.user.id,
                 cohort_id=target.cohort_id, reason=reason)
    pending = _notify(target.user, actor, "warn", reason)
    db.session.commit()
    notifications.deliver(pending)
    return target.user


def suspend(actor: User | None, user_id: int, days: int | None, reason: str,
            hours: int = 0) -> User:
    """Suspend for a duration: the person reads but cannot post, chat, react or flag."""
    target = access.access_person(actor, user_id)
    reason = clean_reason(reason, required=True)
    days, hours = int(days or 0), int(hours or 0)
    if days < 0 or hours < 0 or not 0 < days * 24 + hours <= MAX_SUSPENSION_DAYS * 24:
        message = _("Between one hour and %(n)d days.", n=MAX_SUSPENSION_DAYS)
        raise Invalid(message, fields={"days": message})
    person = target.user
    person.suspended_until = utcnow() + timedelta(days=days, hours=hours)
    audit.record(actor, "suspend", target_type="user", target_id=person.id,
                 cohort_id=target.cohort_id, reason=reason,
                 details={"until": person.suspended_until.isoformat()})
    pending = _notify(person, actor, "suspend", reason)
    db.session.commit()
    sessions.end_session(person)  # open chat pages reconnect and find they cannot write
    notifications.deliver(pending)
    return person


def ban(actor: User | None, user_id: int, reason: str) -> User:
    """Ban a person (global moderators): they cannot log in; every session ends now."""
    target = access.access_person(actor, user_id, ban=True)
    reason = clean_reason(reason, required=True)
    person = target.user
    if person.banned_at is not None:
        raise Invalid(_("This person is banned already."), code="already_banned")
    person.banned_at = utcnow()
    bump_session_version(person)
    audit.record(actor, "ban", target_type="user", target_id=person.id, cohort_id=None,
                 reason=reason)
    db.session.commit()
    sessions.end_session(person)
    return person


def lift(actor: User | None, user_id: int, reason: str = "") -> User:
    """Lift a suspension (facilitators, moderators) and a ban (global moderators only)."""
    target = access.access_person(actor, user_id)
    person = target.user
    if person.banned_at is not None:
        target = access.access_person(actor, user_id, ban=True)
    reason = clean_reason(reason, required=False)
    if person.banned_at is None and not person.is_suspended():
        raise Invalid(_("This person is neither suspended nor banned."), code="nothing_to_lift")
    lifted = {"ban": person.banned_at is not None, "suspension": person.is_suspended()}
    person.banned_at = None
    person.suspended_until = None
    audit.record(actor, "lift", target_type="user", target_id=person.id,
                 cohort_id=target.cohort_id, reason=reason, details=lifted)
    pending = _notify(person, actor, "lift", reason)
    db.session.commit()
    notifications.deliver(pending)
    return person


@dataclass
class PersonView:
    """A person's moderation page: status, what the moderator may do, recent entries."""

    user: User
    can_ban: bool
    history: list[AuditEntry]


def person_view(actor: User | None, user_id: int) -> PersonView:
    """The person and their recent moderation history (as far as the actor may see it)."""
    target = access.access_person(actor, user_id)
    query = select(AuditEntry).where(AuditEntry.target_type == "user",
                                     AuditEntry.target_id == target.user.id)
    scope = access.moderated_cohort_ids(actor)
    if scope is not None:
        query = query.where(AuditEntry.cohort_id.in_(sorted(scope)))
    history = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(20)))
    return PersonView(target.user, target.can_ban, history)
