"""Socket.IO room names and the emit wrappers services call after their commit.

Entry points never emit to rooms; services do, through these helpers, once the row exists.
Tests patch nothing here: they listen with real Socket.IO clients.
"""

from __future__ import annotations

from typing import Any

from forum.extensions import socketio


def user_room(user_id: int) -> str:
    """Every socket of one user joins this room (notifications, forced disconnects)."""
    return f"user:{user_id}"


def cohort_room(cohort_id: int) -> str:
    """Sockets of people who may read a cohort (presence, cohort-wide events)."""
    return f"cohort:{cohort_id}"


def thread_room(thread_id: int) -> str:
    """Sockets with a thread page open."""
    return f"thread:{thread_id}"


def channel_room(channel_id: int) -> str:
    """Sockets subscribed to a chat channel."""
    return f"channel:{channel_id}"


def broadcast(
    event: str, payload: dict[str, Any], room: str, *, skip_sid: str | None = None
) -> None:
    """Send an event to a room (through the Redis queue when several processes run)."""
    socketio.emit(event, payload, to=room, skip_sid=skip_sid, namespace="/")


def send_to_user(user_id: int, event: str, payload: dict[str, Any]) -> None:
    """Send an event to all of one user's sockets."""
    socketio.emit(event, payload, to=user_room(user_id), namespace="/")
