"""Notifications and notification preferences.

One unread row per (recipient, kind, target) counts up ("3 new replies in …") instead of piling
up N rows; once read, the next event starts a new row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow
from forum.models.user import User

__all__ = [
    "COLLAPSING",
    "CategoryWatch",
    "ChannelMute",
    "Delivery",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
]


class NotificationKind(enum.StrEnum):
    """What a notification is about (each is a trigger with its own preference)."""

    REPLY = "reply"  # a reply to your thread or to your post
    MENTION = "mention"  # @you in a post or a chat message
    ACCEPTED = "accepted"  # your answer was accepted
    MENTOR_ANSWER = "mentor_answer"  # a mentor answered in a thread you watch
    NEW_THREAD = "new_thread"  # a new thread in a category you watch
    DIRECT_MESSAGE = "direct_message"  # a message in one of your direct conversations
    MODERATION = "moderation"  # a moderator acted on your content or account


class Delivery(enum.StrEnum):
    """How a person wants to hear about one kind: in the app, also by mail, or not at all."""

    APP = "app"
    EMAIL = "email"  # in the app AND by mail
    OFF = "off"


# Rows that count up while unread; moderation notices never collapse (each decision is a line).
COLLAPSING = "read_at IS NULL AND kind <> 'moderation'"


class Notification(Base):
    """One line of a person's notification centre."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The list page: newest activity first, keyset by (updated_at, id).
        Index("ix_notifications_user_updated", "user_id", "updated_at", "id"),
        # The badge (unread count) and the collapse lookup of an unread row per target.
        Index("ix_notifications_user_unread", "user_id", "read_at", "target_type", "target_id"),
        # Rows quoting one post or message: blanked when it is hidden or deleted.
        Index("ix_notifications_source", "source_type", "source_id"),
        # At most one unread row per recipient and target for the kinds that count up: two
        # replies committed at once meet here and count up one row instead of adding a second.
        Index("uq_notifications_unread_target", "user_id", "kind", "target_type", "target_id",
              unique=True, sqlite_where=text(COLLAPSING), postgresql_where=text(COLLAPSING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    # What the row collapses on: "thread", "post", "category", "channel", or a moderation target.
    target_type: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[int] = mapped_column()
    # The cohort whose content this is (None: global or direct). Rows of a cohort the person
    # has left are not shown, so a removal also hides what they were told before.
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, default=None
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    count: Mapped[int] = mapped_column(default=1)
    subject: Mapped[str] = mapped_column(String(200), default="")  # thread title, channel name
    excerpt: Mapped[str] = mapped_column(Text, default="")  # plain text of the newest item
    # The post or message the excerpt quotes ("" / None: it quotes nothing that can be hidden),
    # so hiding or deleting that item also takes its words out of everyone's notifications.
    source_type: Mapped[str] = mapped_column(String(16), default="", server_default="")
    source_id: Mapped[int | None] = mapped_column(default=None)
    detail: Mapped[str] = mapped_column(String(32), default="")  # e.g. the moderation action
    url: Mapped[str] = mapped_column(String(500), default="")  # site-relative path
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    emailed_at: Mapped[datetime | None] = mapped_column(default=None)  # immediate mail sent
    digested_at: Mapped[datetime | None] = mapped_column(default=None)  # included in a digest

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} → {self.user_id} x{self.count}>"


class NotificationPreference(Base):
    """A person's choice for one kind (only choices differing from the default are stored).

    The kind "digest" holds whether the daily digest is mailed ("email") or not ("off").
    """

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    delivery: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CategoryWatch(Base):
    """Watch a category (hear of every new thread) or mute it (hear nothing from it)."""

    __tablename__ = "category_watches"
    __table_args__ = (UniqueConstraint("user_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(8))  # WatchLevel: watch | mute
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelMute(Base):
    """A muted chat channel: its mentions and messages notify nobody who muted it."""

    __tablename__ = "channel_mutes"
    __table_args__ = (UniqueConstraint("user_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
