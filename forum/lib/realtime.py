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


def activity_room(channel_id: int) -> str:
    """Sidebars listing a chat channel: its light `chat:activity` events (no content)."""
    return f"activity:{channel_id}"


def broadcast(
    event: str, payload: dict[str, Any], room: str, *, skip_sid: str | None = None
) -> None:
    """Send an event to a room (through the Redis queue when several processes run)."""
    socketio.emit(event, payload, to=room, skip_sid=skip_sid, namespace="/")


def send_to_user(user_id: int, event: str, payload: dict[str, Any]) -> None:
    """Send an event to all of one user's sockets."""
    socketio.emit(event, payload, to=user_room(user_id), namespace="/")


def send_to_sid(sid: str, event: str, payload: dict[str, Any]) -> None:
    """Send an event to one socket, wherever it is connected."""
    socketio.emit(event, payload, to=sid, namespace="/")


# --------------------------------------------------------------------------- socket control
# Room membership and disconnects go through the Socket.IO manager: with a Redis message queue
# python-socketio's pub/sub manager forwards them to the process that holds the socket.

_redis_clients: dict[str, Any] = {}


def enter_room(sid: str, room: str) -> None:
    """Put one socket in a room (works for sockets held by another process too)."""
    socketio.server.enter_room(sid, room, namespace="/")


def leave_room(sid: str, room: str) -> None:
    """Take one socket out of a room, wherever it is connected."""
    socketio.server.leave_room(sid, room, namespace="/")


def disconnect_sid(sid: str) -> None:
    """Close one socket, wherever it is connected."""
    socketio.server.disconnect(sid, namespace="/")


def local_rooms(sid: str) -> list[str]:
    """Rooms of a socket connected to this process."""
    return list(socketio.server.rooms(sid, namespace="/"))


def local_participants(room: str) -> list[str]:
    """Socket ids in a room, among the sockets connected to this process."""
    manager = socketio.server.manager
    return [sid for sid, _eio in manager.get_participants("/", room)]


def redis_client():
    """A Redis client when REDIS_URL is set (shared state across processes), else None."""
    from flask import current_app

    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _redis_clients:
        import redis

        from forum.lib.redis_options import fail_fast

        # Fails at once while Redis is away (best_effort then degrades), not after ~4 s.
        _redis_clients[url] = redis.Redis.from_url(url, decode_responses=True, **fail_fast())
    return _redis_clients[url]


def redis_key(*parts: object) -> str:
    """A namespaced Redis key: REDIS_KEY_PREFIX + parts joined by ':'."""
    from flask import current_app

    return current_app.config.get("REDIS_KEY_PREFIX", "commons:") + ":".join(map(str, parts))
