"""Moderator actions on people: warn, suspend, ban, lift.

Suspension and ban cut the person's live sockets at once (after the commit); a ban also bumps
the session version so every session and remember-me cookie stops working. A facilitator's
suspension is a cohort restriction (models.CohortRestriction): it limits the person's writes in
the facilitator's cohorts only, and a facilitator never lifts what a global moderator imposed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from forum.errors import Invalid
from forum.extensions import db
from forum.lib.realtime import send_to_user
from forum.models import AuditEntry, Cohort, CohortRestriction, User, utcnow
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
    """Suspend for a duration: the person reads but cannot post, chat, react or flag.

    A global moderator suspends site-wide. A facilitator restricts the person in the cohorts
    they facilitate only: the rest of the site is not theirs to close.
    """
    target = access.access_person(actor, user_id)
    reason = clean_reason(reason, required=True)
    days, hours = int(days or 0), int(hours or 0)
    if days < 0 or hours < 0 or not 0 < days * 24 + hours <= MAX_SUSPENSION_DAYS * 24:
        message = _("Between one hour and %(n)d days.", n=MAX_SUSPENSION_DAYS)
        raise Invalid(message, fields={"days": message})
    person = target.user
    until = utcnow() + timedelta(days=days, hours=hours)
    if not target.site_wide:
        return _restrict(actor, target, until, reason)
    person.suspended_until = until
    audit.record(actor, "suspend", target_type="user", target_id=person.id,
                 cohort_id=target.cohort_id, reason=reason,
                 details={"until": person.suspended_until.isoformat(), "scope": "site"})
    pending = _notify(person, actor, "suspend", reason)
    db.session.commit()
    sessions.end_session(person)  # open chat pages reconnect and find they cannot write
    notifications.deliver(pending)
    return person


def _restrict(actor: User, target: access.PersonTarget, until: datetime, reason: str) -> User:
    """A facilitator's suspension: one restriction per cohort of theirs the person is in."""
    person = target.user
    existing = {r.cohort_id: r for r in db.session.scalars(select(CohortRestriction).where(
        CohortRestriction.user_id == person.id,
        CohortRestriction.cohort_id.in_(target.cohort_ids)))}
    for cohort_id in target.cohort_ids:
        row = existing.get(cohort_id)
        if row is None:
            db.session.add(CohortRestriction(user_id=person.id, cohort_id=cohort_id,
                                             until=until, actor_id=actor.id, reason=reason))
        else:
            row.until, row.actor_id, row.reason, row.created_at = until, actor.id, reason, utcnow()
        audit.record(actor, "suspend", target_type="user", target_id=person.id,
                     cohort_id=cohort_id, reason=reason,
                     details={"until": until.isoformat(), "scope": "cohort"})
    pending = _notify(person, actor, "suspend", reason)
    db.session.commit()
    access.forget_memberships(person.id)
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
    """Lift what the actor may lift: a global moderator lifts the ban, the site-wide suspension
    and every cohort restriction; a facilitator only the restrictions in their cohorts."""
    target = access.access_person(actor, user_id)
    person = target.user
    if person.banned_at is not None:
        target = access.access_person(actor, user_id, ban=True)
    reason = clean_reason(reason, required=False)
    scope = None if target.site_wide else target.cohort_ids
    restrictions = _active_restrictions(person.id, scope)
    suspended = person.is_suspended()
    if not target.site_wide and not restrictions and suspended:
        raise access.global_action_error()  # the site-wide suspension is not theirs to lift
    if person.banned_at is None and not restrictions and (
            not suspended or not target.site_wide):
        raise Invalid(_("This person is neither suspended nor banned."), code="nothing_to_lift")
    lifted = {"ban": person.banned_at is not None,
              "suspension": suspended and target.site_wide,
              "cohorts": sorted(r.cohort_id for r in restrictions)}
    if target.site_wide:
        person.banned_at = None
        person.suspended_until = None
    for restriction in restrictions:
        db.session.delete(restriction)
    for cohort_id in lifted["cohorts"] if not target.site_wide else [target.cohort_id]:
        audit.record(actor, "lift", target_type="user", target_id=person.id,
                     cohort_id=cohort_id, reason=reason, details=lifted)
    pending = _notify(person, actor, "lift", reason)
    db.session.commit()
    access.forget_memberships(person.id)
    if lifted["suspension"]:
        # Open chat pages enable their composer again without a reload.
        send_to_user(person.id, "account:state", {"code": "active"})
    notifications.deliver(pending)
    return person


def _active_restrictions(user_id: int, cohort_ids: list[int] | None) -> list[CohortRestriction]:
    """The person's running cohort restrictions (in these cohorts; None: all of them)."""
    query = select(CohortRestriction).where(CohortRestriction.user_id == user_id,
                                            CohortRestriction.until > utcnow())
    if cohort_ids is not None:
        query = query.where(CohortRestriction.cohort_id.in_(cohort_ids))
    return list(db.session.scalars(query.order_by(CohortRestriction.cohort_id)))


@dataclass
class Restriction:
    """A running cohort restriction as the moderation page shows it."""

    cohort: Cohort
    until: datetime
    reason: str


@dataclass
class PersonView:
    """A person's moderation page: status, what the moderator may do, recent entries."""

    user: User
    can_ban: bool
    history: list[AuditEntry]
    # Cohort restrictions the actor can see (a facilitator: in their cohorts only).
    restrictions: list[Restriction] = field(default_factory=list)
    site_wide: bool = True  # the actor suspends site-wide (else: restricts in their cohorts)
    can_lift: bool = False

    @property
    def lift_blocked_by_global(self) -> bool:
        """A facilitator facing a site-wide suspension only a global moderator may lift."""
        return not self.site_wide and self.user.is_suspended() and not self.restrictions


def person_view(actor: User | None, user_id: int) -> PersonView:
    """The person and their recent moderation history (as far as the actor may see it)."""
    target = access.access_person(actor, user_id)
    query = select(AuditEntry).where(AuditEntry.target_type == "user",
                                     AuditEntry.target_id == target.user.id)
    scope = access.moderated_cohort_ids(actor)
    if scope is not None:
        query = query.where(AuditEntry.cohort_id.in_(sorted(scope)))
    history = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(20)))
    rows = _active_restrictions(target.user.id, None if target.site_wide else target.cohort_ids)
    cohorts = {c.id: c for c in db.session.scalars(
        select(Cohort).where(Cohort.id.in_([r.cohort_id for r in rows])))} if rows else {}
    restrictions = [Restriction(cohorts[r.cohort_id], r.until, r.reason) for r in rows]
    person = target.user
    can_lift = bool(restrictions) or (target.site_wide and (
        person.banned_at is not None or person.is_suspended()))
    return PersonView(person, target.can_ban, history, restrictions, target.site_wide, can_lift)
