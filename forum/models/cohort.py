"""Cohorts, who belongs to them, and the invitations that let people in."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow
from forum.models.user import User


class CohortStatus(enum.StrEnum):
    """Active cohorts are in their programme; alumni cohorts are archived but readable.

    An alumni cohort is either kept writable for its alumni, or read-only (`Cohort.read_only`):
    then only its moderators (facilitators, global moderators, admins) write in its spaces.
    """

    ACTIVE = "active"
    ALUMNI = "alumni"


class CohortRole(enum.StrEnum):
    """A person's place in one cohort; `moderator` makes them a facilitator of that cohort."""

    MEMBER = "member"
    MENTOR = "mentor"
    MODERATOR = "moderator"


class Cohort(Base):
    """One edition of a programme: the people who trained together."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    programme: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(default=None)
    ends_on: Mapped[date | None] = mapped_column(default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=CohortStatus.ACTIVE.value)
    # Chosen when archiving: an alumni cohort's spaces and channels take no more writes from
    # its members. Meaningless (and kept False) while the cohort is active.
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[CohortMembership]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", lazy="raise"
    )

    @property
    def is_archived(self) -> bool:
        """Whether the cohort has become an alumni cohort."""
        return self.status == CohortStatus.ALUMNI.value

    @property
    def is_read_only(self) -> bool:
        """Whether the cohort is archived read-only (members read but no longer write)."""
        return self.is_archived and self.read_only

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.slug}>"


class CohortMembership(Base):
    """A person in a cohort with a cohort role."""

    __tablename__ = "cohort_memberships"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=CohortRole.MEMBER.value)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    cohort: Mapped[Cohort] = relationship(back_populates="memberships", lazy="raise")


class Invitation(Base):
    """A code that lets people join a cohort, with an expiry and a use limit."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("uses <= max_uses", name="uses_within_limit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=CohortRole.MEMBER.value)
    # Set for roster invitations: the person it was made for (prefills the registration form).
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    name: Mapped[str | None] = mapped_column(String(80), default=None)
    max_uses: Mapped[int] = mapped_column(default=1)
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(lazy="raise")

    def is_usable(self, now: datetime | None = None) -> bool:
        """Whether the code can still be redeemed."""
        now = now or utcnow()
        return (
            self.revoked_at is None
            and self.uses < self.max_uses
            and (self.expires_at is None or self.expires_at > now)
        )
