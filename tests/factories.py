"""Small factories for tests; call them inside an app context (the `make` fixture does)."""

from __future__ import annotations

import itertools

from forum.extensions import db
from forum.lib.passwords import hash_password
from forum.models import Cohort, CohortMembership, User

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def user(username: str | None = None, *, role: str = "member", password: str = PASSWORD,
         cohorts: tuple[Cohort, ...] | list[Cohort] = (), cohort_role: str = "member",
         **profile) -> User:
    """Create and commit a user, optionally placed in cohorts."""
    n = next(_seq)
    username = username or f"user{n}"
    # A zone given here is the member's choice (as in their profile), not their browser's.
    profile.setdefault("timezone_chosen", "timezone" in profile)
    obj = User(email=profile.pop("email", f"{username}@example.org"), username=username,
               display_name=profile.pop("display_name", username.title()),
               password_hash=_hash(password), role=role, **profile)
    db.session.add(obj)
    db.session.flush()
    for cohort in cohorts:
        db.session.add(CohortMembership(user_id=obj.id, cohort_id=cohort.id, role=cohort_role))
    db.session.commit()
    return obj


def cohort(slug: str | None = None, **fields) -> Cohort:
    """Create and commit a cohort."""
    n = next(_seq)
    slug = slug or f"cohort-{n}"
    obj = Cohort(slug=slug, name=fields.pop("name", f"Cohort {n}"),
                 programme=fields.pop("programme", "JPO Orientation"), **fields)
    db.session.add(obj)
    db.session.commit()
    return obj


def membership(user_obj: User, cohort_obj: Cohort, role: str = "member") -> CohortMembership:
    """Put a user in a cohort."""
    obj = CohortMembership(user_id=user_obj.id, cohort_id=cohort_obj.id, role=role)
    db.session.add(obj)
    db.session.commit()
    return obj
