"""Connect and disconnect: authenticate from the Flask-Login session or a personal access token.

Browsers authenticate with their session cookie; other clients (bots, mobile apps, scripts) with
`auth={"token": "cmn_..."}`. Foreign origins are refused by python-engineio before this runs
(`cors_allowed_origins` is the site's own origin unless SOCKETIO_ALLOWED_ORIGINS lists others),
on polling and websocket alike. Browsers always send an Origin on cross-site requests, so a
foreign page cannot ride on the cookie; non-browser token clients send none (or their own), and
a token is no ambient credential, so nothing is lost by accepting them without one.

A refused connect says why, as `connect_error` data `{code}`: `logged_out` (the cookie names no
live login session: logged out, ended elsewhere, expired), `banned`, or `unauthorized` (a bad
token). A suspended account connects (it still reads) and is told `account:state` at once.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user
from flask_login.utils import decode_cookie
from flask_socketio import emit, join_room

from forum.errors import Unauthorized
from forum.extensions import login_manager, socketio
from forum.lib.realtime import user_room
from forum.models import User
from forum.services import api_tokens, chat, login_sessions
from forum.sockets.acks import refuse_connection

# sid → (token id, user id, may write) of sockets authenticated by a token. A socket lives in
# one process, and all its events are handled there, so an in-process map is enough.
_token_sockets: dict[str, tuple[int, int, bool]] = {}
# What a read-only token may do on a socket: listen and catch up. Everything else (sending,
# editing, typing, flagging, moderating, read markers) is a write, as in the HTTP API.
READ_ONLY_EVENTS = frozenset({"channel:join", "channel:since", "channel:leave",
                              "channel:history", "thread:join",
                              "thread:leave", "thread:since", "notifications:count",
                              "replies:since", "header:counts", "chat:watch",
                              "disconnect"})
# sid → (login session id, user id) of sockets opened with a session cookie, so ending that
# login session (logout, the sessions page) closes exactly its sockets.
_session_sockets: dict[str, tuple[int, int]] = {}


@login_manager.request_loader
def _socket_token_user(req):
    """Inside a token socket's events, the token's owner is the current user.

    Checked again on every event: a revoked or expired token, or a ban, stops it at once; a
    read-only token only listens.
    """
    entry = _token_sockets.get(getattr(req, "sid", None) or "")
    if entry is None:
        return None
    token_id, _user_id, can_write = entry
    event = (getattr(req, "event", None) or {}).get("message")
    if not can_write and event not in READ_ONLY_EVENTS:
        return None  # acts as nobody: the event is refused like an anonymous one
    return api_tokens.user_for_token(token_id)


@socketio.on("connect")
def on_connect(auth=None):
    """Accept logged-in or token-bearing active users; every socket joins its user's room."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        try:
            # Tokens are ASCII: anything else (a lone surrogate from JSON) is simply no token.
            secret = token if isinstance(token, str) and token.isascii() else ""
            user, api_token = api_tokens.resolve_token(secret)
        except Unauthorized as error:
            raise refuse_connection("unauthorized") from error
        if current_user.is_authenticated and current_user.id != user.id:
            raise refuse_connection("unauthorized")  # one socket, one person
        _token_sockets[request.sid] = (api_token.id, user.id, api_token.can_write)
    elif current_user.is_authenticated and current_user.is_active \
            and current_user.login_session is not None:
        user = current_user
        _bind_to_login_session(current_user.login_session.id, user.id)
    else:
        raise refuse_connection(login_sessions.refusal_code(_cookie_identity()))
    join_room(user_room(user.id))
    chat.socket_connected(user, request.sid)
    if user.is_suspended():
        # Reading goes on; the page disables its composer and says until when.
        emit("account:state", account_state(user))
    return True


def account_state(user: User) -> dict:
    """`account:state` for a suspended account: `{code: "suspended", until}` (ISO 8601, UTC)."""
    return {"code": "suspended", "until": user.suspended_until.isoformat()}


def _cookie_identity() -> str | None:
    """The identity the session (or remember-me) cookie names, alive or not."""
    identity = session.get("_user_id")
    if identity is None:
        name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        identity = decode_cookie(request.cookies.get(name) or "")
    return identity


def _bind_to_login_session(session_id: int, user_id: int) -> None:
    """The socket belongs to the login session its cookie named (closed when it ends)."""
    _session_sockets[request.sid] = (session_id, user_id)
    join_room(login_sessions.socket_room(session_id))
    login_sessions.socket_opened(session_id, request.sid)


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """Forget the socket and update presence where it was subscribed."""
    bound = _session_sockets.pop(request.sid, None)
    if bound is not None:
        login_sessions.socket_closed(bound[0], request.sid)
    entry = _token_sockets.pop(request.sid, None) or bound
    # Known even when the token was just revoked or the login session just ended (the cookie
    # no longer names anybody then), so the person's presence is updated all the same.
    user_id = entry[1] if entry is not None else None
    chat.socket_disconnected(user_id, request.sid)


__all__ = ["account_state", "on_connect", "on_disconnect", "request"]
