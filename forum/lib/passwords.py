"""Argon2id password hashing (argon2-cffi); cheap parameters only under ARGON2_FAST for tests."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_SLOW = PasswordHasher()  # library defaults: RFC 9106 low-memory profile
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("ARGON2_FAST"):
        return _FAST
    return _SLOW


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password against a stored hash without raising."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)


# A real hash to verify against when the account does not exist, so timing reveals nothing.
DUMMY_HASH = _FAST.hash("no such account")
