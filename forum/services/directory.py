"""The member directory and find-a-mentor.

Who is listed: the people of the viewer's cohorts, every mentor (site mentors and cohort
mentors), and people who share a global space with the viewer — they have written in a global
category or a global chat channel, where the viewer already sees their name — plus the site's
moderators and admins, who serve every space. Everyone else in other cohorts stays invisible.
Banned accounts are never listed. A card shows only the cohorts the viewer may read, so a
cohort's roster never leaks through a mentor or a global-space poster. Global moderators and
admins, who may read every cohort, see everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, false, func, or_, select

from forum.errors import Invalid
from forum.extensions import db
from forum.models import (
    Category,
    Channel,
    ChannelKind,
    Cohort,
    CohortMembership,
    CohortRole,
    Message,
    Post,
    Role,
    Thread,
    User,
    UserExpertise,
)
from forum.services.access import member_cohort_ids, require_login

__all__ = ["DirectoryFilters", "DirectoryPage", "MemberCard", "directory",
           "visible_members_clause"]

PER_PAGE = 24
MAX_PAGE = 200


@dataclass(frozen=True)
class DirectoryFilters:
    """Narrowing of the directory; text filters match case-insensitively anywhere."""

    name: str | None = None
    organisation: str | None = None
    duty_station: str | None = None
    sponsoring_country: str | None = None
    expertise: str | None = None  # one expertise tag, exact (tags are stored lower-case)
    open_to_mentoring: bool = False
    mentors: bool = False  # find-a-mentor: mentors and people open to mentoring


@dataclass
class CardCohort:
    """A cohort on a card (only those the viewer may read) and the person's role there."""

    slug: str
    name: str
    role: str


@dataclass
class MemberCard:
    """What the directory shows of a person, as plain data."""

    id: int
    username: str
    display_name: str
    organisation: str
    duty_station: str
    sponsoring_country: str
    open_to_mentoring: bool
    is_mentor: bool
    expertise: list[str] = field(default_factory=list)
    cohorts: list[CardCohort] = field(default_factory=list)
    avatar_token: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form of the card."""
        return {
            "id": self.id, "username": self.username, "display_name": self.display_name,
            "organisation": self.organisation, "duty_station": self.duty_station,
            "sponsoring_country": self.sponsoring_country,
            "open_to_mentoring": self.open_to_mentoring, "is_mentor": self.is_mentor,
            "expertise": list(self.expertise),
            "cohorts": [{"slug": c.slug, "name": c.name, "role": c.role} for c in self.cohorts],
        }


@dataclass
class DirectoryPage:
    """One page of cards, in name order."""

    members: list[MemberCard]
    page: int = 1
    per_page: int = PER_PAGE
    has_next: bool = False


def _is_mentor_clause() -> ColumnElement[bool]:
    return or_(
        User.role == Role.MENTOR.value,
        exists().where(CohortMembership.user_id == User.id,
                       CohortMembership.role == CohortRole.MENTOR.value),
    )


def _in_global_space_clause() -> ColumnElement[bool]:
    """The person wrote somewhere every member reads: a global category or global channel."""
    global_post = (
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(Post.author_id == User.id, Category.cohort_id.is_(None),
               Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Thread.deleted_at.is_(None), Thread.hidden_at.is_(None))
    )
    global_message = (
        select(Message.id)
        .join(Channel, Channel.id == Message.channel_id)
        .where(Message.author_id == User.id, Channel.kind == ChannelKind.GLOBAL.value,
               Message.deleted_at.is_(None), Message.hidden_at.is_(None))
    )
    return or_(global_post.exists(), global_message.exists())


def visible_members_clause(user: User) -> ColumnElement[bool]:
    """WHERE clause on User: the people the viewer may find in the directory."""
    not_banned = User.banned_at.is_(None)
    if user.is_global_moderator:
        return not_banned
    cohorts = sorted(member_cohort_ids(user))
    shares_cohort = exists().where(CohortMembership.user_id == User.id,
                                   CohortMembership.cohort_id.in_(cohorts))
    return not_banned & or_(
        User.id == user.id,
        shares_cohort if cohorts else false(),
        _is_mentor_clause(),
        User.role.in_((Role.MODERATOR.value, Role.ADMIN.value)),
        _in_global_space_clause(),
    )


def _contains(column, value: str) -> ColumnElement[bool]:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _filter_clauses(filters: DirectoryFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.name and filters.name.strip():
        name = filters.name.strip().lstrip("@")
        clauses.append(or_(_contains(User.display_name, name), _contains(User.username, name)))
    for key in ("organisation", "duty_station", "sponsoring_country"):
        value = (getattr(filters, key) or "").strip()
        if value:
            clauses.append(_contains(getattr(User, key), value))
    if filters.expertise and filters.expertise.strip():
        tag = " ".join(filters.expertise.split()).lower()
        clauses.append(exists().where(UserExpertise.user_id == User.id, UserExpertise.tag == tag))
    if filters.open_to_mentoring:
        clauses.append(User.open_to_mentoring.is_(True))
    if filters.mentors:
        clauses.append(or_(_is_mentor_clause(), User.open_to_mentoring.is_(True)))
    return clauses


def directory(user: User, filters: DirectoryFilters | None = None, page: int = 1,
              per_page: int = PER_PAGE) -> DirectoryPage:
    """A page of the people the user may find, filtered, in name order (plain data)."""
    user = require_login(user)
    filters = filters or DirectoryFilters()
    if page < 1 or page > MAX_PAGE:
        message = _("Pages go from 1 to %(max)s; try a filter.", max=MAX_PAGE)
        raise Invalid(message, fields={"page": message})
    people = list(db.session.scalars(
        select(User)
        .where(visible_members_clause(user), *_filter_clauses(filters))
        .order_by(func.lower(User.display_name), User.id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ))
    has_next = len(people) > per_page
    people = people[:per_page]
    ids = [p.id for p in people]
    expertise: dict[int, list[str]] = {i: [] for i in ids}
    cohorts: dict[int, list[CardCohort]] = {i: [] for i in ids}
    mentor_ids: set[int] = set()
    if ids:
        for user_id, tag in db.session.execute(
            select(UserExpertise.user_id, UserExpertise.tag)
            .where(UserExpertise.user_id.in_(ids)).order_by(UserExpertise.tag)
        ):
            expertise[user_id].append(tag)
        # Memberships of every listed person, but only cohorts the viewer may read are shown;
        # the mentor badge comes from the same rows (any cohort), which reveals no cohort.
        readable = None if user.is_global_moderator else set(member_cohort_ids(user))
        for user_id, role, cohort_id, slug, name in db.session.execute(
            select(CohortMembership.user_id, CohortMembership.role, Cohort.id, Cohort.slug,
                   Cohort.name)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(CohortMembership.user_id.in_(ids)).order_by(Cohort.name)
        ):
            if role == CohortRole.MENTOR.value:
                mentor_ids.add(user_id)
            if readable is None or cohort_id in readable:
                cohorts[user_id].append(CardCohort(slug, name, role))
    cards = [
        MemberCard(
            id=p.id, username=p.username, display_name=p.display_name,
            organisation=p.organisation, duty_station=p.duty_station,
            sponsoring_country=p.sponsoring_country, open_to_mentoring=p.open_to_mentoring,
            is_mentor=p.is_mentor or p.id in mentor_ids,
            expertise=expertise[p.id], cohorts=cohorts[p.id], avatar_token=p.avatar_token,
        )
        for p in people
    ]
    return DirectoryPage(cards, page=page, per_page=per_page, has_next=has_next)
