"""Access rules for categories, threads and posts.

Rules: global categories are readable by every logged-in user; cohort categories by that cohort's
people plus global moderators and admins. In an "ask a mentor" category a member sees only the
threads they started; the cohort's mentors and facilitators (and global moderators, admins) see
all of them. Hidden or deleted threads are visible to moderators of the space only. Anything not
readable raises NotFound — pages, permalinks, socket rooms and counts all go through here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import joinedload

from forum.errors import Forbidden, NotFound
from forum.extensions import db
from forum.models import Category, CategoryMode, CohortRole, Post, Role, Thread, User
from forum.services.access.core import (
    can_moderate_cohort,
    can_read_cohort,
    cohort_member_clause,
    cohort_role,
    global_moderator_clause,
    member_cohort_ids,
    moderated_cohort_ids,
    visible_cohort_clause,
)
from forum.services.access.writing import require_can_write

__all__ = [
    "access_category",
    "access_post",
    "access_thread",
    "can_accept_answer",
    "can_edit_post",
    "can_read_category",
    "can_read_thread",
    "can_see_all_threads",
    "is_space_mentor",
    "require_can_accept",
    "thread_audience_clause",
    "visible_categories_clause",
    "visible_threads_clause",
    "writable_category",
    "writable_post",
    "writable_thread",
]

_MENTOR_ROLES = (CohortRole.MENTOR.value, CohortRole.MODERATOR.value)


def _authenticated(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_read_category(user: User | None, category: Category) -> bool:
    """Whether the user may open this category at all."""
    return can_read_cohort(user, category.cohort_id)


def is_space_mentor(user: User | None, cohort_id: int | None) -> bool:
    """Mentors and facilitators of the cohort (site mentors for global spaces), moderators."""
    if not _authenticated(user):
        return False
    if user.is_global_moderator:
        return True
    if cohort_id is None:
        return user.is_mentor
    return cohort_role(user, cohort_id) in _MENTOR_ROLES


def can_see_all_threads(user: User | None, category: Category) -> bool:
    """In "ask a mentor" categories only mentors of the space see every thread."""
    if not can_read_category(user, category):
        return False
    return not category.is_ask_mentor or is_space_mentor(user, category.cohort_id)


def can_read_thread(user: User | None, thread: Thread, category: Category) -> bool:
    """Whether the user may read this thread (its category must be `category`)."""
    if not can_read_category(user, category):
        return False
    if (thread.hidden_at or thread.deleted_at) and not can_moderate_cohort(
        user, category.cohort_id
    ):
        # The author still sees a hidden (not deleted) thread, with the moderator's reason.
        return thread.deleted_at is None and thread.author_id == user.id
    return can_see_all_threads(user, category) or thread.author_id == user.id


def can_edit_post(user: User | None, post: Post) -> bool:
    """Authors edit and delete their own posts (moderation is a separate flow)."""
    return _authenticated(user) and post.author_id == user.id and post.deleted_at is None


def can_accept_answer(user: User | None, thread: Thread, category: Category) -> bool:
    """Thread authors and the space's mentors/facilitators accept answers, in Q&A spaces only."""
    if not category.is_qa or not _authenticated(user):
        return False
    return thread.author_id == user.id or is_space_mentor(user, category.cohort_id)


def visible_categories_clause(user: User | None) -> ColumnElement[bool]:
    """WHERE clause on Category limiting rows to those the user may read."""
    return visible_cohort_clause(user, Category.cohort_id)


def visible_threads_clause(user: User | None) -> ColumnElement[bool]:
    """WHERE clause on Thread joined with Category: the threads the user may see in lists."""
    if not _authenticated(user):
        return false()
    if user.is_global_moderator:
        return true()
    mentor_of = sorted(
        cid for cid in member_cohort_ids(user) if cohort_role(user, cid) in _MENTOR_ROLES
    )
    sees_all = [Category.mode != CategoryMode.ASK_MENTOR.value, Thread.author_id == user.id]
    if mentor_of:
        sees_all.append(Category.cohort_id.in_(mentor_of))
    if user.is_mentor:
        sees_all.append(Category.cohort_id.is_(None))
    moderated = sorted(moderated_cohort_ids(user) or ())
    shown = and_(Thread.hidden_at.is_(None), Thread.deleted_at.is_(None))
    if moderated:
        shown = or_(shown, Category.cohort_id.in_(moderated))
    return and_(visible_categories_clause(user), or_(*sees_all), shown)


def thread_audience_clause(user_id) -> ColumnElement[bool]:
    """WHERE clause on Thread joined with Category: whether the user (a column, e.g. each
    notification's recipient) may read the thread where it is now — its space (cohort) and the
    ask-a-mentor rule, as `can_read_thread` decides them. Moderation state is left out: a hidden
    or deleted thread withdraws its own words from what people were told."""
    moderator = global_moderator_clause(user_id)
    space = or_(Category.cohort_id.is_(None), moderator,
                cohort_member_clause(user_id, Category.cohort_id))
    site_mentor = exists().where(User.id == user_id, User.role == Role.MENTOR.value
                                 ).correlate_except(User)
    sees_all = or_(Category.mode != CategoryMode.ASK_MENTOR.value, Thread.author_id == user_id,
                   moderator, and_(Category.cohort_id.is_(None), site_mentor),
                   cohort_member_clause(user_id, Category.cohort_id, _MENTOR_ROLES))
    return and_(space, sees_all)


def access_category(user: User | None, slug_or_id: str | int) -> Category:
    """Fetch a category the user may read, or raise NotFound."""
    column = Category.id if isinstance(slug_or_id, int) else Category.slug
    category = db.session.scalar(select(Category).where(column == slug_or_id))
    if category is None or not can_read_category(user, category):
        raise NotFound()
    return category


def access_thread(user: User | None, thread_id: int) -> Thread:
    """Fetch a thread (with its category and tags) the user may read, or raise NotFound."""
    query = (
        select(Thread)
        .where(Thread.id == thread_id)
        .options(joinedload(Thread.category), joinedload(Thread.author))
    )
    thread = db.session.scalar(query)
    if thread is None or not can_read_thread(user, thread, thread.category):
        raise NotFound()
    return thread


def access_post(user: User | None, post_id: int) -> Post:
    """Fetch a post (with its thread and category) in a thread the user may read, or NotFound."""
    post = db.session.scalar(
        select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author))
    )
    if post is None or not can_read_thread(user, post.thread, post.thread.category):
        raise NotFound()
    return post


def require_can_accept(user: User, thread: Thread) -> None:
    """Raise Forbidden unless the user may accept answers in this (readable) thread."""
    if not can_accept_answer(user, thread, thread.category):
        raise Forbidden()


def writable_category(user: User | None, slug_or_id: str | int) -> Category:
    """A category the user may read and start threads in (active, and may write in its cohort)."""
    require_can_write(user, None)
    category = access_category(user, slug_or_id)
    require_can_write(user, category.cohort_id)
    return category


def writable_thread(user: User | None, thread_id: int) -> Thread:
    """A thread the user may read and reply in, as far as the account and cohort go (locks and
    holds are the replying use case's own rules)."""
    require_can_write(user, None)
    thread = access_thread(user, thread_id)
    require_can_write(user, thread.category.cohort_id)
    return thread


def writable_post(user: User | None, post_id: int) -> Post:
    """A post the user may read, in a thread whose space they may write in (edit, react...)."""
    require_can_write(user, None)
    post = access_post(user, post_id)
    require_can_write(user, post.thread.category.cohort_id)
    return post
