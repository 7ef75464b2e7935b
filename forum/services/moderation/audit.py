"""The audit log: every moderator and admin action, append-only, readable by moderators.

`record()` only adds a row to the caller's transaction (the caller commits once, so an action
and its trail are written together or not at all). Nothing in the code updates or deletes a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from forum.errors import Invalid
from forum.extensions import db
from forum.models import AuditEntry, Cohort, User
from forum.services import access

PAGE_SIZE = 50

ACTIONS = (
    "hide", "restore", "delete", "edit", "dismiss", "lock", "unlock", "pin", "unpin", "move",
    "auto_hide", "word_hold", "warn", "suspend", "ban", "lift",
    "role_change", "cohort_create", "cohort_archive", "cohort_unarchive", "invitation_create",
    "invitation_revoke", "roster_import", "member_add", "member_role", "member_remove",
)
TARGET_TYPES = ("post", "thread", "message", "user", "cohort", "invitation")


def record(actor: User | None, action: str, *, target_type: str = "",
           target_id: int | None = None, cohort_id: int | None = None, reason: str = "",
           details: dict | None = None) -> AuditEntry:
    """Add one audit row to the current transaction (actor None: the automatic protection)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        action=action, target_type=target_type, target_id=target_id, cohort_id=cohort_id,
        reason=reason or "", details=json.dumps(details, sort_keys=True) if details else "",
    )
    db.session.add(entry)
    return entry


@dataclass
class AuditFilters:
    """What the audit page filters on (all optional)."""

    actor: str = ""
    action: str = ""
    target_type: str = ""
    cohort_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class AuditPage:
    """One page of entries, newest first, with the cursor of the next page."""

    entries: list[AuditEntry]
    next_before: int | None
    cohorts: dict[int, str]


def list_entries(user: User | None, filters: AuditFilters,
                 before: int | None = None) -> AuditPage:
    """Entries the user may see (facilitators: their cohorts' entries), filtered, by cursor."""
    scope = access.require_moderator(user)
    query = select(AuditEntry)
    if scope is not None:
        query = query.where(AuditEntry.cohort_id.in_(sorted(scope)))
    if filters.actor:
        name = filters.actor.strip().lstrip("@").lower()
        query = query.where(AuditEntry.actor_name == name) if name != "system" else \
            query.where(AuditEntry.actor_id.is_(None))
    if filters.action:
        if filters.action not in ACTIONS:
            raise Invalid(_("Unknown action."), fields={"action": _("Unknown action.")})
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        if filters.target_type not in TARGET_TYPES:
            raise Invalid(_("Unknown kind."), fields={"target_type": _("Unknown kind.")})
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.cohort_id is not None:
        query = query.where(AuditEntry.cohort_id == filters.cohort_id)
    if filters.since:
        query = query.where(AuditEntry.created_at >= datetime.combine(filters.since, time(),
                                                                       tzinfo=UTC))
    if filters.until:
        end = datetime.combine(filters.until, time(), tzinfo=UTC) + timedelta(days=1)
        query = query.where(AuditEntry.created_at < end)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)))
    next_before = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    cohort_ids = sorted({r.cohort_id for r in rows if r.cohort_id is not None})
    names = dict(db.session.execute(
        select(Cohort.id, Cohort.name).where(Cohort.id.in_(cohort_ids))).all()) if cohort_ids \
        else {}
    return AuditPage(rows, next_before, names)


def audit_cohort_choices(user: User | None) -> list[tuple[int, str]]:
    """Cohorts the user may filter the audit log by."""
    scope = access.require_moderator(user)
    query = select(Cohort.id, Cohort.name).order_by(Cohort.name)
    if scope is not None:
        query = query.where(Cohort.id.in_(sorted(scope)))
    return [(cid, name) for cid, name in db.session.execute(query).all()]
