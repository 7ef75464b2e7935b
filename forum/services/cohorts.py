"""Use cases about cohorts: create, edit, archive, membership management, cohort pages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.lib.realtime import broadcast, channel_room
from forum.models import (
    Channel,
    Cohort,
    CohortMembership,
    CohortRole,
    CohortStatus,
    Invitation,
    Role,
    User,
)
from forum.services import space_templates
from forum.services.access import access_cohort, require_admin, require_login
from forum.services.accounts import commit_or_invalid, normalise_email
from forum.services.chat import unread_counts
from forum.services.discussions import CategorySummary, list_categories
from forum.services.moderation import audit
from forum.services.presence import online_among
from forum.services.sessions import memberships_changed

ROLE_ORDER = {CohortRole.MODERATOR.value: 0, CohortRole.MENTOR.value: 1, CohortRole.MEMBER.value: 2}
COHORT_ROLES = tuple(role.value for role in CohortRole)


def slugify(text: str) -> str:
    """A lower-case ASCII slug: "JPO Orientation 2026 — Geneva" → "jpo-orientation-2026-geneva"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:70].strip("-") or "cohort"


def _unique_slug(name: str) -> str:
    """The slug of the name, with -2, -3... appended until no other cohort uses it."""
    base = slugify(name)
    taken = set(db.session.scalars(
        select(Cohort.slug).where(or_(Cohort.slug == base, Cohort.slug.like(f"{base}-%")))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate(name: str, programme: str, starts_on: date | None, ends_on: date | None,
              description: str) -> dict[str, str]:
    """Field errors for the cohort form (empty when all is well)."""
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["name"] = _("Enter a name (at most 120 characters).")
    if len(programme) > 120:
        errors["programme"] = _("At most 120 characters.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date cannot be before the start date.")
    if len(description) > 5000:
        errors["description"] = _("At most 5000 characters.")
    return errors


def build_cohort(name: str, programme: str = "", starts_on: date | None = None,
                 ends_on: date | None = None, description: str = "") -> Cohort:
    """Validate and add a cohort to the session without committing (callers commit once)."""
    name, programme, description = (name or "").strip(), (programme or "").strip(), \
        (description or "").strip()
    errors = _validate(name, programme, starts_on, ends_on, description)
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    cohort = Cohort(name=name, slug=_unique_slug(name), programme=programme,
                    starts_on=starts_on, ends_on=ends_on, description=description)
    db.session.add(cohort)
    return cohort


def _create(actor: User | None, name: str, programme: str, starts_on: date | None,
            ends_on: date | None, description: str,
            spaces: Collection[int] | None) -> Cohort:
    """The cohort and its template spaces in one transaction: all of it, or nothing."""
    cohort = build_cohort(name, programme, starts_on, ends_on, description)
    try:
        db.session.flush()  # the cohort's id and address name its spaces
        made = space_templates.add_cohort_spaces(
            cohort, space_templates.plan_spaces(cohort, spaces))
    except Invalid:
        db.session.rollback()  # never a cohort without the spaces the admin asked for
        raise
    details = {"name": cohort.name, "spaces": [space.name for space in made]}
    if actor is None:
        details["by"] = "operator"
    audit.record(actor, "cohort_create", target_type="cohort", target_id=cohort.id,
                 cohort_id=cohort.id, details=details)
    commit_or_invalid(_("A cohort or one of its spaces was just created with the same address. "
                        "Please try again."))
    return cohort


def create_cohort(user: User, name: str, programme: str = "", starts_on: date | None = None,
                  ends_on: date | None = None, description: str = "",
                  spaces: Collection[int] | None = None) -> Cohort:
    """An admin creates a cohort with the cohort template's spaces (all, or those chosen by
    their positions in the template)."""
    require_admin(user)
    return _create(user, name, programme, starts_on, ends_on, description, spaces)


def create_cohort_as_operator(name: str, programme: str = "", starts_on: date | None = None,
                              ends_on: date | None = None, description: str = "") -> Cohort:
    """The operator (CLI, shell access) creates a cohort with the template's spaces."""
    return _create(None, name, programme, starts_on, ends_on, description, None)


def _admin_cohort(user: User, cohort_id: int) -> Cohort:
    require_admin(user)
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    return cohort


def update_cohort(user: User, cohort_id: int, name: str, programme: str,
                  starts_on: date | None, ends_on: date | None, description: str) -> Cohort:
    """An admin edits a cohort; the slug stays, so shared links keep working."""
    cohort = _admin_cohort(user, cohort_id)
    name, programme, description = (name or "").strip(), (programme or "").strip(), \
        (description or "").strip()
    errors = _validate(name, programme, starts_on, ends_on, description)
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    cohort.name, cohort.programme, cohort.description = name, programme, description
    cohort.starts_on, cohort.ends_on = starts_on, ends_on
    db.session.commit()
    return cohort


def _member_ids(cohort_id: int) -> list[int]:
    return list(db.session.scalars(
        select(CohortMembership.user_id).where(CohortMembership.cohort_id == cohort_id)))


def set_cohort_status(user: User, cohort_id: int, archived: bool,
                      read_only: bool = False) -> Cohort:
    """Archive a cohort to alumni (read-only, or kept writable for its alumni), or reactivate it.

    Read-only: only the cohort's moderators still write in its spaces and channels (see
    access.writing). Open chat pages of its channels hear `channel:read_only` at once.
    """
    cohort = _admin_cohort(user, cohort_id)
    if read_only and not archived:
        message = _("Only an archived cohort can be read-only.")
        raise Invalid(message, fields={"read_only": message})
    was_read_only = cohort.is_read_only
    cohort.status = (CohortStatus.ALUMNI if archived else CohortStatus.ACTIVE).value
    cohort.read_only = bool(archived and read_only)
    user_ids = _member_ids(cohort.id)
    channel_ids = list(db.session.scalars(select(Channel.id).where(Channel.cohort_id == cohort.id)))
    audit.record(user, "cohort_archive" if archived else "cohort_unarchive",
                 target_type="cohort", target_id=cohort.id, cohort_id=cohort.id,
                 details={"read_only": cohort.read_only} if archived else None)
    db.session.commit()
    # Alumni cohorts may be read-only in chat: let live sockets re-evaluate.
    for user_id in user_ids:
        memberships_changed(user_id)
    if cohort.is_read_only != was_read_only:
        for channel_id in channel_ids:
            broadcast("channel:read_only", {"channel_id": channel_id,
                                            "read_only": cohort.is_read_only},
                      channel_room(channel_id))
    return cohort


@dataclass
class CohortSummary:
    """A cohort row on the admin list."""

    cohort: Cohort
    member_count: int


def list_cohorts(user: User) -> list[CohortSummary]:
    """Every cohort with its head count, active ones first (admins)."""
    require_admin(user)
    counts = (select(CohortMembership.cohort_id, func.count().label("n"))
              .group_by(CohortMembership.cohort_id).subquery())
    rows = db.session.execute(
        select(Cohort, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.cohort_id == Cohort.id)
        .order_by(Cohort.status, Cohort.starts_on.desc(), Cohort.name)).all()
    return [CohortSummary(cohort, n) for cohort, n in rows]


def _memberships(cohort_id: int) -> list[CohortMembership]:
    rows = db.session.scalars(
        select(CohortMembership).options(joinedload(CohortMembership.user))
        .where(CohortMembership.cohort_id == cohort_id)).all()
    return sorted(rows, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.user.display_name.lower()))


@dataclass
class CohortAdminView:
    """Everything the admin detail page shows."""

    cohort: Cohort
    memberships: list[CohortMembership]
    invitations: list[Invitation]
    spaces: CohortSpaces


def cohort_admin_view(user: User, cohort_id: int) -> CohortAdminView:
    """A cohort with its members and invitations (admins)."""
    cohort = _admin_cohort(user, cohort_id)
    invitations = list(db.session.scalars(
        select(Invitation).where(Invitation.cohort_id == cohort.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())))
    return CohortAdminView(cohort, _memberships(cohort.id), invitations,
                           cohort_spaces(user, cohort.id))


def _check_role(role: str) -> str:
    if role not in COHORT_ROLES:
        raise Invalid(_("Choose member, mentor or moderator."),
                      fields={"role": _("Choose member, mentor or moderator.")})
    return role


def promote_for_cohort_role(user: User, role: str) -> None:
    """Mentors in a cohort carry the site-wide mentor badge (members only; never a demotion)."""
    if role == CohortRole.MENTOR.value and user.role == Role.MEMBER.value:
        user.role = Role.MENTOR.value


def add_member(user: User, cohort_id: int, identifier: str, role: str) -> User:
    """An admin adds an existing user (username or email) to a cohort; returns that user."""
    cohort = _admin_cohort(user, cohort_id)
    _check_role(role)
    identifier = (identifier or "").strip().lstrip("@")
    person = db.session.scalar(select(User).where(or_(
        func.lower(User.username) == identifier.lower(),
        User.email == normalise_email(identifier)))) if identifier else None
    if person is None:
        raise Invalid(_("No user with this username or email."),
                      fields={"identifier": _("No user with this username or email.")})
    exists = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.user_id == person.id))
    if exists:
        raise Invalid(_("%(name)s is already in this cohort.", name=person.display_name),
                      fields={"identifier": _("Already in this cohort.")})
    db.session.add(CohortMembership(user_id=person.id, cohort_id=cohort.id, role=role))
    promote_for_cohort_role(person, role)
    audit.record(user, "member_add", target_type="user", target_id=person.id,
                 cohort_id=cohort.id, details={"role": role})
    commit_or_invalid(_("This person was just added by someone else."))
    memberships_changed(person.id)
    return person


