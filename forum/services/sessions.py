"""Session lifecycle side effects shared by logout, password change, ban, suspension, removal."""

from __future__ import annotations

from forum.lib import socket_registry
from forum.models import User
from forum.services import live_access


def end_session(user: User) -> None:
    """Close the user's live sockets at once (logout, password change, ban), in every process."""
    socket_registry.disconnect_user(user.id)


def memberships_changed(user_id: int) -> None:
    """A user's cohort memberships changed (removed, archived...): narrow their live sockets.

    Call after the commit: every socket of the user leaves the thread, channel and cohort rooms
    it may no longer read, so an already-open socket stops receiving them immediately, in every
    process (a role change too: global moderators read every cohort).
    """
    live_access.recheck_users([user_id])
