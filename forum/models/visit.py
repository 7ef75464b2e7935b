"""When each member's visits began: the home page's "new since your last visit"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base

__all__ = ["MemberVisit"]


class MemberVisit(Base):
    """One row per member: when the current visit began and when the one before it did.

    A table of its own rather than columns on `users`: it is written as people come and go,
    and nothing that loads a user needs it.
    """

    __tablename__ = "member_visits"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_visit_at: Mapped[datetime]
    previous_visit_at: Mapped[datetime | None] = mapped_column(default=None)
