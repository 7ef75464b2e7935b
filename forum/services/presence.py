"""Who is online in a channel: ephemeral, never stored in the database.

One process (no REDIS_URL): the Socket.IO manager is the truth — the sockets in a channel's room
and the user room each socket joined on connect. Several processes: a Redis hash per channel maps
socket id → user id, so every process sees the sockets held by the others.

Entries die with their process: each process beats a heartbeat (a score in one sorted set) and
lists its sockets in a set of its own. A process whose heartbeat is older than 3 beats is dead
(kill -9, power loss): the first live process to notice removes its sockets from the registry
and from every channel's presence, and tells those rooms. A restarted process with the same
name (host and bound address) cleans its predecessor's entries at once. With Redis down, presence
is answered from this process's own sockets (logged once); after an outage the process writes its
sockets back (resync_local).
"""

from __future__ import annotations

import logging
import os
import socket
import time

from flask import current_app
from sqlalchemy import select

from forum.extensions import db, socketio
from forum.lib import realtime, socket_registry
from forum.lib.degraded import best_effort
from forum.models import User

log = logging.getLogger(__name__)
PRESENCE_TTL = 24 * 60 * 60  # a hash nobody joins any more goes after a day
FEATURE = "presence"


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
    ids = best_effort(FEATURE, client.hvals, _key(channel_id))
    if ids is None:  # Redis down: this process's sockets are all we know
        return _local_user_ids(channel_id)
    return {int(uid) for uid in ids}


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
        best_effort(FEATURE, pipe.execute)
    broadcast_presence(channel_id)


def left(channel_ids: list[int], sid: str, *, announce: bool = True) -> None:
    """Record that a socket left these channels' rooms (leave, disconnect, lost access)."""
    client = realtime.redis_client()
    if client is not None and channel_ids:
        pipe = client.pipeline()
        for channel_id in channel_ids:
            pipe.hdel(_key(channel_id), sid)
        best_effort(FEATURE, pipe.execute)
    if announce:
        for channel_id in channel_ids:
            broadcast_presence(channel_id)


# --------------------------------------------------------------------------- process liveness

HEARTBEATS_TO_DEATH = 3  # a process silent for this many beats is dead
_heartbeats: dict[str, object] = {}  # key prefix → the manager its heartbeat loop serves


def process_name() -> str:
    """This process, as other processes know it: host and bound address (a restart on the same
    address is the same process and cleans up after its predecessor), else host and pid."""
    name = os.environ.get("PRESENCE_PROCESS_NAME") or os.environ.get("BIND")
    return f"{socket.gethostname()}:{name or f'pid{os.getpid()}'}"


def _processes_key() -> str:
    return realtime.redis_key("presence", "processes")


def _sockets_key(name: str) -> str:
    return realtime.redis_key("presence", "process", name)


def connected(user_id: int, sid: str) -> None:
    """A socket of this process connected: list it under this process (see module doc)."""
    client = realtime.redis_client()
    if client is None:
        return
    _ensure_heartbeat()
    best_effort(FEATURE, client.sadd, _sockets_key(process_name()), f"{user_id}:{sid}")


def disconnected(user_id: int | None, sid: str) -> None:
    """A socket of this process went away: unlist it."""
    client = realtime.redis_client()
    if client is not None and user_id is not None:
        best_effort(FEATURE, client.srem, _sockets_key(process_name()), f"{user_id}:{sid}")


def _local_sockets() -> dict[str, int]:
    """sid → user id of the sockets connected to this process (from their user rooms)."""
    rooms = socketio.server.manager.rooms.get("/", {})
    return {sid: int(room.split(":", 1)[1]) for room in list(rooms)
            if room and room.startswith("user:") for sid in list(rooms.get(room, {}))}


def _forget(name: str, keep: set[str]) -> None:
    """Remove the listed sockets of process `name` (all but `keep`) from the registry and every
    channel's presence, and tell those rooms."""
    client = realtime.redis_client()
    touched: set[int] = set()
    for entry in client.smembers(_sockets_key(name)):
        user_id, _, sid = entry.partition(":")
        if sid in keep:
            continue
        rooms = socket_registry.forget(int(user_id), sid)
        channel_ids = sorted(int(room.split(":", 1)[1]) for room in rooms
                             if room.startswith("channel:"))
        left(channel_ids, sid, announce=False)
        touched.update(channel_ids)
        client.srem(_sockets_key(name), entry)
    # One list per channel, not one per socket: sweeping a process of N sockets sent N lists
    # of everyone to every room, a storm that stalled the survivors on a loaded machine.
    for channel_id in sorted(touched):
        broadcast_presence(channel_id)


def resync_local() -> None:
    """Make Redis agree with this process's sockets: forget the ones gone (a disconnect during an
    outage), write back the live ones with their channels (a Redis restart lost them)."""
    client = realtime.redis_client()
    if client is None:
        return
    name = process_name()
    local = _local_sockets()
    _forget(name, keep=set(local))
    for sid, user_id in local.items():
        socket_registry.remember_local(user_id, sid)
        client.sadd(_sockets_key(name), f"{user_id}:{sid}")
        for channel_id in socket_channel_ids(sid):
            client.hset(_key(channel_id), sid, user_id)
            client.expire(_key(channel_id), PRESENCE_TTL)


def resync_local_in(app) -> None:
    """resync_local in an application context (the queue listener has none)."""
    with app.app_context():
        try:
            best_effort(FEATURE, resync_local)
        finally:
            db.session.remove()


def heartbeat(first: bool = False) -> list[str]:
    """Beat once; forget processes that stopped beating (returns their names). On the first
    beat, a predecessor's entries under this process's name are reconciled too."""
    client = realtime.redis_client()
    interval = current_app.config.get("PRESENCE_HEARTBEAT_SECONDS", 5)
    now = time.time()
    if first:
        _forget(process_name(), keep=set(_local_sockets()))
    if client.zadd(_processes_key(), {process_name(): now}) and not first:
        # We were not listed: Redis lost its keys, or a stall let another process take us
        # for dead and sweep our sockets. Write them back at once.
        log.warning("presence: this process was not listed; writing its sockets back")
        resync_local()
    dead = client.zrangebyscore(_processes_key(), "-inf", now - interval * HEARTBEATS_TO_DEATH)
    swept = []
    for name in dead:
        if client.zrem(_processes_key(), name):  # one process claims each dead one
            _forget(name, keep=set())
            client.delete(_sockets_key(name))
            swept.append(name)
            log.warning("presence: process %s stopped beating; its sockets were removed", name)
    return swept


def _ensure_heartbeat() -> None:
    """Start this process's heartbeat loop (once per app and Redis key prefix)."""
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "commons:")
    manager = socketio.server.manager
    if _heartbeats.get(prefix) is manager:
        return
    _heartbeats[prefix] = manager
    app = current_app._get_current_object()

    def loop() -> None:
        first = True
        # Ends when this SocketIO instance is bound to another app (tests build many).
        while socketio.server is not None and socketio.server.manager is manager:
            with app.app_context():
                try:
                    if best_effort(FEATURE, heartbeat, first) is not None:
                        first = False
                except Exception:  # a bug must not stop the beat (others would sweep us)
                    log.exception("presence heartbeat failed")
                finally:
                    db.session.remove()
            socketio.sleep(app.config.get("PRESENCE_HEARTBEAT_SECONDS", 5))

    socketio.start_background_task(loop)


def socket_channel_ids(sid: str) -> list[int]:
    """The channels whose rooms a locally connected socket is in."""
    return [int(room.split(":", 1)[1]) for room in realtime.local_rooms(sid)
            if room.startswith("channel:")]
