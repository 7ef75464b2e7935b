"""Session lifecycle side effects shared by logout, password change, ban, suspension, removal."""

from __future__ import annotations

from forum.models import User


def end_session(user: User) -> None:
    """Close the user's live sockets when they log out."""
    from forum.sockets import registry

    registry.disconnect_user(user.id)


def memberships_changed(user_id: int) -> None:
    """A user's cohort memberships changed (removed, archived...): narrow their live sockets.

    Call after the commit. The chat work makes live sockets leave rooms they may no longer read.
    """
    from forum.services.access import forget_memberships

    forget_memberships(user_id)
