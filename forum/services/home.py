"""The home page: what is new for the member across every space they may read.

Latest (Discourse's /latest) lists readable threads by last activity; Unread (/unread) those
with posts after the member's read marker. Both filter in SQL through the one access policy
(`access.visible_threads_clause`): a cohort's threads never reach a non-member, not even as a
count, and hidden or deleted threads only reach the space's moderators. A page costs the same
few queries whatever its length (tests/test_query_counts.py).

"Unread" never counts the whole history of the site: a thread counts once the member opened it
(it has a read marker) and has newer posts, or when it is NEW — never opened, with activity
since the member joined and within the last NEW_DAYS days (forum/services/thread_lists.py holds
these rules for every thread list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, tuple_, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.lib.cursors import decode_cursor, encode_cursor
from forum.models import (
    Category,
    Channel,
    ChannelKind,
    ChannelMember,
    Cohort,
    CohortMembership,
    MemberVisit,
    Message,
    Post,
    Thread,
    ThreadRead,
    User,
    utcnow,
)
from forum.services import access, chat, notifications
from forum.services.thread_lists import NEW_DAYS, new_posts_column, read_join, unread_state
from forum.services.thread_lists import new_since as _new_since

TABS = ("latest", "unread")
ROWS_PER_PAGE = 30
COUNT_CAP = 99  # headers say "99+" beyond this, so counting can stop there
VISIT_GAP = timedelta(hours=1)  # away this long, and the next home view starts a new visit
STRIP_CHANNELS = 5
STRIP_MEMBERS = 6

__all__ = [
    "NEW_DAYS",
    "HeaderCounts",
    "HomePage",
    "HomeRow",
    "header_counts",
    "home_page",
]


@dataclass
class HeaderCounts:
    """What the page header shows on every page (each at most COUNT_CAP + 1)."""

    notifications: int = 0
    threads: int = 0
    chat: int = 0


@dataclass
class HomeRow:
    """One thread on the home page, with what the member has not read of it."""

    thread: Thread
    category: Category
    cohort_name: str | None
    author: User | None
    last_poster: User | None
    is_new: bool  # never opened
    unread: bool  # posts after the read marker (or never opened)
    new_posts: int  # posts after the read marker, for threads opened before
    since_last_visit: bool  # active after the member's previous visit began


@dataclass
class ChannelBrief:
    """A cohort chat channel in the "in your cohorts" strip."""

    channel: Channel
    cohort_name: str
    unread: int


@dataclass
class NewMember:
    """Someone who recently joined one of the member's cohorts."""

    user: User
    cohort_name: str
    joined_at: datetime


@dataclass
class HomePage:
    """Everything the home page shows, loaded with a fixed number of queries."""

    tab: str
    rows: list[HomeRow]
    next_cursor: str | None
    previous_visit: datetime | None
    channels: list[ChannelBrief] = field(default_factory=list)
    new_members: list[NewMember] = field(default_factory=list)
    # Upcoming events join the strip here when the events feature exists.

    @property
    def has_cohorts_strip(self) -> bool:
        """Whether the "in your cohorts" strip has anything to show."""
        return bool(self.channels or self.new_members)


# --------------------------------------------------------------------------- unread rules


def _candidate_ids(user: User):
    """Thread ids that may be unread: those the member opened, and those active lately.

    Both halves are index ranges (thread_reads by user, threads by last activity), so the
    Unread list and the header count stay small whatever the size of the site.
    """
    recent = aliased(Thread)
    return union(
        select(ThreadRead.thread_id).where(ThreadRead.user_id == user.id),
        select(recent.id).where(recent.last_activity_at > _new_since(user)),
    )


def _unread_clause(user: User):
    """WHERE clause (Thread outer-joined with the member's ThreadRead) for unread threads."""
    return and_(Thread.id.in_(_candidate_ids(user)),
                Thread.last_post_id > func.coalesce(ThreadRead.last_read_post_id, 0))


def _unread_threads_count(user: User):
    """Scalar subquery: readable unread threads, counted up to COUNT_CAP + 1."""
    capped = (
        select(Thread.id)
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(ThreadRead, read_join(user))
        .where(access.visible_threads_clause(user), _unread_clause(user))
        .limit(COUNT_CAP + 1).subquery()
    )
    return select(func.count()).select_from(capped).scalar_subquery()


def _unread_chat_count(user: User):
    """Scalar subquery: unread messages in the member's listed channels, up to COUNT_CAP + 1.

    The same rule as the chat list's counts (chat.unread_counts): after the read marker, not
    deleted or hidden, not the member's own.
    """
    read = select(ChannelMember.last_read_message_id).where(
        ChannelMember.channel_id == Channel.id, ChannelMember.user_id == user.id
    ).scalar_subquery()
    capped = (
        select(Message.id)
        .join(Channel, Channel.id == Message.channel_id)
        .where(access.listed_channels_clause(user),
               Message.id > func.coalesce(read, 0),
               Message.deleted_at.is_(None), Message.hidden_at.is_(None),
               or_(Message.author_id.is_(None), Message.author_id != user.id))
        .limit(COUNT_CAP + 1).subquery()
    )
    return select(func.count()).select_from(capped).scalar_subquery()


