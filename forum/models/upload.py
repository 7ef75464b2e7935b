"""Uploaded files: pictures and documents attached to posts and chat messages, and avatars.

A file is fetched through the app's permission check only (forum/web/files.py): who may read it
follows what it is attached to, at the moment of the request, so moving, hiding or deleting the
content, or losing access to it, takes the file away too.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, utcnow

__all__ = ["Upload", "UploadKind"]


class UploadKind(enum.StrEnum):
    """What a file is shown as: an inline picture or a document card (always downloaded)."""

    IMAGE = "image"
    DOCUMENT = "document"


class Upload(Base):
    """One stored file. Orphans (never attached) belong to their uploader only."""

    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_uploads_post_id", "post_id"),
        Index("ix_uploads_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public name in URLs: 128 random bits, so a URL cannot be guessed from another one.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200), default=None)
    # What the file is attached to (at most one); none: an orphan, or an avatar.
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), default=None)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None)
    is_avatar: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attached_at: Mapped[datetime | None] = mapped_column(default=None)
    # Removed by its owner or a moderator: never served again; the bytes go at the next cleanup.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_image(self) -> bool:
        """Shown inline (re-encoded picture) rather than as a download."""
        return self.kind == UploadKind.IMAGE