def _admin_membership(user: User, cohort_id: int, membership_id: int) -> CohortMembership:
    _admin_cohort(user, cohort_id)
    membership = db.session.scalar(
        select(CohortMembership).options(joinedload(CohortMembership.user))
        .where(CohortMembership.id == membership_id, CohortMembership.cohort_id == cohort_id))
    if membership is None:
        raise NotFound()
    return membership


def change_member_role(user: User, cohort_id: int, membership_id: int,
                       role: str) -> CohortMembership:
    """An admin changes someone's role in a cohort (member, mentor, facilitator)."""
    membership = _admin_membership(user, cohort_id, membership_id)
    previous, membership.role = membership.role, _check_role(role)
    promote_for_cohort_role(membership.user, role)
    audit.record(user, "member_role", target_type="user", target_id=membership.user_id,
                 cohort_id=cohort_id, details={"from": previous, "to": role})
    db.session.commit()
    memberships_changed(membership.user_id)
    return membership


def remove_member(user: User, cohort_id: int, membership_id: int) -> None:
    """An admin removes someone from a cohort; their live sockets lose its rooms."""
    membership = _admin_membership(user, cohort_id, membership_id)
    user_id = membership.user_id
    db.session.delete(membership)
    audit.record(user, "member_remove", target_type="user", target_id=user_id,
                 cohort_id=cohort_id, details={"role": membership.role})
    db.session.commit()
    memberships_changed(user_id)


