"""Signed, expiring tokens (itsdangerous) for links sent by mail, e.g. password reset."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PASSWORD_RESET_SALT = "password-reset"


class TokenError(Exception):
    """The token is malformed, forged or expired."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(payload: Any, salt: str) -> str:
    """Sign a JSON-serialisable payload; the signature carries the creation time."""
    return _serializer(salt).dumps(payload)


def load_token(token: str, salt: str, max_age: int) -> Any:
    """Return the payload of a valid token younger than max_age seconds, else raise TokenError."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError(expired=True) from error
    except BadSignature as error:
        raise TokenError() from error


def fingerprint(secret_value: str) -> str:
    """A short digest of a secret (a password hash) to tie a token to the current state.

    Changing the password changes the fingerprint, so a used or stale token stops working.
    """
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret_value.encode(), hashlib.sha256).hexdigest()[:32]


def same_fingerprint(a: str, b: str) -> bool:
    """Constant-time comparison of two fingerprints."""
    return hmac.compare_digest(a.encode(), b.encode())
