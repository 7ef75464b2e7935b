"""Login sessions: one per sign-in on a device, named by the session and remember-me cookies.

A cookie's identity is "user id:session version:login session id:key". The user loader finds the
user and the login session in one query and checks the key against the stored digest; ending a
session deletes its row, so a logged-out, ended or stolen cookie is refused by pages, the API
(cookie auth) and Socket.IO alike. Each socket remembers the login session it was opened with,
so ending one session closes exactly its sockets, in every process.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from forum.errors import NotFound
from forum.extensions import db
from forum.lib import realtime
from forum.lib.degraded import best_effort
from forum.models import LoginSession, User, utcnow
from forum.services.access import require_login
from forum.services.api_tokens import hash_token

# last_seen_at is shown to people reviewing their sessions; writing it on every request would
# turn each page view into a write, so it moves at most this often.
SEEN_RESOLUTION = timedelta(minutes=1)
# A crashed process leaves socket ids behind in Redis: they expire, and closing them is a no-op.
SOCKETS_TTL = 24 * 60 * 60

__all__ = [
    "SEEN_RESOLUTION",
    "close_sockets",
    "end_all_sessions",
    "end_current_session",
    "end_everywhere",
    "end_other_sessions",
    "end_session",
    "list_sessions",
    "refusal_code",
    "seen_due",
    "socket_closed",
    "socket_opened",
    "socket_room",
    "start_session",
    "touch",
    "user_for_identity",
]


def _idle_limit() -> timedelta:
    """A session nobody used for as long as a remember-me cookie lives is over."""
    return timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])


def _bind(user: User, record: LoginSession, key: str) -> None:
    """Let `user.get_id()` name this login session (the cookies carry it)."""
    user.login_session = record
    user.login_key = key


def start_session(user: User, user_agent: str, ip_address: str) -> LoginSession:
    """Record a sign-in of the user on this device and bind the user object to it; commits.

    Also forgets the user's sessions idle for longer than a remember-me cookie lives (they are
    refused anyway), so the list stays short without a cron job.
    """
    now = utcnow()
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.last_seen_at < now - _idle_limit()))
    key = secrets.token_urlsafe(32)
    record = LoginSession(user_id=user.id, key_hash=hash_token(key), created_at=now,
                          last_seen_at=now, user_agent=(user_agent or "")[:255],
                          ip_address=(ip_address or "")[:45])
    db.session.add(record)
    db.session.commit()
    _bind(user, record, key)
    return record


def _parse_identity(identity: str) -> tuple[int, int, int, str] | None:
    parts = (identity or "").split(":")
    if len(parts) != 4 or not parts[3]:
        return None
    try:
        return int(parts[0]), int(parts[1]), int(parts[2]), parts[3]
    except ValueError:
        return None


def user_for_identity(identity: str) -> User | None:
    """The active user whose live login session a cookie names, bound to it; else None.

    One query for the user and the session together. Refused: malformed or old-style
    identities, a stale session version, an ended or idle session, a wrong key, a ban.
    """
    parsed = _parse_identity(identity)
    if parsed is None:
        return None
    user_id, version, session_id, key = parsed
    row = db.session.execute(
        select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == user_id, LoginSession.id == session_id)).first()
    if row is None:
        return None
    user, record = row
    if (user.session_version != version or user.banned_at is not None
            or not hmac.compare_digest(record.key_hash, hash_token(key))
            or record.last_seen_at <= utcnow() - _idle_limit()):
        return None
    _bind(user, record, key)
    return user


def refusal_code(identity: str | None) -> str:
    """Why a cookie's identity names nobody (user_for_identity said None), for the client to say
    so: "banned" (the account is banned) or "logged_out" (no session, or it ended: log in again).

    The cookie is signed, so only the account's own browser can learn of its ban this way.
    """
    parsed = _parse_identity(identity or "")
    if parsed is not None:
        user = db.session.get(User, parsed[0])
        if user is not None and user.banned_at is not None:
            return "banned"
    return "logged_out"


def seen_due(record: LoginSession, now: datetime | None = None) -> bool:
    """Whether last_seen_at is old enough to be refreshed."""
    return (now or utcnow()) - record.last_seen_at >= SEEN_RESOLUTION


def touch(session_id: int) -> None:
    """Refresh a session's last_seen_at: a plain UPDATE committed on its own."""
    db.session.execute(update(LoginSession).where(LoginSession.id == session_id)
                       .values(last_seen_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def list_sessions(user: User) -> list[LoginSession]:
    """The user's live sessions, most recently used first."""
    require_login(user)
    return list(db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id,
                                   LoginSession.last_seen_at > utcnow() - _idle_limit())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def _delete(user_id: int, *conditions) -> list[int]:
    """Delete login sessions of a user (no commit); returns their ids."""
    ids = list(db.session.scalars(select(LoginSession.id).where(
        LoginSession.user_id == user_id, *conditions)))
    if ids:
        db.session.execute(delete(LoginSession).where(LoginSession.id.in_(ids))
                           .execution_options(synchronize_session=False))
    return ids


def _current_id(user: User) -> int | None:
    return user.login_session.id if user.login_session is not None else None


def end_current_session(user: User) -> None:
    """Log out: end the session this request belongs to and close its sockets."""
    current = _current_id(user)
    if current is None:
        return
    ids = _delete(user.id, LoginSession.id == current)
    user.login_session = user.login_key = None
    db.session.commit()
    close_sockets(ids)


def end_session(user: User, session_id: int) -> None:
    """End one of the user's own sessions (another person's is NotFound) and its sockets."""
    require_login(user)
    ids = _delete(user.id, LoginSession.id == session_id)
    if not ids:
        raise NotFound()
    db.session.commit()
    close_sockets(ids)


def end_other_sessions(user: User) -> int:
    """Log out everywhere else: every session but this one, with their sockets; how many."""
    require_login(user)
    current = _current_id(user)
    ids = _delete(user.id, *([LoginSession.id != current] if current is not None else []))
    db.session.commit()
    close_sockets(ids)
    return len(ids)


def end_everywhere(user: User) -> None:
    """Log out everywhere, this session included, and close those sessions' sockets."""
    require_login(user)
    ids = end_all_sessions(user)
    db.session.commit()
    close_sockets(ids)


def end_all_sessions(user: User) -> list[int]:
    """Every session of the user ends, cookies of any age too (no commit: callers commit).

    Returns the ended ids; callers close the user's sockets after their commit.
    """
    user.session_version = (user.session_version or 1) + 1
    user.login_session = user.login_key = None
    return _delete(user.id)


# ------------------------------------------------------------------ sockets of a login session
# Every socket opened with a session cookie joins its login session's room (this process knows
# its own sockets) and, with Redis, a set per login session (so any process can find them all);
# closing goes through the Socket.IO manager, whose Redis pub/sub reaches the holding process.

def socket_room(session_id: int) -> str:
    """The room of the sockets opened with one login session."""
    return f"login:{session_id}"


# Redis down: this process still finds its own sockets through the login session's room.
REGISTRY = "socket registry"


def _sockets_key(session_id: int) -> str:
    return realtime.redis_key("login-sids", session_id)


def socket_opened(session_id: int, sid: str) -> None:
    """Remember that a socket belongs to a login session (the caller joins socket_room)."""
    client = realtime.redis_client()
    if client is not None:
        pipe = client.pipeline()
        pipe.sadd(_sockets_key(session_id), sid)
        pipe.expire(_sockets_key(session_id), SOCKETS_TTL)
        best_effort(REGISTRY, pipe.execute)


def socket_closed(session_id: int, sid: str) -> None:
    """Forget a socket of a login session that disconnected."""
    client = realtime.redis_client()
    if client is not None:
        best_effort(REGISTRY, client.srem, _sockets_key(session_id), sid)


def close_sockets(session_ids: Iterable[int]) -> None:
    """Disconnect every live socket of these login sessions, in every process (after commit)."""
    client = realtime.redis_client()
    for session_id in session_ids:
        sids = set(realtime.local_participants(socket_room(session_id)))
        if client is not None:
            sids |= set(best_effort(REGISTRY, client.smembers, _sockets_key(session_id),
                                    default=set()))
            best_effort(REGISTRY, client.delete, _sockets_key(session_id))
        for sid in sids:
            realtime.disconnect_sid(sid)
