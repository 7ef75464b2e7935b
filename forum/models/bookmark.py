"""Bookmarks: a person's posts saved for later (the opening post of a thread stands for it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow
from forum.models.discussion import Post

__all__ = ["Bookmark"]


class Bookmark(Base):
    """One person's bookmark of one post; bookmarking a thread bookmarks its first post."""

    __tablename__ = "bookmarks"
    __table_args__ = (
        UniqueConstraint("user_id", "post_id"),
        # The list page: a person's bookmarks, newest first.
        Index("ix_bookmarks_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(lazy="raise")
