"""Personal access tokens: create (shown once), list, revoke, and resolve a presented token.

A token is `cmn_` + 43 URL-safe characters (256 random bits). Only its SHA-256 digest is stored:
the secret is random and long, so the digest cannot be reversed or brute-forced, and a lookup by
digest is one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from forum.errors import Invalid, NotFound, Unauthorized
from forum.extensions import db
from forum.models import ApiToken, TokenScope, User, utcnow
from forum.services import sessions
from forum.services.access import require_login

TOKEN_PREFIX = "cmn_"
MAX_TOKENS = 50  # per person: enough for every script, few enough to review
MAX_EXPIRY_DAYS = 366
SCOPES = tuple(scope.value for scope in TokenScope)
# last_used_at is a hint for people reviewing their tokens; writing it on every request would
# turn each read into a write, so it is refreshed at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=5)

__all__ = [
    "MAX_EXPIRY_DAYS",
    "SCOPES",
    "TOKEN_PREFIX",
    "NewToken",
    "create_token",
    "hash_token",
    "list_tokens",
    "owner_id",
    "resolve_token",
    "revoke_token",
    "user_for_token",
]


@dataclass
class NewToken:
    """A freshly created token and its secret, which is never shown again."""

    token: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    """The stored digest of a token secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, scope: str = TokenScope.READ.value,
                 expires_in_days: int | None = None) -> NewToken:
    """Create a token for the user; the returned secret is the only copy."""
    require_login(user)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 80:
        errors["name"] = _("Give the token a name of at most 80 characters.")
    if scope not in SCOPES:
        errors["scope"] = _("Choose read-only or read and write.")
    if expires_in_days is not None and (
            isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int)
            or not 1 <= expires_in_days <= MAX_EXPIRY_DAYS):
        errors["expires_in_days"] = _("Between 1 and %(n)d days, or empty for no expiry.",
                                      n=MAX_EXPIRY_DAYS)
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    active = db.session.scalar(
        select(db.func.count()).select_from(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if active >= MAX_TOKENS:
        raise Invalid(_("You have %(n)d tokens. Revoke one you no longer use first.",
                        n=MAX_TOKENS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, prefix=secret[:8], token_hash=hash_token(secret),
        scope=scope,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.commit()
    return NewToken(token, secret)


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones too, marked as such)."""
    require_login(user)
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is NotFound); idempotent."""
    require_login(user)
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
        # Sockets opened with the token would keep receiving their rooms' events: close the
        # person's sockets (browsers reconnect with their cookie; the token cannot).
        sessions.end_session(user)
    return token


def owner_id(secret: str) -> int | None:
    """Whose token this is (revoked or not), for per-person rate limits; None if unknown.

    Only a key for counting: `resolve_token` still decides whether the request may proceed.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    return db.session.scalar(select(ApiToken.user_id).where(
        ApiToken.token_hash == hash_token(secret)))


def resolve_token(secret: str | None) -> tuple[User, ApiToken]:
    """The (active user, token) a presented secret belongs to, or Unauthorized.

    Unknown, revoked and expired tokens and banned owners are all refused the same way.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise Unauthorized(_("The access token is missing or malformed."), code="invalid_token")
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        raise Unauthorized(_("The access token is not valid."), code="invalid_token")
    token, user = row
    now = utcnow()
    if token.revoked_at is not None:
        raise Unauthorized(_("The access token was revoked."), code="invalid_token")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized(_("The access token has expired."), code="invalid_token")
    if user.banned_at is not None:
        raise Unauthorized(_("This account is banned."), code="invalid_token")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # A plain UPDATE committed on its own: the request's own work must not depend on it.
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    return user, token


def user_for_token(token_id: int) -> User | None:
    """The owner of a still-usable token by id (sockets re-check on every event), else None."""
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id)
    ).first()
    if row is None:
        return None
    token, user = row
    if not token.is_usable() or user.banned_at is not None:
        return None
    return user
