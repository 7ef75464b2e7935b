"""Personal access tokens for the JSON API and Socket.IO clients."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow
from forum.models.user import User

__all__ = ["ApiToken", "TokenScope"]


class TokenScope(enum.StrEnum):
    """What a token may do: read only, or read and write."""

    READ = "read"
    WRITE = "write"


class ApiToken(Base):
    """A personal access token; only the SHA-256 digest of its secret is stored.

    The secret has 256 bits of entropy, so a plain (unsalted, fast) digest is as strong as a
    password hash would be, and it lets a request find its token with one indexed lookup.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The first characters of the token ("cmn_AbCd"), shown in the list so people recognise it.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(8), default=TokenScope.READ.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def can_write(self) -> bool:
        """Whether the token may change things."""
        return self.scope == TokenScope.WRITE.value

    def is_usable(self, now: datetime | None = None) -> bool:
        """Not revoked and not expired."""
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
