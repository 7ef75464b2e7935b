"""Who is connected, and to which live rooms: the socket bookkeeping services act on.

Logout, a ban, a removal from a cohort, a role change or a thread moved out of reach must act
on sockets that are already open, in whichever process holds them. Without Redis (one process)
the Socket.IO manager already knows: every socket joins its user's room on connect, and its
thread, channel and cohort rooms. With REDIS_URL set each process only knows its own sockets, so
the same facts are also kept in Redis:

    sids:<user id>      the user's socket ids          sid-user:<sid>   the socket's user id
    sid-rooms:<sid>     the live rooms it subscribed   room-sids:<room> the sockets in a room

Room changes and disconnects then travel through python-socketio's pub/sub manager to the
process that holds the socket. A crashed process leaves ids behind: they expire, and acting on
them is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from forum.lib import realtime
from forum.lib.degraded import best_effort

# Longer than a tab is plausibly left open on one connection (a network change or a deploy
# reconnects it with a new sid); refreshed whenever the socket joins a room. An expired entry
# would hide a socket from an eviction, so err long: stale ids of a crashed process only cost
# a few bytes until then.
SIDS_TTL = 7 * 24 * 60 * 60
# Rooms whose events carry content someone may lose access to (not the user and sid rooms).
LIVE_ROOM_PREFIXES = ("thread:", "channel:", "cohort:", "activity:")
ACCESS_LOST = "access:lost"
FEATURE = "socket registry"


def _shared(call, *args, default=None):
    """A Redis call that degrades to `default` while Redis is down (this process's sockets are
    still known through their rooms; logged once per outage)."""
    return best_effort(FEATURE, call, *args, default=default)


def _sids_key(user_id: int) -> str:
    return realtime.redis_key("sids", user_id)


def _user_key(sid: str) -> str:
    return realtime.redis_key("sid-user", sid)


def _rooms_key(sid: str) -> str:
    return realtime.redis_key("sid-rooms", sid)


def _members_key(room: str) -> str:
    return realtime.redis_key("room-sids", room)


def is_live_room(room: str) -> bool:
    """Whether a room carries content (thread, channel, cohort), as opposed to a socket's own."""
    return room.startswith(LIVE_ROOM_PREFIXES)


def room_kind(room: str) -> tuple[str, int] | None:
    """("thread", 12) for "thread:12"; None for rooms that are not live content rooms."""
    kind, _sep, ident = room.partition(":")
    if not is_live_room(room) or not ident.isdigit():
        return None
    return kind, int(ident)


# --------------------------------------------------------------------------- lifecycle


def connected(user_id: int, sid: str) -> None:
    """Remember a newly connected socket of a user (its user room is joined by the caller)."""
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.sadd(_sids_key(user_id), sid)
        pipe.expire(_sids_key(user_id), SIDS_TTL)
        pipe.set(_user_key(sid), user_id, ex=SIDS_TTL)
        _shared(pipe.execute)


def disconnected(user_id: int | None, sid: str) -> list[str]:
    """Forget a socket that disconnected; returns the live rooms it was in (for presence)."""
    rooms = sorted(rooms_of(sid))
    for room in rooms:
        _safe_leave(sid, room)  # before presence is announced, so it is not counted
    _forget_records(user_id, sid, rooms)
    return rooms


def forget(user_id: int | None, sid: str) -> list[str]:
    """Forget the records of a socket that died with its process (no room to leave: the rooms
    died with it); returns the live rooms it was in (for presence)."""
    rooms = sorted(rooms_of(sid))
    _forget_records(user_id, sid, rooms)
    return rooms


def _forget_records(user_id: int | None, sid: str, rooms: list[str]) -> None:
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        for room in rooms:
            pipe.srem(_members_key(room), sid)
        pipe.delete(_rooms_key(sid), _user_key(sid))
        if user_id is not None:
            pipe.srem(_sids_key(user_id), sid)
        _shared(pipe.execute)


def remember_local(user_id: int, sid: str) -> None:
    """Write a socket of this process back to Redis with its live rooms (Redis lost them)."""
    connected(user_id, sid)
    for room in _local_rooms(sid):
        if is_live_room(room):
            subscribe(sid, room)


