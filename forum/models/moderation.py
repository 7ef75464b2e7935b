"""Moderation: flags, hidden-content notes, and the append-only audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow
from forum.models.user import User

__all__ = ["AuditEntry", "CohortRestriction", "Flag", "FlagReason", "Hold", "TargetType"]


class TargetType(enum.StrEnum):
    """What a flag, a hold or a moderator action is about."""

    POST = "post"
    THREAD = "thread"
    MESSAGE = "message"
    USER = "user"


class FlagReason(enum.StrEnum):
    """Why a member flags something; `word_list` is the automatic filter's own reason."""

    SPAM = "spam"
    HARASSMENT = "harassment"
    OFF_TOPIC = "off_topic"
    CONFIDENTIAL = "confidential"
    OTHER = "other"
    WORD_LIST = "word_list"


class Flag(Base):
    """One member's report of one item; open until a moderator resolves it.

    `cohort_id` copies the item's cohort (None: global) so the queue is scoped with an index,
    and moves with the thread when a moderator moves it. `user_id` is None for the word filter.
    """

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id"),
        Index("ix_flags_open_target", "resolved_at", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column()
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, default=None
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    resolution: Mapped[str | None] = mapped_column(String(16), default=None)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise")


class Hold(Base):
    """Why an item is hidden: the reason shown to its author and moderators.

    One row per hidden item (its `hidden_at` column says *that* it is hidden); removed when the
    item is restored. `actor_id` None means the automatic protection hid it.
    """

    __tablename__ = "moderation_holds"
    __table_args__ = (UniqueConstraint("target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Held on arrival (the word filter): nobody was told of it yet, so releasing it tells the
    # people its author's send would have told. A later hide of shown content leaves it False.
    announce_on_release: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One moderator or admin action. Append-only: no code path updates or deletes a row."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_cohort_id_id", "cohort_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys: the trail must outlive the people, cohorts and items it names.
    actor_id: Mapped[int | None] = mapped_column(index=True, default=None)
    actor_name: Mapped[str] = mapped_column(String(30), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str] = mapped_column(String(16), default="")
    target_id: Mapped[int | None] = mapped_column(default=None)
    cohort_id: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CohortRestriction(Base):
    """A facilitator's suspension, limited to one cohort.

    Until `until` the person still reads the cohort's spaces and channels but cannot post,
    chat, react or flag there; elsewhere they are unaffected. (Site-wide suspensions, by global
    moderators, are `User.suspended_until`.) One row per person and cohort: a new restriction
    replaces the old one; lifting deletes it (the audit log keeps the record).
    """

    __tablename__ = "cohort_restrictions"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    until: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
