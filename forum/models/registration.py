"""Registrations through an open invitation, waiting for their email address to be confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, utcnow

__all__ = ["PendingRegistration"]


class PendingRegistration(Base):
    """What someone typed into the registration form of an open invitation.

    The account is made only when the link mailed to the address is followed, so the form
    answers "check your email" whether or not the address already has an account, and nobody
    can take an address they cannot read. Only the SHA-256 digest of the link's key is stored.
    """

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(30))
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
