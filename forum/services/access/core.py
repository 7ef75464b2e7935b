"""Who may see and do what, at the level of people and cohorts.

Every entry point (pages, API, sockets) asks these functions; nothing else decides access.
Invisible things raise NotFound, never Forbidden, so existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from forum.errors import Forbidden, NotFound, Unauthorized
from forum.extensions import db
from forum.lib.dates import format_moment
from forum.models import (
    Cohort,
    CohortMembership,
    CohortRestriction,
    CohortRole,
    CohortStatus,
    Role,
    User,
    utcnow,
)

__all__ = [
    "WriteFacts",
    "access_cohort",
    "can_moderate_cohort",
    "can_read_cohort",
    "cohort_member_clause",
    "cohort_role",
    "forget_memberships",
    "global_moderator_clause",
    "member_cohort_ids",
    "member_write_facts",
    "moderated_cohort_ids",
    "prime_memberships",
    "require_active",
    "require_admin",
    "require_login",
    "visible_cohort_clause",
]


def _memberships(user: User) -> dict[int, str]:
    """cohort_id → cohort role for this user, cached for the current request or event."""
    cache: dict[int, dict[int, str]] | None = (
        g.setdefault("_memberships", {}) if has_app_context() else None
    )
    if cache is not None and user.id in cache:
        return cache[user.id]
    return _load_memberships(user.id)


def _load_memberships(user_id: int) -> dict[int, str]:
    """Roles and write facts of one user in one query; both cached for the request.

    The write facts (is the cohort archived read-only, until when is the user restricted there)
    come with the roles, so the pages and writes that ask them cost no query of their own.
    """
    read_only = and_(Cohort.status == CohortStatus.ALUMNI.value, Cohort.read_only.is_(True))
    rows = db.session.execute(
        select(CohortMembership.cohort_id, CohortMembership.role, read_only,
               CohortRestriction.until)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .outerjoin(CohortRestriction, and_(CohortRestriction.user_id == CohortMembership.user_id,
                                           CohortRestriction.cohort_id == Cohort.id))
        .where(CohortMembership.user_id == user_id)
    ).all()
    roles = {cohort_id: role for cohort_id, role, _ro, _until in rows}
    facts = {cohort_id: WriteFacts(bool(ro), until) for cohort_id, _role, ro, until in rows}
    if has_app_context():
        g.setdefault("_memberships", {})[user_id] = roles
        g.setdefault("_write_facts", {})[user_id] = facts
    return roles


@dataclass(frozen=True)
class WriteFacts:
    """What limits a member's writes in one cohort: archived read-only, a facilitator's
    restriction (until when; it may have ended)."""

    read_only: bool
    restricted_until: datetime | None

    def restricted(self, now: datetime | None = None) -> bool:
        """Whether the restriction is still running."""
        return self.restricted_until is not None and self.restricted_until > (now or utcnow())


def member_write_facts(user: User, cohort_id: int) -> WriteFacts | None:
    """The user's write facts in a cohort they belong to (None: not a member)."""
    roles = g.setdefault("_memberships", {})
    facts = g.setdefault("_write_facts", {}).get(user.id)
    # Valid only next to the roles they were loaded with (memberships primed for many people
    # come without facts; a dropped role cache drops them too): else load this user's own.
    if facts is None or user.id not in roles:
        _load_memberships(user.id)
        facts = g.get("_write_facts", {}).get(user.id, {})
    return facts.get(cohort_id)


def prime_memberships(user_ids: list[int]) -> None:
    """Load the memberships of many people in one query (e.g. every recipient of a
    notification), so the per-person checks that follow do not query one by one."""
    if not has_app_context():
        return
    cache: dict[int, dict[int, str]] = g.setdefault("_memberships", {})
    missing = sorted({uid for uid in user_ids if uid not in cache})
    if not missing:
        return
    rows = db.session.execute(
        select(CohortMembership.user_id, CohortMembership.cohort_id, CohortMembership.role)
        .where(CohortMembership.user_id.in_(missing))
    ).all()
    for uid in missing:
        cache[uid] = {}
    for uid, cohort_id, role in rows:
        cache[uid][cohort_id] = role