def subscribe(sid: str, room: str) -> None:
    """Put a socket in a live room and remember it, so a later loss of access can find it."""
    realtime.enter_room(sid, room)
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.sadd(_rooms_key(sid), room)
        pipe.expire(_rooms_key(sid), SIDS_TTL)
        pipe.sadd(_members_key(room), sid)
        pipe.expire(_members_key(room), SIDS_TTL)
        pipe.expire(_user_key(sid), SIDS_TTL)
        _shared(pipe.execute)


def subscribe_many(sid: str, rooms: list[str]) -> None:
    """subscribe() for many rooms at once (a chat sidebar): one Redis round trip in all."""
    for room in rooms:
        realtime.enter_room(sid, room)
    client = realtime.redis_client()
    if client is not None and rooms:
        pipe = client.pipeline()
        pipe.sadd(_rooms_key(sid), *rooms)
        pipe.expire(_rooms_key(sid), SIDS_TTL)
        for room in rooms:
            pipe.sadd(_members_key(room), sid)
            pipe.expire(_members_key(room), SIDS_TTL)
        pipe.expire(_user_key(sid), SIDS_TTL)
        _shared(pipe.execute)


def unsubscribe(sid: str, room: str) -> None:
    """Take a socket out of a live room (wherever it is connected) and forget it."""
    _safe_leave(sid, room)
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.srem(_rooms_key(sid), room)
        pipe.srem(_members_key(room), sid)
        _shared(pipe.execute)


def evict(sid: str, room: str, payload: dict[str, Any]) -> None:
    """Take a socket out of a room it may no longer read, then tell it (`access:lost`).

    Both go through the same message queue in this order, so the socket hears of the loss after
    it has left, and nothing broadcast to the room afterwards reaches it.
    """
    unsubscribe(sid, room)
    realtime.send_to_sid(sid, ACCESS_LOST, payload)


# --------------------------------------------------------------------------- who is where


def sids_of(user_id: int) -> set[str]:
    """Every live socket id of a user, across processes when Redis is configured."""
    sids = set(realtime.local_participants(realtime.user_room(user_id)))
    client = realtime.redis_client()
    if client is not None:
        sids |= set(_shared(client.smembers, _sids_key(user_id), default=set()))
    return sids


def rooms_of(sid: str) -> set[str]:
    """The live rooms (thread, channel, cohort) a socket is in, wherever it is connected."""
    rooms = {room for room in _local_rooms(sid) if is_live_room(room)}
    client = realtime.redis_client()
    if client is not None:
        rooms |= set(_shared(client.smembers, _rooms_key(sid), default=set()))
    return rooms


def members_of(rooms: Iterable[str]) -> dict[str, set[str]]:
    """room → socket ids in it, across processes (one Redis round trip for all the rooms)."""
    rooms = sorted(set(rooms))
    members = {room: set(realtime.local_participants(room)) for room in rooms}
    client = realtime.redis_client()
    if client is not None and rooms:
        pipe = client.pipeline()
        for room in rooms:
            pipe.smembers(_members_key(room))
        for room, sids in zip(rooms, _shared(pipe.execute, default=None) or [set()] * len(rooms),
                              strict=True):
            members[room] |= set(sids)
    return members


def users_of(sids: Iterable[str]) -> dict[str, int]:
    """sid → user id, for sockets whose user is known (local ones, or recorded in Redis)."""
    sids = sorted(set(sids))
    users: dict[str, int] = {}
    for sid in sids:
        for room in _local_rooms(sid):
            if room.startswith("user:"):
                users[sid] = int(room.split(":", 1)[1])
    client = realtime.redis_client()
    missing = [sid for sid in sids if sid not in users]
    if client is not None and missing:
        known = _shared(client.mget, [_user_key(s) for s in missing],
                        default=None) or [None] * len(missing)
        for sid, user_id in zip(missing, known, strict=True):
            if user_id is not None:
                users[sid] = int(user_id)
    return users


def disconnect_user(user_id: int) -> None:
    """Disconnect every live socket of a user (logout, password change, ban)."""
    for sid in sids_of(user_id):
        realtime.disconnect_sid(sid)
    client = realtime.redis_client()
    if client is not None:
        _shared(client.delete, _sids_key(user_id))


def _local_rooms(sid: str) -> list[str]:
    try:
        return realtime.local_rooms(sid)
    except (KeyError, ValueError, TypeError):  # not connected to this process
        return []


def _safe_leave(sid: str, room: str) -> None:
    with suppress(KeyError, ValueError):  # already gone from this process
        realtime.leave_room(sid, room)
