"""Who can read a thread in a given space: the audience a moderator sees before a move.

The same rules as access.discussions, written as SQL over people: global spaces are read by
everyone; a cohort's spaces by its people plus the global moderators and admins; in an "ask a
mentor" space only the thread's author, the space's mentors and facilitators (site mentors for
a global one) and the global moderators. Banned accounts are not counted (they cannot log in).
A move *widens* the audience when the destination's rule admits somebody the origin's does not
(also people who join the cohort later), so a question moved into a space that today holds the
same people still asks first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, exists, func, literal, or_, select

from forum.extensions import db
from forum.models import (
    Category,
    Channel,
    ChannelKind,
    Cohort,
    CohortMembership,
    CohortRole,
    Role,
    Thread,
    User,
)
from forum.services.access.chat import channel_audience_clause

__all__ = ["Audience", "MoveAudience", "channel_space_audience", "move_audience",
           "space_audience", "space_readers"]

_STAFF = (Role.MODERATOR.value, Role.ADMIN.value)
_COHORT_MENTORS = (CohortRole.MENTOR.value, CohortRole.MODERATOR.value)


def _readers(category: Category, author_id: int | None) -> Select:
    """SELECT users.id of every (not banned) person who could read the author's thread there."""
    staff = User.role.in_(_STAFF)
    author = User.id == author_id if author_id is not None else literal(False)
    if category.cohort_id is None:
        if not category.is_ask_mentor:
            rule = literal(True)
        else:
            rule = or_(staff, author, User.role == Role.MENTOR.value)
    else:
        membership = exists().where(CohortMembership.user_id == User.id,
                                    CohortMembership.cohort_id == category.cohort_id)
        if category.is_ask_mentor:
            membership = membership.where(CohortMembership.role.in_(_COHORT_MENTORS))
            rule = or_(staff, author, membership)
        else:
            rule = or_(staff, membership)
    return select(User.id).where(User.banned_at.is_(None), rule)


def space_readers(category: Category, author_id: int | None) -> Select:
    """SELECT users.id of everyone who could read a thread by this author in this category
    (the composer's @mention candidates come only from these)."""
    return _readers(category, author_id)


@dataclass
class Audience:
    """Who reads a thread in one space: a sentence for people, and a head count."""

    text: str
    count: int


def space_audience(category: Category, author_id: int | None) -> Audience:
    """Who could read a thread by this author in this category."""
    count = db.session.scalar(select(func.count()).select_from(
        _readers(category, author_id).subquery())) or 0
    cohort = db.session.get(Cohort, category.cohort_id) if category.cohort_id else None
    if cohort is None and not category.is_ask_mentor:
        text = ngettext("Everyone on Commons (%(num)d member)",
                        "Everyone on Commons (%(num)d members)", count)
    elif cohort is None:
        text = ngettext("Its author, the site's mentors and the moderators (%(num)d person)",
                        "Its author, the site's mentors and the moderators (%(num)d people)",
                        count)
    elif category.is_ask_mentor:
        text = ngettext("Its author, the mentors and facilitators of the cohort “%(cohort)s” "
                        "and the moderators (%(num)d person)",
                        "Its author, the mentors and facilitators of the cohort “%(cohort)s” "
                        "and the moderators (%(num)d people)", count, cohort=cohort.name)
    else:
        text = ngettext("Members of the cohort “%(cohort)s”, its mentors and the moderators "
                        "(%(num)d person)",
                        "Members of the cohort “%(cohort)s”, its mentors and the moderators "
                        "(%(num)d people)", count, cohort=cohort.name)
    return Audience(text, count)


def _within(destination: Category, origin: Category) -> bool:
    """Whether the destination's rule admits nobody the origin's rule does not (today or later:
    people who join a cohort or become mentors count too)."""
    if origin.cohort_id is None and not origin.is_ask_mentor:
        return True  # everyone reads the origin already
    if destination.cohort_id is None:
        return destination.is_ask_mentor and origin.cohort_id is None  # site mentors: same rule
    if destination.cohort_id != origin.cohort_id:
        return False
    # Same cohort: its discussions admit all of it; its ask-a-mentor space only its mentors.
    return destination.is_ask_mentor or not origin.is_ask_mentor


@dataclass
class MoveAudience:
    """A thread's readers now and after a move, and how many people would gain access today."""

    now: Audience
    after: Audience
    gained: int
    wider: bool  # by the rules: someone could read it there who cannot here (now or later)

    @property
    def widens(self) -> bool:
        """Whether the move needs the moderator's confirmation."""
        return self.wider or self.gained > 0

    @property
    def warning(self) -> str:
        """The sentence asking the moderator to confirm a wider audience."""
        return ngettext(
            "%(after)s will be able to read this thread: %(num)d person who cannot read it "
            "now. Now: %(now)s.",
            "%(after)s will be able to read this thread: %(num)d people who cannot read it "
            "now. Now: %(now)s.", self.gained, after=self.after.text, now=self.now.text)


def move_audience(thread: Thread, origin: Category, destination: Category) -> MoveAudience:
    """Readers of the thread in its category and in the destination, and who would gain."""
    gained_ids = _readers(destination, thread.author_id).except_(
        _readers(origin, thread.author_id)).subquery()
    gained = db.session.scalar(select(func.count()).select_from(gained_ids)) or 0
    return MoveAudience(space_audience(origin, thread.author_id),
                        space_audience(destination, thread.author_id), gained,
                        wider=not _within(destination, origin))



# --------------------------------------------------------------------------- chat → thread


def _channel_readers(channel: Channel) -> Select:
    """SELECT users.id of every (not banned) person who may read the chat channel now."""
    readable = exists().where(Channel.id == channel.id, channel_audience_clause(User.id))
    return select(User.id).where(User.banned_at.is_(None), readable)


def _channel_text(channel: Channel) -> Audience:
    count = db.session.scalar(select(func.count()).select_from(
        _channel_readers(channel).subquery())) or 0
    if channel.kind == ChannelKind.GLOBAL.value:
        text = ngettext("Everyone on Commons (%(num)d member)",
                        "Everyone on Commons (%(num)d members)", count)
    elif channel.kind == ChannelKind.COHORT.value:
        cohort = db.session.get(Cohort, channel.cohort_id)
        text = ngettext("Members of the cohort “%(cohort)s”, its mentors and the moderators "
                        "(%(num)d person)",
                        "Members of the cohort “%(cohort)s”, its mentors and the moderators "
                        "(%(num)d people)", count, cohort=cohort.name if cohort else "")
    else:
        text = _("The people in this conversation: %(num)d", num=count)
    return Audience(text, count)


def _channel_within(destination: Category, channel: Channel) -> bool:
    """Whether the category's rule admits nobody the channel's does (today or later)."""
    if channel.kind == ChannelKind.GLOBAL.value:
        return True
    if channel.kind == ChannelKind.COHORT.value:
        return destination.cohort_id == channel.cohort_id
    return False  # a conversation's members are fixed; any space admits people who join later


def channel_space_audience(channel: Channel, destination: Category,
                           author_id: int | None) -> MoveAudience:
    """A chat exchange's readers in its channel and as a thread in `destination` (the same
    comparison as a thread move: `widens` needs the person's confirmation)."""
    gained_ids = _readers(destination, author_id).except_(_channel_readers(channel)).subquery()
    gained = db.session.scalar(select(func.count()).select_from(gained_ids)) or 0
    return MoveAudience(_channel_text(channel), space_audience(destination, author_id), gained,
                        wider=not _channel_within(destination, channel))
