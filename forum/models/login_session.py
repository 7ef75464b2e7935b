"""Login sessions: one row per sign-in on a device, so a session can be ended server-side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, utcnow

__all__ = ["LoginSession"]


class LoginSession(Base):
    """One signed-in device: the session and remember-me cookies name it and carry its key.

    Only the SHA-256 digest of the key is stored (the key is 256 random bits, so a fast digest
    is enough). Ending a session deletes its row: every cookie naming it is refused from then on.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Refreshed at most once a minute (see services/login_sessions.py): reads stay reads.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} of user {self.user_id}>"
