"""Session lifecycle side effects shared by logout, password change, ban and suspension."""

from __future__ import annotations

from forum.models import User


def end_session(user: User) -> None:
    """Close the user's live sockets when they log out."""
    from forum.sockets import registry

    registry.disconnect_user(user.id)
