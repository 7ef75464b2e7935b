"""Live sockets follow access: losing the right to read something stops its live stream at once.

After the commit of any change of access — a removal from a cohort, a role change, a thread
moved, hidden or deleted, a category made private or narrowed — the service that made it calls
one of the `recheck_*` functions below. Every affected socket's thread, channel and cohort rooms
are re-evaluated with the one policy (forum/services/access); the rooms it may no longer read are
left, in whichever process holds the socket, and the socket is told with `access:lost`. Callers
broadcast to the room only after this returns, so nothing they send reaches the evicted.

Joining a thread's or channel's room checks access, joins, then checks again: a change committed
between the first check and the join was evaluated without this socket, and the second check
sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import NotFound
from forum.extensions import db
from forum.lib import socket_registry
from forum.lib.realtime import channel_room, thread_room
from forum.models import Channel, Thread, User
from forum.services import access, presence

# One socket: its user (None when no process recorded it) and the live rooms to re-evaluate.
Sockets = dict[str, tuple[int | None, set[str]]]


def recheck_users(user_ids: Iterable[int]) -> None:
    """After a commit that changed what these people may read: narrow all their sockets."""
    user_ids = sorted(set(user_ids))
    sockets: Sockets = {}
    for user_id in user_ids:
        access.forget_memberships(user_id)  # this request may have cached the old ones
        for sid in socket_registry.sids_of(user_id):
            sockets[sid] = (user_id, socket_registry.rooms_of(sid))
    _recheck(sockets)


def recheck_rooms(rooms: Iterable[str]) -> None:
    """After a commit that changed who may read these rooms: evict whoever no longer may."""
    members = socket_registry.members_of(rooms)
    users = socket_registry.users_of({sid for sids in members.values() for sid in sids})
    sockets: Sockets = {}
    for room, sids in members.items():
        for sid in sids:
            sockets.setdefault(sid, (users.get(sid), set()))[1].add(room)
    _recheck(sockets)


def recheck_threads(thread_ids: Iterable[int]) -> None:
    """After a thread was moved, hidden or deleted: its open pages that may no longer read it
    stop receiving it (moderators, and the author of a hidden thread, keep it)."""
    recheck_rooms(thread_room(thread_id) for thread_id in thread_ids)


def recheck_category(category_id: int) -> None:
    """After a category's cohort or mode changed: recheck the open pages of all its threads."""
    recheck_threads(db.session.scalars(
        select(Thread.id).where(Thread.category_id == category_id)))


def join_thread(user: User, thread_id: int, sid: str) -> int:
    """Subscribe a socket to a thread it may read (NotFound otherwise); returns the thread id."""
    thread_id = access.access_thread(user, thread_id).id
    _join_checked(user, sid, thread_room(thread_id), lambda u: access.access_thread(u, thread_id))
    return thread_id


def join_channel(user: User, channel_id: int, sid: str) -> None:
    """Subscribe a socket to a channel it may read (NotFound otherwise)."""
    access.access_channel(user, channel_id)
    _join_checked(user, sid, channel_room(channel_id),
                  lambda u: access.access_channel(u, channel_id))


def _join_checked(user: User, sid: str, room: str, check: Callable[[User], object]) -> None:
    """Join a room the caller just checked, then check again with fresh rows.

    An eviction that ran between the first check and the join did not see this socket; the
    second check, made once the socket is findable, sees the change that eviction was about.
    """
    socket_registry.subscribe(sid, room)
    user_id = user.id
    db.session.expire_all()  # a role or membership just committed elsewhere counts
    access.forget_memberships(user_id)
    fresh = db.session.get(User, user_id)
    try:
        if fresh is None or not fresh.is_active:
            raise NotFound()
        check(fresh)
    except NotFound:
        socket_registry.unsubscribe(sid, room)
        raise


def leave_thread(sid: str, thread_id: int) -> None:
    """Stop receiving a thread's events (no permission needed to stop listening)."""
    socket_registry.unsubscribe(sid, thread_room(thread_id))


def _recheck(sockets: Sockets) -> None:
    """Evict each socket from the rooms its user may no longer read (a few queries in all)."""
    parsed = {room: socket_registry.room_kind(room)
              for _user, rooms in sockets.values() for room in rooms}
    if not parsed:
        return
    wanted: dict[str, set[int]] = {"thread": set(), "channel": set()}
    for kind_id in parsed.values():
        if kind_id is not None and kind_id[0] == "activity":  # a sidebar: the channel's rule
            wanted["channel"].add(kind_id[1])
        elif kind_id is not None and kind_id[0] in wanted:
            wanted[kind_id[0]].add(kind_id[1])
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).where(Thread.id.in_(sorted(wanted["thread"])))
        .options(joinedload(Thread.category)).execution_options(populate_existing=True))
    } if wanted["thread"] else {}
    channels = {c.id: c for c in db.session.scalars(
        select(Channel).where(Channel.id.in_(sorted(wanted["channel"])))
        .execution_options(populate_existing=True))} if wanted["channel"] else {}
    user_ids = sorted({uid for uid, _rooms in sockets.values() if uid is not None})
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(user_ids)).execution_options(populate_existing=True))
    } if user_ids else {}
    access.prime_memberships(user_ids)
    for sid, (user_id, rooms) in sorted(sockets.items()):
        user = users.get(user_id) if user_id is not None else None
        lost = sorted(room for room in rooms
                      if not _may_read(user, parsed[room], threads, channels))
        for room in lost:
            kind_id = parsed[room]
            socket_registry.evict(sid, room, {f"{kind_id[0]}_id": kind_id[1]} if kind_id else {})
        lost_channels = [parsed[room][1] for room in lost
                         if parsed[room] and parsed[room][0] == "channel"]
        if lost_channels:
            presence.left(lost_channels, sid)


def _may_read(user: User | None, kind_id: tuple[str, int] | None,
              threads: dict[int, Thread], channels: dict[int, Channel]) -> bool:
    """The policy's answer for one live room (unknown rooms and people: no)."""
    if user is None or not user.is_active or kind_id is None:
        return False
    kind, ident = kind_id
    if kind == "thread":
        thread = threads.get(ident)
        return thread is not None and access.can_read_thread(user, thread, thread.category)
    if kind in ("channel", "activity"):
        channel = channels.get(ident)
        return channel is not None and access.can_read_channel(user, channel)
    if kind == "cohort":
        return access.can_read_cohort(user, ident)
    return False


__all__ = ["join_channel", "join_thread", "leave_thread", "recheck_category", "recheck_rooms",
           "recheck_threads", "recheck_users"]
