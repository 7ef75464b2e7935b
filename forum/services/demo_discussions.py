"""Demo discussions content for `flask forum seed-demo` (filled in by the discussions work)."""

from __future__ import annotations

from forum.models import Cohort, User


def seed(*, admin: User, moderator: User, mentors: list[User], members: list[User],
         cohort: Cohort) -> None:
    """Add demo discussions content for the demo cohort; the caller commits."""
    return None
