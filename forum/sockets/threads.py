"""Socket.IO entry points of the thread page: join and leave a thread's live room.

The permission check runs on every event through the services (the policy module); a thread
the user may not read answers exactly like one that does not exist. A socket that loses access
later is taken out of the room by forum/services/live_access.py and told with `access:lost`.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from forum.errors import DomainError
from forum.extensions import socketio
from forum.lib import input_checks
from forum.services import discussions, live_access


def _thread_id(data) -> int:
    value = data.get("thread_id") if isinstance(data, dict) else None
    return input_checks.parse_id(value, "thread_id", minimum=0)


@socketio.on("thread:join")
def on_thread_join(data=None) -> dict:
    """Join a thread's room after checking the user may read it."""
    try:
        thread_id = live_access.join_thread(current_user, _thread_id(data), request.sid)
    except DomainError as error:
        return {"ok": False, "error": error.to_dict()}
    return {"ok": True, "thread_id": thread_id}


@socketio.on("thread:since")
def on_thread_since(data=None) -> dict:
    """Posts after a given id (a page catching up after a dropped connection)."""
    try:
        thread_id = _thread_id(data)
        after = input_checks.parse_id(data.get("after_id", 0), "after_id", minimum=0)
        posts = discussions.posts_since(current_user, thread_id, after)
    except DomainError as error:
        return {"ok": False, "error": error.to_dict()}
    return {"ok": True, "posts": posts}


@socketio.on("thread:leave")
def on_thread_leave(data=None) -> dict:
    """Leave a thread's room (no permission needed to stop listening)."""
    try:
        thread_id = _thread_id(data)
    except DomainError as error:
        return {"ok": False, "error": error.to_dict()}
    live_access.leave_thread(request.sid, thread_id)
    return {"ok": True}
