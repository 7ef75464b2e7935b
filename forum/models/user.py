"""People: accounts, their profile and their site-wide role."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, utcnow


class Role(enum.StrEnum):
    """Site-wide role. A `moderator` here moderates everywhere; cohort facilitators are scoped
    through their cohort membership instead."""

    MEMBER = "member"
    MENTOR = "mentor"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, Base):
    """An account with its public profile."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    # Bumped when every session ends at once (password reset, log out everywhere, ban): a cookie
    # naming an older version is refused even before its login session row is looked at.
    session_version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[str] = mapped_column(String(120), default="")
    duty_station: Mapped[str] = mapped_column(String(120), default="")
    sponsoring_country: Mapped[str] = mapped_column(String(80), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    open_to_mentoring: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # False while `timezone` follows the zone the member's browser reports (static/js/time.js);
    # True once they pick one in their profile, which then always wins.
    timezone_chosen: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The token of an uploaded avatar (forum/models/upload.py), read with the user: no query.
    avatar_token: Mapped[str | None] = mapped_column(String(32), default=None)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    suspended_until: Mapped[datetime | None] = mapped_column(default=None)
    banned_at: Mapped[datetime | None] = mapped_column(default=None)

    expertise: Mapped[list[UserExpertise]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise",
        order_by="UserExpertise.tag",
    )

    # The login session (forum/models/login_session.py) and its secret key this object was
    # signed in with or loaded for: not columns, set by services/login_sessions.py.
    login_session = None
    login_key = None

    def get_id(self) -> str:
        """Flask-Login identity (session and remember-me cookies): the id, the session version,
        the login session and its key, so ending that session or bumping the version logs out."""
        if self.login_session is None:
            return f"{self.id}:{self.session_version}"  # bound to no login session: refused
        return f"{self.id}:{self.session_version}:{self.login_session.id}:{self.login_key}"

    @property
    def is_active(self) -> bool:
        return self.banned_at is None

    @property
    def is_admin(self) -> bool:
        """Whether the user runs the site."""
        return self.role == Role.ADMIN.value

    @property
    def is_global_moderator(self) -> bool:
        """Whether the user moderates every space (admins do too)."""
        return self.role in (Role.MODERATOR.value, Role.ADMIN.value)

    @property
    def is_mentor(self) -> bool:
        """Whether the user carries the mentor badge."""
        return self.role == Role.MENTOR.value

    def is_suspended(self, now: datetime | None = None) -> bool:
        """Whether a suspension is in force."""
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<User {self.id} @{self.username}>"


class UserExpertise(Base):
    """One expertise tag on a profile; a table so the directory can filter by it."""

    __tablename__ = "user_expertise"
    __table_args__ = (UniqueConstraint("user_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(40), index=True)

    user: Mapped[User] = relationship(back_populates="expertise", lazy="raise")