def header_counts(user: User, *, with_notifications: bool = True) -> HeaderCounts:
    """Unread threads and chat messages (and notifications, unless the caller counted them
    already) in ONE query: the header adds no round trip to any page."""
    access.require_login(user)
    columns = [_unread_threads_count(user), _unread_chat_count(user)]
    if with_notifications:
        columns.append(notifications.unread_count_query(user).scalar_subquery())
    row = db.session.execute(select(*columns)).one()
    return HeaderCounts(threads=row[0] or 0, chat=row[1] or 0,
                        notifications=row[2] or 0 if with_notifications else 0)


# --------------------------------------------------------------------------- the page


def _note_visit(user: User) -> datetime | None:
    """Start a new visit after VISIT_GAP away; return when the previous visit began.

    A write at most every few minutes: the home page is not a hot path, and the marker must not
    move while the member reads through what is new.
    """
    now = utcnow()
    visit = db.session.get(MemberVisit, user.id)
    if visit is None:
        db.session.add(MemberVisit(user_id=user.id, last_visit_at=now))
    elif now - visit.last_visit_at > VISIT_GAP:
        visit.previous_visit_at, visit.last_visit_at = visit.last_visit_at, now
    elif now - visit.last_visit_at > timedelta(minutes=5):
        visit.last_visit_at = now
    else:
        return visit.previous_visit_at
    previous = visit.previous_visit_at if visit is not None else None
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a second tab began the same first visit: it is recorded
    return previous


def _rows(user: User, tab: str, cursor: tuple[datetime, int] | None,
          previous_visit: datetime | None) -> tuple[list[HomeRow], str | None]:
    """One page of Latest or Unread, newest activity first (keyset on activity, id)."""
    author, last_post, last_poster = aliased(User), aliased(Post), aliased(User)
    query = (
        select(Thread, Category, Cohort.name, author, last_poster, ThreadRead.last_read_post_id,
               ThreadRead.id, new_posts_column(user))
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(Cohort, Cohort.id == Category.cohort_id)
        .outerjoin(ThreadRead, read_join(user))
        .outerjoin(author, author.id == Thread.author_id)
        # A reply hidden by a moderator does not name its author here.
        .outerjoin(last_post, and_(last_post.id == Thread.last_post_id,
                                   last_post.hidden_at.is_(None)))
        .outerjoin(last_poster, last_poster.id == last_post.author_id)
        .where(access.visible_threads_clause(user))
    )
    if tab == "unread":
        query = query.where(_unread_clause(user))
    if cursor:
        query = query.where(tuple_(Thread.last_activity_at, Thread.id) < tuple_(*cursor))
    found = db.session.execute(
        query.order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(ROWS_PER_PAGE + 1)
    ).all()
    next_cursor = None
    if len(found) > ROWS_PER_PAGE:
        found = found[:ROWS_PER_PAGE]
        last = found[-1][0]
        next_cursor = encode_cursor(last.last_activity_at, last.id)
    since = _new_since(user)
    rows = []
    for thread, category, cohort_name, starter, poster, read, read_id, new_posts in found:
        state = unread_state(thread, read, read_id, new_posts, since)
        rows.append(HomeRow(
            thread=thread, category=category, cohort_name=cohort_name, author=starter,
            last_poster=poster, is_new=state.is_new, unread=state.unread,
            new_posts=state.new_posts,
            since_last_visit=previous_visit is not None
            and thread.last_activity_at > previous_visit))
    return rows, next_cursor


def _cohort_channels(user: User) -> list[ChannelBrief]:
    """The member's cohorts' most active channels, with unread counts: two queries."""
    cohort_ids = sorted(access.member_cohort_ids(user))
    if not cohort_ids:
        return []
    found = db.session.execute(
        select(Channel, Cohort.name).join(Cohort, Cohort.id == Channel.cohort_id)
        .where(Channel.kind == ChannelKind.COHORT.value, Channel.cohort_id.in_(cohort_ids))
        .order_by(func.coalesce(Channel.last_message_id, 0).desc(), Channel.id)
        .limit(STRIP_CHANNELS)
    ).all()
    unread = chat.unread_counts(user, [channel.id for channel, _ in found])
    return [ChannelBrief(channel, name, unread.get(channel.id, 0)) for channel, name in found]


def _new_members(user: User) -> list[NewMember]:
    """The latest people to join the member's cohorts (banned accounts left out)."""
    cohort_ids = sorted(access.member_cohort_ids(user))
    if not cohort_ids:
        return []
    rows = db.session.execute(
        select(User, Cohort.name, CohortMembership.joined_at)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(CohortMembership.cohort_id.in_(cohort_ids), User.banned_at.is_(None),
               User.id != user.id)
        .order_by(CohortMembership.joined_at.desc(), CohortMembership.id.desc())
        .limit(STRIP_MEMBERS)
    ).all()
    return [NewMember(person, name, joined) for person, name, joined in rows]


def home_page(user: User, tab: str = "latest", after: str | None = None) -> HomePage:
    """Latest or Unread across every readable space, and the "in your cohorts" strip."""
    access.require_login(user)
    tab = tab if tab in TABS else "latest"
    cursor = decode_cursor(after)
    previous_visit = _note_visit(user)
    rows, next_cursor = _rows(user, tab, cursor, previous_visit)
    page = HomePage(tab, rows, next_cursor, previous_visit)
    if cursor is None:  # the strip heads the first page only
        page.channels = _cohort_channels(user)
        page.new_members = _new_members(user)
    return page

