"""What every thread list shows beside the title: unread state, posters and readers.

The unread rules are the home page's (forum/services/home.py explains them): a thread is NEW
when never opened and active lately, UNREAD when it has posts after the member's read marker.
Category pages, the home page and the API all decide through `unread_state`, so a thread is
never "new" on one page and read on another.

Everything here adds columns to the list's own query or ONE statement per page (the posters),
whatever the number of rows: the pages' query counts stay constant (tests/test_query_counts.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from forum.extensions import db
from forum.models import Post, Thread, ThreadRead, ThreadTag, User, utcnow

NEW_DAYS = 14  # a never-opened thread is "new" (unread) for this long after its last activity
MAX_POSTERS = 5  # the original poster and up to four recent ones, as Discourse shows them

__all__ = [
    "MAX_POSTERS",
    "NEW_DAYS",
    "ListRow",
    "UnreadState",
    "attach_posters",
    "attach_tags",
    "new_posts_column",
    "new_since",
    "read_join",
    "readers_column",
    "unread_columns",
    "unread_state",
]


@dataclass(frozen=True)
class UnreadState:
    """What the member has not read of one thread."""

    is_new: bool = False  # never opened (and active lately)
    unread: bool = False  # posts after the read marker, or new
    new_posts: int = 0  # posts by others after the marker, for threads opened before


@dataclass
class ListRow:
    """A thread in a list, with the member's unread state, its posters and readers."""

    thread: Thread
    state: UnreadState = field(default_factory=UnreadState)
    readers: int = 0
    posters: list[User] = field(default_factory=list)  # original poster first
    last_poster: User | None = None

    @property
    def unread(self) -> bool:
        """Whether the member has something to read here (new, or replies after the marker)."""
        return self.state.unread

    @property
    def is_new(self) -> bool:
        """Never opened by the member, and active lately."""
        return self.state.is_new

    @property
    def new_posts(self) -> int:
        """Replies by others since the member last read the thread."""
        return self.state.new_posts


def new_since(user: User) -> datetime:
    """Never-opened threads count as unread when active after this moment."""
    floor = utcnow() - timedelta(days=NEW_DAYS)
    return max(floor, user.created_at) if user.created_at else floor


def read_join(user: User):
    """ON clause joining Thread with the member's own ThreadRead row."""
    return and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id)


def new_posts_column(user: User):
    """Column: visible posts by others after the member's marker (0 for unopened threads).

    Counted only for the rows of the page (an index range of what the member missed), in the
    page's own query.
    """
    missed = select(func.count()).select_from(Post).where(
        Post.thread_id == Thread.id, Post.id > ThreadRead.last_read_post_id,
        Post.deleted_at.is_(None), Post.hidden_at.is_(None),
        or_(Post.author_id.is_(None), Post.author_id != user.id)).scalar_subquery()
    return case((ThreadRead.id.is_(None), 0), else_=missed)


def unread_columns(user: User) -> tuple:
    """The three columns `unread_state` reads; the query must outer-join `read_join(user)`."""
    return ThreadRead.last_read_post_id, ThreadRead.id, new_posts_column(user)


def readers_column():
    """Column: how many people opened the thread (its thread_reads rows, an index range).

    The forum stores no view counter (a write per view); readers say the same thing for free.
    """
    other = aliased(ThreadRead)
    return (select(func.count()).select_from(other).where(other.thread_id == Thread.id)
            .correlate(Thread).scalar_subquery())


def unread_state(thread: Thread, read: int | None, read_id: int | None, new_posts: int | None,
                 since: datetime) -> UnreadState:
    """The member's state for one row of a query made with `unread_columns`."""
    opened = read_id is not None
    unread = (thread.last_post_id or 0) > (read or 0) and (
        opened or thread.last_activity_at > since)
    return UnreadState(is_new=not opened and unread, unread=unread,
                       new_posts=(new_posts or 0) if unread else 0)


def attach_posters(rows: list[ListRow]) -> None:
    """Fill each row's posters (original poster, then the most recent others) in ONE query.

    Authors of deleted or hidden posts are left out: a list never names who wrote something a
    moderator removed.
    """
    if not rows:
        return
    ids = sorted({row.thread.id for row in rows})
    last = func.max(Post.id).label("last")
    per_author = (
        select(Post.thread_id, Post.author_id, last)
        .where(Post.thread_id.in_(ids), Post.author_id.is_not(None),
               Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        .group_by(Post.thread_id, Post.author_id).subquery()
    )
    rank = func.row_number().over(partition_by=per_author.c.thread_id,
                                  order_by=per_author.c.last.desc()).label("rank")
    ranked = select(per_author.c.thread_id, per_author.c.author_id, rank).subquery()
    found = db.session.execute(
        select(ranked.c.thread_id, User)
        .join(User, User.id == ranked.c.author_id)
        .where(ranked.c.rank <= MAX_POSTERS)
        .order_by(ranked.c.thread_id, ranked.c.rank)
    ).all()
    recent: dict[int, list[User]] = defaultdict(list)
    for thread_id, person in found:
        recent[thread_id].append(person)
    for row in rows:
        latest = recent.get(row.thread.id, [])
        starter = row.thread.author
        row.last_poster = latest[0] if latest else starter
        others = [p for p in latest if starter is None or p.id != starter.id]
        row.posters = ([starter] if starter is not None else []) + others
        row.posters = row.posters[:MAX_POSTERS]


def attach_tags(rows: list[ListRow]) -> None:
    """Load the tags of every row in ONE query (a list's pinned and other threads together)."""
    threads = {row.thread.id: row.thread for row in rows}
    if not threads:
        return
    tags: dict[int, list[ThreadTag]] = defaultdict(list)
    for tag in db.session.scalars(select(ThreadTag).where(ThreadTag.thread_id.in_(sorted(threads)))
                                  .order_by(ThreadTag.thread_id, ThreadTag.tag)):
        tags[tag.thread_id].append(tag)
    for thread_id, thread in threads.items():
        set_committed_value(thread, "tags", tags.get(thread_id, []))
