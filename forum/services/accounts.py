"""Use cases about accounts: register, authenticate, change and reset passwords."""

from __future__ import annotations

import re

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.errors import Invalid
from forum.extensions import db
from forum.lib import tokens
from forum.lib.mail import send_mail
from forum.lib.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from forum.models import User, utcnow
from forum.services import login_sessions, sessions
from forum.services.access import require_login

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


def check_new_account(email: str, username: str, display_name: str, *,
                      email_taken: bool = True) -> None:
    """Raise Invalid with field errors for a new account's email, username and name.

    `email_taken=False` leaves out "this email has an account": registration forms must not
    tell a stranger which addresses have accounts (services/registrations.py mails instead).
    """
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = _("Enter a valid email address.")
    elif email_taken and db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = _("An account with this email already exists.")
    if not USERNAME_RE.match(username or ""):
        errors["username"] = _("3-30 letters, digits, dots, dashes or underscores.")
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = _("This username is taken.")
    if not (display_name or "").strip() or len(display_name) > 80:
        errors["display_name"] = _("Enter your name (at most 80 characters).")
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)


def build_user(email: str, username: str, display_name: str, password: str | None,
               role: str = "member", *, password_hash: str | None = None) -> User:
    """Validate and add a new user to the session without committing (callers commit once).

    `password_hash` instead of `password`: a password checked and hashed earlier (a
    registration confirmed by mail).
    """
    email = normalise_email(email)
    username = (username or "").strip()
    check_new_account(email, username, display_name)
    if password_hash is None:
        validate_password(password or "")
        password_hash = hash_password(password)
    user = User(email=email, username=username, display_name=display_name.strip(),
                password_hash=password_hash, role=role)
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
    """Return the user whose credentials match, upgrading old hashes (no commit); else None.

    A missing account costs one verification with today's parameters, like an existing one.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        verify_dummy(password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_seen_at = utcnow()
    return user


def log_in(email: str, password: str, user_agent: str, ip_address: str) -> User | None:
    """Check the credentials and, for an active account, start a login session on this device.

    Returns None for wrong credentials, and a banned account without starting anything (the
    caller says it is banned: only someone who knows the password learns that).
    """
    user = authenticate(email, password)
    if user is None or not user.is_active:
        return user
    login_sessions.start_session(user, user_agent, ip_address)  # commits the rehash too
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


def bump_session_version(user: User) -> None:
    """End every login session and remember-me cookie of the user (no commit: callers commit)."""
    login_sessions.end_all_sessions(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Check the current password, store the new one and end every other login session.

    This device's session (the one `user` was loaded for) and its cookies stay valid.
    """
    require_login(user)
    if not verify_password(user.password_hash, current_password or ""):
        raise Invalid(_("Your current password is not right."),
                      fields={"current_password": _("Your current password is not right.")})
    _store_password(user, new_password)
    login_sessions.end_other_sessions(user)  # commits the new hash with the ended sessions


def _reset_fingerprint(user: User) -> str:
    return tokens.fingerprint(user.password_hash)


def password_reset_token(user: User) -> str:
    """A signed token for the reset link: the user id and a fingerprint of the password hash."""
    return tokens.make_token({"uid": user.id, "fp": _reset_fingerprint(user)},
                             tokens.PASSWORD_RESET_SALT)


def request_password_reset(email: str) -> None:
    """Mail a reset link when an active account has this address; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    link = url_for("passwords.reset", token=password_reset_token(user), _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    # The mail is for the account holder: their language, whoever's browser asked.
    language = user.language if user.language in current_app.config["LANGUAGES"] else None
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        _mail_password_reset(user, link, minutes)


def _mail_password_reset(user: User, link: str, minutes: int) -> None:
    text = _(
        "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your Commons password. "
        "Open this link to choose a new one:\n\n%(link)s\n\nThe link works once and expires in "
        "%(minutes)d minutes. If you did not ask, ignore this message; your password stays "
        "the same.\n",
        name=user.display_name, link=link, minutes=minutes)
    send_mail(user.email, _("Reset your Commons password"), text)


def user_for_reset_token(token: str) -> User:
    """The user a reset token is valid for; Invalid if it is forged, expired or already used."""
    try:
        payload = tokens.load_token(token, tokens.PASSWORD_RESET_SALT,
                                    current_app.config["PASSWORD_RESET_MAX_AGE"])
    except tokens.TokenError as error:
        raise Invalid(_("This link has expired.") if error.expired
                      else _("This link is not valid."), code="bad_token") from error
    user = None
    if isinstance(payload, dict) and isinstance(payload.get("uid"), int):
        user = db.session.get(User, payload["uid"])
    if (user is None or not user.is_active
            or not tokens.same_fingerprint(str(payload.get("fp", "")), _reset_fingerprint(user))):
        # Same message for "used" and "password changed since": both mean "ask again".
        raise Invalid(_("This link was already used or is no longer valid."), code="bad_token")
    return user


def _store_password(user: User, new_password: str) -> None:
    """Validate and set a new password hash (no commit)."""
    try:
        validate_password(new_password)
    except Invalid as error:
        raise Invalid(error.message, fields={"new_password": error.message}) from error
    user.password_hash = hash_password(new_password)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset token and end every session of the account.

    The token dies with the old hash; whoever knew the old password is logged out everywhere,
    sockets included. The caller may start a new session for this device.
    """
    user = user_for_reset_token(token)
    _store_password(user, new_password)
    bump_session_version(user)
    db.session.commit()
    sessions.end_session(user)
    return user
