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


# One real hash per hasher, made with that hasher's own parameters: a dummy made with cheaper
# parameters than the stored hashes (as the _FAST one was) answers a missing account in a
# fraction of the time an existing one takes, and so tells which addresses have accounts.
_DUMMY_HASHES: dict[int, str] = {}


def dummy_hash() -> str:
    """A hash with today's parameters, to verify against when the account does not exist."""
    hasher = _hasher()
    if id(hasher) not in _DUMMY_HASHES:
        _DUMMY_HASHES[id(hasher)] = hasher.hash("no such account")
    return _DUMMY_HASHES[id(hasher)]


def verify_dummy(password: str) -> None:
    """Spend exactly the work a real verification would, for a missing account."""
    verify_password(dummy_hash(), password)