def forget_memberships(user_id: int) -> None:
    """Drop the cached memberships (and write facts) of a user after they changed."""
    if has_app_context():
        g.setdefault("_memberships", {}).pop(user_id, None)
        g.setdefault("_write_facts", {}).pop(user_id, None)


def require_login(user: User | None) -> User:
    """Return the user, or raise Unauthorized for anonymous visitors."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise Unauthorized()
    return user


def require_active(user: User | None) -> User:
    """A logged-in user who is neither banned nor suspended (may write)."""
    user = require_login(user)
    if user.banned_at is not None:
        raise Forbidden(_("This account is banned."), code="banned")
    if user.is_suspended():
        until = format_moment(user.suspended_until)
        raise Forbidden(_("Your account is suspended until %(until)s.", until=until),
                        code="suspended")
    return user


def require_admin(user: User | None) -> User:
    """An administrator, or Forbidden."""
    user = require_login(user)
    if not user.is_admin:
        raise Forbidden()
    return user


def member_cohort_ids(user: User | None) -> set[int]:
    """Cohorts the user belongs to in any role (member, mentor, facilitator)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(_memberships(user))


def cohort_role(user: User | None, cohort_id: int) -> str | None:
    """The user's role in a cohort, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return _memberships(user).get(cohort_id)


def can_read_cohort(user: User | None, cohort_id: int | None) -> bool:
    """Global content (cohort_id None) is for every member; cohort content for its people."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if cohort_id is None or user.is_global_moderator:
        return True
    return cohort_id in _memberships(user)


def visible_cohort_clause(user: User | None, column) -> ColumnElement[bool]:
    """A WHERE clause limiting rows with a nullable cohort column to what the user may read."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.is_global_moderator:
        return true()
    ids = sorted(_memberships(user))
    return or_(column.is_(None), column.in_(ids)) if ids else column.is_(None)


def access_cohort(user: User | None, cohort_id: int) -> Cohort:
    """Fetch a cohort the user may read, or raise NotFound."""
    if not can_read_cohort(user, cohort_id):
        raise NotFound()
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    return cohort


def can_moderate_cohort(user: User | None, cohort_id: int | None) -> bool:
    """Global moderators moderate everything; facilitators only their cohorts."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_global_moderator:
        return True
    return cohort_id is not None and _memberships(user).get(cohort_id) == CohortRole.MODERATOR.value


def moderated_cohort_ids(user: User | None) -> set[int] | None:
    """Cohorts the user moderates; None means all of them (global moderator or admin)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if user.is_global_moderator:
        return None
    return {cid for cid, role in _memberships(user).items() if role == CohortRole.MODERATOR.value}


# --------------------------------------------------------------------------- correlated clauses
# The same rules as SQL about a user given as a column (e.g. the recipient of each notification
# row), so many rows of many people are checked inside one statement.


def global_moderator_clause(user_id) -> ColumnElement[bool]:
    """Whether the user (a column) is a global moderator or an admin, as of now."""
    return exists().where(User.id == user_id,
                          User.role.in_((Role.MODERATOR.value, Role.ADMIN.value))
                          ).correlate_except(User)


def cohort_member_clause(user_id, cohort_id, roles: tuple[str, ...] | None = None,
                         ) -> ColumnElement[bool]:
    """Whether the user (a column) belongs to the cohort (a column), in one of `roles` if given."""
    clause = exists().where(CohortMembership.user_id == user_id,
                            CohortMembership.cohort_id == cohort_id)
    if roles:
        clause = clause.where(CohortMembership.role.in_(roles))
    # Correlated with every enclosing statement, however deep: the user and cohort columns
    # come from there (auto-correlation only looks one level up).
    return clause.correlate_except(CohortMembership)
