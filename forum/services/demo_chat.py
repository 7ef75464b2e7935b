"""Demo chat content for `flask forum seed-demo` (filled in by the chat work)."""

from __future__ import annotations

from forum.models import Cohort, User


def seed(*, admin: User, moderator: User, mentors: list[User], members: list[User],
         cohort: Cohort) -> None:
    """Add demo chat content for the demo cohort; the caller commits."""
    return None
