"""Connect and disconnect: authenticate from the Flask-Login session, refuse foreign origins.

Foreign origins are refused by python-engineio before this runs (`cors_allowed_origins` is the
site's own origin unless SOCKETIO_ALLOWED_ORIGINS lists others), on polling and websocket alike.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from forum.extensions import socketio
from forum.lib.realtime import user_room
from forum.services import chat


@socketio.on("connect")
def on_connect(auth=None):
    """Accept only logged-in, active users; every socket joins its user's room."""
    if not current_user.is_authenticated or not current_user.is_active:
        raise ConnectionRefusedError("unauthorized")
    join_room(user_room(current_user.id))
    chat.socket_connected(current_user, request.sid)
    return True


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """Forget the socket and update presence where it was subscribed."""
    user_id = current_user.id if current_user.is_authenticated else None
    chat.socket_disconnected(user_id, request.sid)


__all__ = ["on_connect", "on_disconnect", "request"]