@dataclass
class MyCohort:
    """One of the user's cohorts and their role in it."""

    cohort: Cohort
    role: str


def my_cohorts(user: User) -> list[MyCohort]:
    """The cohorts the user belongs to, active first, newest first."""
    require_login(user)
    rows = db.session.execute(
        select(Cohort, CohortMembership.role)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == user.id)
        .order_by(Cohort.status, Cohort.starts_on.desc(), Cohort.name)).all()
    return [MyCohort(cohort, role) for cohort, role in rows]


@dataclass
class CohortPage:
    """A cohort page: the cohort, its facilitators, mentors and members."""

    cohort: Cohort
    facilitators: list[User]
    mentors: list[User]
    members: list[User]
    viewer_role: str | None
    online_ids: set[int] = field(default_factory=set)  # cohort presence: who is connected now
    spaces: CohortSpaces | None = None


@dataclass
class ChannelRow:
    """A cohort chat channel with the viewer's unread count."""

    channel: Channel
    unread: int


@dataclass
class CohortSpaces:
    """A cohort's categories (with the threads the viewer may see) and chat channels."""

    categories: list[CategorySummary]
    channels: list[ChannelRow]

    @property
    def empty(self) -> bool:
        """Whether the cohort has no space at all yet."""
        return not self.categories and not self.channels


def cohort_spaces(user: User, cohort_id: int) -> CohortSpaces:
    """The cohort's spaces as this reader sees them (thread counts follow their read rights:
    in an ask-a-mentor space a member counts only their own questions)."""
    access_cohort(user, cohort_id)
    categories = [s for s in list_categories(user) if s.category.cohort_id == cohort_id]
    channels = list(db.session.scalars(
        select(Channel).where(Channel.cohort_id == cohort_id).order_by(Channel.id)))
    unread = unread_counts(user, [c.id for c in channels]) if channels else {}
    return CohortSpaces(categories, [ChannelRow(c, unread.get(c.id, 0)) for c in channels])


def cohort_page(user: User, slug: str) -> CohortPage:
    """A cohort page, for its people, global moderators and admins; NotFound for anyone else."""
    require_login(user)
    cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.slug == slug))
    if cohort_id is None:
        raise NotFound()
    cohort = access_cohort(user, cohort_id)
    groups: dict[str, list[User]] = {role: [] for role in COHORT_ROLES}
    viewer_role = None
    for membership in _memberships(cohort.id):
        groups.setdefault(membership.role, []).append(membership.user)
        if membership.user_id == user.id:
            viewer_role = membership.role
    people = [person.id for group in groups.values() for person in group]
    return CohortPage(cohort, groups[CohortRole.MODERATOR.value], groups[CohortRole.MENTOR.value],
                      groups[CohortRole.MEMBER.value], viewer_role, online_among(people),
                      cohort_spaces(user, cohort.id))
