"""Who may write where: the cohort-level limits on top of an account in good standing.

Two things stop a person writing in a cohort's spaces and channels while they still read them:

- the cohort is archived **read-only**: only its moderators (its facilitators, global moderators,
  admins) still post, reply, edit, react, accept answers and chat there. Reading, flagging,
  watching, read markers and deleting one's own words stay possible (an archive keeps its
  record, but nobody is stuck with something they wrote);
- a facilitator **restricted** the person in that cohort (a cohort-scoped suspension): until it
  ends they cannot post, reply, edit, react, flag or chat there; everywhere else they are
  unaffected.

Site-wide limits (ban, suspension by a global moderator) are `require_active`. Every writer asks
`require_can_write(user, cohort_id)` after its read check, so a refusal never reveals a space the
user cannot read.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from forum.errors import Forbidden
from forum.extensions import db
from forum.lib.dates import format_moment
from forum.models import Cohort, User, utcnow
from forum.services.access.core import (
    can_moderate_cohort,
    member_write_facts,
    require_active,
)

__all__ = [
    "can_write_cohort",
    "cohort_notice",
    "cohort_write_refusal",
    "read_only_error",
    "require_can_write",
    "restricted_error",
]


def read_only_error() -> Forbidden:
    """The refusal of a write in a cohort archived read-only (code `read_only`)."""
    return Forbidden(_("This cohort is archived: read-only."), code="read_only")


def restricted_error(until: datetime) -> Forbidden:
    """The refusal of a write by someone a facilitator restricted in this cohort."""
    return Forbidden(_("A facilitator restricted you in this cohort until %(until)s: you can "
                       "read, but not post, chat or react here.",
                       until=format_moment(until)), code="cohort_restricted")


def _authenticated(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def cohort_write_refusal(user: User | None, cohort_id: int | None, *,
                         flagging: bool = False) -> Forbidden | None:
    """Why the user may not write in this cohort's spaces (None: they may).

    Flags (`flagging=True`) stay open in a read-only archive: reporting is how harm reaches
    the moderators, and moderators still act there.
    """
    if cohort_id is None or not _authenticated(user):
        return None
    facts = member_write_facts(user, cohort_id)
    if facts is None:
        return None  # not a member: a global moderator (or no read access, refused before)
    if facts.restricted():
        return restricted_error(facts.restricted_until)
    if facts.read_only and not flagging and not can_moderate_cohort(user, cohort_id):
        return read_only_error()
    return None


def require_can_write(user: User | None, cohort_id: int | None, *,
                      flagging: bool = False) -> User:
    """An active user who may write in this cohort's spaces (None: a global space), or raise."""
    user = require_active(user)
    refusal = cohort_write_refusal(user, cohort_id, flagging=flagging)
    if refusal is not None:
        raise refusal
    return user


def can_write_cohort(user: User | None, cohort_id: int | None) -> bool:
    """Whether the user may write in this cohort's spaces now (pages show or hide composers)."""
    try:
        require_can_write(user, cohort_id)
    except Forbidden:
        return False
    return True


def cohort_notice(user: User | None, cohort_id: int | None) -> str | None:
    """The banner a page of this cohort shows the user: read-only archive, or their restriction."""
    if cohort_id is None or not _authenticated(user):
        return None
    facts = member_write_facts(user, cohort_id)
    if facts is not None and facts.restricted(utcnow()):
        return restricted_error(facts.restricted_until).message
    read_only = facts.read_only if facts is not None else _is_read_only(cohort_id)
    if not read_only:
        return None
    if can_moderate_cohort(user, cohort_id):
        return _("This cohort is archived: read-only. As a moderator you can still write here.")
    return read_only_error().message


def _is_read_only(cohort_id: int) -> bool:
    """For people outside the cohort (global moderators): the cohort row itself."""
    cohort = db.session.get(Cohort, cohort_id)
    return cohort is not None and cohort.is_read_only
