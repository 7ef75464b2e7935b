"""Bookmarks ("save for later"): a person's saved posts, and the list of those they can still read.

A thread is bookmarked through its opening post, so one table serves both. The list is filtered
by the same visibility rules as thread lists on every read: a bookmark of a thread that moved out
of reach, or of a post since deleted or hidden, is kept but not shown (it comes back if access
does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from forum.errors import Invalid
from forum.extensions import db
from forum.models import Bookmark, Category, Post, Thread, User
from forum.services import access

PAGE_SIZE = 30


def set_bookmark(user: User, post_id: int, on: bool = True) -> bool:
    """Bookmark (or with on=False forget) a post the user may read; returns the new state."""
    access.require_login(user)
    post = access.access_post(user, post_id)
    if on:
        if post.deleted_at is not None:
            raise Invalid(_("This post was deleted."))
        exists = db.session.scalar(select(Bookmark.id).where(
            Bookmark.user_id == user.id, Bookmark.post_id == post.id))
        if exists is None:
            db.session.add(Bookmark(user_id=user.id, post_id=post.id))
    else:
        db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id,
                                                  Bookmark.post_id == post.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a double click raced us: the bookmark already exists
    return on


def bookmarked_ids(user: User, post_ids: list[int]) -> set[int]:
    """Which of these posts the user has bookmarked (one query)."""
    if not post_ids:
        return set()
    return set(db.session.scalars(select(Bookmark.post_id).where(
        Bookmark.user_id == user.id, Bookmark.post_id.in_(sorted(post_ids)))))


def bookmarked_clause(user: User) -> ColumnElement[bool]:
    """A column for a query over Post: whether the user bookmarked that post."""
    return exists().where(Bookmark.post_id == Post.id, Bookmark.user_id == user.id)


@dataclass
class BookmarkItem:
    """A bookmark as the list shows it."""

    id: int
    saved_at: datetime
    post: Post
    thread: Thread
    category: Category

    @property
    def is_thread(self) -> bool:
        """Whether the bookmark stands for the whole thread (its opening post)."""
        return self.post.id == self.thread.first_post_id


def list_bookmarks(user: User, before_id: int | None = None,
                   limit: int = PAGE_SIZE) -> tuple[list[BookmarkItem], int | None]:
    """The user's readable bookmarks, newest first, and the id to continue before (or None)."""
    access.require_login(user)
    limit = max(1, min(int(limit), 100))
    query = (
        select(Bookmark)
        .join(Post, Post.id == Bookmark.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(Bookmark.user_id == user.id, access.visible_threads_clause(user),
               Post.deleted_at.is_(None),
               # A hidden post stays readable to its author only (with the moderator's reason).
               or_(Post.hidden_at.is_(None), Post.author_id == user.id))
        .options(contains_eager(Bookmark.post).contains_eager(Post.thread)
                 .contains_eager(Thread.category),
                 contains_eager(Bookmark.post).contains_eager(Post.author))
        .order_by(Bookmark.id.desc()).limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(Bookmark.id < before_id)
    rows = list(db.session.scalars(query).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    items = [BookmarkItem(b.id, b.created_at, b.post, b.post.thread, b.post.thread.category)
             for b in rows]
    return items, (rows[-1].id if more and rows else None)
