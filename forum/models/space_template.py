"""The cohort template: the spaces (categories and chat channels) every new cohort starts with."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, utcnow

__all__ = ["SpaceKind", "SpaceTemplate"]


class SpaceKind(enum.StrEnum):
    """What a template space becomes: a discussion category or a chat channel."""

    CATEGORY = "category"
    CHANNEL = "channel"


class SpaceTemplate(Base):
    """One space of the cohort template; patterns take {cohort}, {slug} and {id}."""

    __tablename__ = "space_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Dense 0..n-1: the editor and the new-cohort form name a space by its place in the list.
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default=SpaceKind.CATEGORY.value)
    name_pattern: Mapped[str] = mapped_column(String(120))
    slug_pattern: Mapped[str] = mapped_column(String(80))
    # A category's mode (CategoryMode); channels keep "discussion" and ignore it.
    mode: Mapped[str] = mapped_column(String(16), default="discussion")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SpaceTemplate {self.position} {self.kind} {self.name_pattern!r}>"
