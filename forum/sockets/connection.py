"""Connect and disconnect: authenticate from the Flask-Login session, refuse foreign origins."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from forum.extensions import socketio
from forum.lib.realtime import user_room


@socketio.on("connect")
def on_connect(auth=None):
    """Accept only logged-in, active users; every socket joins its user's room."""
    if not current_user.is_authenticated or not current_user.is_active:
        raise ConnectionRefusedError("unauthorized")
    join_room(user_room(current_user.id))
    return True


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """Nothing to clean up yet: rooms are left automatically."""
    return None


__all__ = ["on_connect", "on_disconnect", "request"]
