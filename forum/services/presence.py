"""Who is online in a channel: ephemeral, never stored in the database.

One process (no REDIS_URL): the Socket.IO manager is the truth — the sockets in a channel's room
and the user room each socket joined on connect. Several processes: a Redis hash per channel maps
socket id → user id, so every process sees the sockets held by the others.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from forum.extensions import db, socketio
from forum.lib import realtime, socket_registry
from forum.models import User

PRESENCE_TTL = 24 * 60 * 60  # a crashed process's entries eventually go


def _key(channel_id: int) -> str:
    return realtime.redis_key("presence", "channel", channel_id)


def _local_user_ids(channel_id: int) -> set[int]:
    users: set[int] = set()
    for sid in realtime.local_participants(realtime.channel_room(channel_id)):
        for room in realtime.local_rooms(sid):
            if room.startswith("user:"):
                users.add(int(room.split(":", 1)[1]))
    return users


def online_user_ids(channel_id: int) -> set[int]:
    """Ids of the users with at least one socket in the channel's room."""
    client = realtime.redis_client()
    if client is None:
        return _local_user_ids(channel_id)
    return {int(uid) for uid in client.hvals(_key(channel_id))}


def online_among(user_ids: list[int]) -> set[int]:
    """Which of these people have a live socket right now (any page, any process)."""
    return {user_id for user_id in user_ids if socket_registry.sids_of(user_id)}


def online_users(channel_id: int) -> list[dict]:
    """The people online in a channel, sorted by display name, as socket payloads."""
    ids = online_user_ids(channel_id)
    if not ids:
        return []
    rows = db.session.execute(
        select(User.id, User.username, User.display_name).where(User.id.in_(sorted(ids)))
    ).all()
    people = [{"id": r.id, "username": r.username, "display_name": r.display_name} for r in rows]
    return sorted(people, key=lambda p: p["display_name"].lower())


_scheduled: set[int] = set()  # channels with a presence broadcast pending in this process
PRESENCE_ROOM_STEP = 100  # sockets per PRESENCE_COALESCE_SECONDS of delay in big rooms


def coalesce_delay(base: float, room_size: int) -> float:
    """Seconds between two presence lists of a room: longer as the room grows.

    A list names everyone and goes to everyone: at a fixed rate its bytes grow with N².
    Stretching the delay with N keeps them linear (a room of 500 hears every 5 s, not
    every second, while 500 people join); a join still gets the current list in its ack.
    """
    return base * max(1.0, room_size / PRESENCE_ROOM_STEP)


def _broadcast_now(channel_id: int) -> None:
    realtime.broadcast("presence", {"channel_id": channel_id, "users": online_users(channel_id)},
                       realtime.channel_room(channel_id))


def broadcast_presence(channel_id: int) -> None:
    """Tell the channel's room who is online now: at most once per PRESENCE_COALESCE_SECONDS
    (longer in rooms of over PRESENCE_ROOM_STEP sockets: coalesce_delay).

    Every join used to send the whole list to the whole room: N people (re)connecting sent
    N lists of N names to N sockets — at N=500 the join storm held every pooled database
    connection until joins failed (bench/chat.py). Coalesced, a burst costs one list per
    channel and delay; the joiner still gets the current list in its join ack.
    """
    delay = current_app.config.get("PRESENCE_COALESCE_SECONDS", 0)
    if not delay:
        _broadcast_now(channel_id)
        return
    if channel_id in _scheduled:
        return
    delay = coalesce_delay(delay, len(realtime.local_participants(
        realtime.channel_room(channel_id))))
    _scheduled.add(channel_id)
    app = current_app._get_current_object()

    def later() -> None:
        socketio.sleep(delay)
        with app.app_context():
            _scheduled.discard(channel_id)  # joins from now on schedule the next list
            try:
                _broadcast_now(channel_id)
            finally:
                db.session.remove()

    socketio.start_background_task(later)


def joined(user_id: int, channel_id: int, sid: str) -> None:
    """Record that a socket entered a channel's room, and broadcast the new list."""
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.hset(_key(channel_id), sid, user_id)
        pipe.expire(_key(channel_id), PRESENCE_TTL)
        pipe.execute()
    broadcast_presence(channel_id)


def left(channel_ids: list[int], sid: str, *, announce: bool = True) -> None:
    """Record that a socket left these channels' rooms (leave, disconnect, lost access)."""
    client = realtime.redis_client()
    if client is not None and channel_ids:
        pipe = client.pipeline()
        for channel_id in channel_ids:
            pipe.hdel(_key(channel_id), sid)
        pipe.execute()
    if announce:
        for channel_id in channel_ids:
            broadcast_presence(channel_id)


def socket_channel_ids(sid: str) -> list[int]:
    """The channels whose rooms a locally connected socket is in."""
    return [int(room.split(":", 1)[1]) for room in realtime.local_rooms(sid)
            if room.startswith("channel:")]
