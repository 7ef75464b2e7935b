"""user → socket ids registry, so logout, suspension or removal can act on live sockets at once.

Without Redis (one process) the Socket.IO manager already knows: every socket joins its user's
room on connect. With REDIS_URL set each process only knows its own sockets, so the ids are also
kept in a Redis set per user; disconnects and room changes then travel through python-socketio's
pub/sub manager to whichever process holds the socket.
"""

from __future__ import annotations

from forum.lib import realtime

# A crashed process leaves ids behind: they expire, and acting on them is a no-op.
SIDS_TTL = 24 * 60 * 60


def _key(user_id: int) -> str:
    return realtime.redis_key("sids", user_id)


def add(user_id: int, sid: str) -> None:
    """Remember a newly connected socket of a user."""
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.sadd(_key(user_id), sid)
        pipe.expire(_key(user_id), SIDS_TTL)
        pipe.execute()


def remove(user_id: int, sid: str) -> None:
    """Forget a socket that disconnected."""
    client = realtime.redis_client()
    if client is not None:
        client.srem(_key(user_id), sid)


def sids_of(user_id: int) -> set[str]:
    """Every live socket id of a user, across processes when Redis is configured."""
    sids = set(realtime.local_participants(realtime.user_room(user_id)))
    client = realtime.redis_client()
    if client is not None:
        sids |= set(client.smembers(_key(user_id)))
    return sids


def disconnect_user(user_id: int) -> None:
    """Disconnect every live socket of a user (logout, password change, ban)."""
    for sid in sids_of(user_id):
        realtime.disconnect_sid(sid)
    client = realtime.redis_client()
    if client is not None:
        client.delete(_key(user_id))


def leave_rooms(user_id: int, rooms: list[str]) -> None:
    """Take every socket of a user out of these rooms (access narrowed)."""
    sids = sids_of(user_id)
    for sid in sids:
        for room in rooms:
            realtime.leave_room(sid, room)


def _rooms_key(sid: str) -> str:
    return realtime.redis_key("sid-channels", sid)


def joined_channel(sid: str, channel_id: int) -> None:
    """Remember that a socket subscribed to a channel (so lost access can be acted on)."""
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.sadd(_rooms_key(sid), channel_id)
        pipe.expire(_rooms_key(sid), SIDS_TTL)
        pipe.execute()


def left_channel(sid: str, channel_id: int | None = None) -> None:
    """Forget one subscription of a socket, or all of them (channel_id None: disconnect)."""
    client = realtime.redis_client()
    if client is None:
        return
    if channel_id is None:
        client.delete(_rooms_key(sid))
    else:
        client.srem(_rooms_key(sid), channel_id)


def channel_ids_of(sid: str) -> set[int]:
    """Channels a socket is subscribed to, wherever it is connected."""
    ids = {int(room.split(":", 1)[1]) for room in _safe_local_rooms(sid)
           if room.startswith("channel:")}
    client = realtime.redis_client()
    if client is not None:
        ids |= {int(cid) for cid in client.smembers(_rooms_key(sid))}
    return ids


def _safe_local_rooms(sid: str) -> list[str]:
    try:
        return realtime.local_rooms(sid)
    except (KeyError, ValueError, TypeError):  # not connected to this process
        return []
