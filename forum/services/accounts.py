"""Use cases about accounts: register, authenticate, profile, password changes, roles."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.errors import Invalid
from forum.extensions import db
from forum.lib.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from forum.models import User, utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,28}[A-Za-z0-9_]$")


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively; store them lower-cased and trimmed."""
    return (email or "").strip().lower()


def validate_password(password: str) -> None:
    """Raise Invalid when a password is too short or too long."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise Invalid(_("Use at least %(n)d characters.", n=minimum),
                      fields={"password": _("Use at least %(n)d characters.", n=minimum)})
    if len(password) > 1000:
        raise Invalid(_("That password is too long."), fields={"password": _("Too long.")})


def _check_new_account(email: str, username: str, display_name: str) -> None:
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = _("Enter a valid email address.")
    elif db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = _("An account with this email already exists.")
    if not USERNAME_RE.match(username or ""):
        errors["username"] = _("3-30 letters, digits, dots, dashes or underscores.")
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = _("This username is taken.")
    if not (display_name or "").strip() or len(display_name) > 80:
        errors["display_name"] = _("Enter your name (at most 80 characters).")
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)


def build_user(email: str, username: str, display_name: str, password: str,
               role: str = "member") -> User:
    """Validate and add a new user to the session without committing (callers commit once)."""
    email = normalise_email(email)
    username = (username or "").strip()
    _check_new_account(email, username, display_name)
    validate_password(password)
    user = User(email=email, username=username, display_name=display_name.strip(),
                password_hash=hash_password(password), role=role)
    db.session.add(user)
    return user


def register_user(email: str, username: str, display_name: str, password: str) -> User:
    """Create a member account (without a cohort) and commit."""
    user = build_user(email, username, display_name, password)
    commit_or_invalid(_("This email or username was just taken. Please choose another."))
    return user


def commit_or_invalid(message: str) -> None:
    """Commit; a unique-constraint race becomes a clear Invalid and nothing is half-written."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Invalid(message) from error


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose credentials match, upgrading old hashes; None otherwise."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        verify_password(DUMMY_HASH, password or "")  # same cost whether or not the account exists
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_seen_at = utcnow()
    db.session.commit()
    return user


def set_language(user: User, language: str) -> None:
    """Remember the user's interface language."""
    if language in current_app.config["LANGUAGES"]:
        user.language = language
        db.session.commit()


def find_by_username(username: str) -> User | None:
    """The user with that username, case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def existing_usernames(names: set[str]) -> set[str]:
    """Which of these lower-cased usernames exist (for @mention rendering)."""
    if not names:
        return set()
    rows = db.session.scalars(select(func.lower(User.username)).where(
        func.lower(User.username).in_(sorted(names))))
    return set(rows)
