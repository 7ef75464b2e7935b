"""Discussion models: categories, threads, posts, reactions, read state."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow
from forum.models.cohort import Cohort
from forum.models.user import User

__all__ = [
    "Category",
    "CategoryMode",
    "Post",
    "PostRevision",
    "Reaction",
    "ReactionKind",
    "Thread",
    "ThreadRead",
    "ThreadTag",
    "ThreadWatch",
    "WatchLevel",
]


class CategoryMode(enum.StrEnum):
    """How a category behaves: open discussion, Q&A, or private "ask a mentor" questions."""

    DISCUSSION = "discussion"
    QA = "qa"
    ASK_MENTOR = "ask_mentor"


class ReactionKind(enum.StrEnum):
    """The reactions a post can receive (one of each per person).

    Like and Helpful come first: Helpful is what an ask-a-mentor asker looks for. The emoji
    reactions after them are a small fixed set (forum/services/reactions.py gives their emoji).
    """

    LIKE = "like"
    HELPFUL = "helpful"
    HEART = "heart"
    CELEBRATE = "celebrate"
    LAUGH = "laugh"
    THANKS = "thanks"
    CLAP = "clap"
    THINKING = "thinking"
    EYES = "eyes"
    ROCKET = "rocket"


class WatchLevel(enum.StrEnum):
    """Whether a person wants to hear about new replies in a thread."""

    WATCH = "watch"
    MUTE = "mute"


class Category(Base):
    """A place for threads: global (no cohort) or private to one cohort."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, default=None
    )
    mode: Mapped[str] = mapped_column(String(16), default=CategoryMode.DISCUSSION.value)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort | None] = relationship(lazy="raise")

    @property
    def is_qa(self) -> bool:
        """Whether threads here can have an accepted answer."""
        return self.mode in (CategoryMode.QA.value, CategoryMode.ASK_MENTOR.value)

    @property
    def is_ask_mentor(self) -> bool:
        """Whether members only see their own threads here."""
        return self.mode == CategoryMode.ASK_MENTOR.value

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.slug}>"


class Thread(Base):
    """A topic in a category; its first post holds the opening text."""

    __tablename__ = "threads"
    __table_args__ = (
        # Keyset pagination: "latest activity" and "newest" lists within a category.
        Index("ix_threads_category_activity", "category_id", "last_activity_at", "id"),
        Index("ix_threads_category_created", "category_id", "created_at", "id"),
        # The pinned / not pinned halves of a list (bench: the pinned query scanned all 50k
        # threads of a category at 1M posts; with is_pinned in the key it reads a few rows).
        Index("ix_threads_category_pinned_activity", "category_id", "is_pinned",
              "last_activity_at", "id"),
        Index("ix_threads_category_pinned_created", "category_id", "is_pinned", "created_at",
              "id"),
        # Latest and Unread on the home page: every readable space, newest activity first.
        Index("ix_threads_activity", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    reply_count: Mapped[int] = mapped_column(default=0)
    # Every post row of the thread, deleted and hidden ones included (they keep their place on
    # the page): the page count without counting a 20,000-post thread on every view. Whoever
    # inserts a post counts it (services/discussions.py, the demo seed, the bench generator).
    post_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Plain ids rather than foreign keys: threads ↔ posts would otherwise be a cycle that SQLite
    # batch migrations cannot create; the services keep them consistent.
    first_post_id: Mapped[int | None] = mapped_column(default=None)
    last_post_id: Mapped[int | None] = mapped_column(default=None)
    accepted_post_id: Mapped[int | None] = mapped_column(default=None)
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    category: Mapped[Category] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
    tags: Mapped[list[ThreadTag]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", lazy="raise",
        order_by="ThreadTag.tag",
    )

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title[:20]!r}>"


class ThreadTag(Base):
    """One tag on a thread; a table so lists can filter by tag through an index."""

    __tablename__ = "thread_tags"
    __table_args__ = (
        UniqueConstraint("thread_id", "tag"),
        Index("ix_thread_tags_tag_thread", "tag", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(40))

    thread: Mapped[Thread] = relationship(back_populates="tags", lazy="raise")


class Post(Base):
    """A post in a thread; `parent_id` makes replies a tree."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True, default=None
    )
    depth: Mapped[int] = mapped_column(default=0)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)

    thread: Mapped[Thread] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
    parent: Mapped[Post | None] = relationship(remote_side="Post.id", lazy="raise")

    @property
    def is_removed(self) -> bool:
        """Deleted or hidden: shown as a placeholder, replies stay."""
        return self.deleted_at is not None or self.hidden_at is not None

    def __repr__(self) -> str:
        return f"<Post {self.id} in {self.thread_id}>"



class PostRevision(Base):
    """The previous text of a post, kept on every edit."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[User | None] = relationship(lazy="raise")


class Reaction(Base):
    """One person's reaction of one kind to one post."""

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadRead(Base):
    """How far a person has read a thread (the highest post id seen)."""

    __tablename__ = "thread_reads"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    last_read_post_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadWatch(Base):
    """A person's choice to watch or mute a thread (read by notifications)."""

    __tablename__ = "thread_watches"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(8), default=WatchLevel.WATCH.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
