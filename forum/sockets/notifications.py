"""Socket.IO entry points of the notification bell: mark read from a live page.

Server → client events (`notification:new`, `notifications:unread`) are sent by the
notifications service after its commit, to the user's own room only.
"""

from __future__ import annotations

from flask_login import current_user

from forum.errors import DomainError
from forum.extensions import socketio
from forum.lib import input_checks
from forum.services import notifications


@socketio.on("notifications:read")
def on_notifications_read(data=None) -> dict:
    """Mark one notification ({"id": n}) or all of them ({"all": true}) read; ack the count."""
    try:
        if isinstance(data, dict) and data.get("all") is True:
            result = notifications.mark_all_read(current_user)
        else:
            value = data.get("id") if isinstance(data, dict) else None
            result = notifications.mark_read(
                current_user, input_checks.parse_id(value, "id", strings=False))
    except DomainError as error:
        return {"ok": False, "error": error.to_dict()}
    return {"ok": True, "unread": result["unread"]}


@socketio.on("notifications:count")
def on_notifications_count(data=None) -> dict:
    """The current unread count: a page asks on (re)connect, so a missed event costs nothing."""
    try:
        return {"ok": True, "unread": notifications.unread_count(current_user)}
    except DomainError as error:
        return {"ok": False, "error": error.to_dict()}
