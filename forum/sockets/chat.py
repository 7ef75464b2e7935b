"""Socket.IO entry points of live chat. Each parses its payload, calls one service, acks.

Permission is re-checked by the service on every event (the policy module decides), and domain
errors become `{"ok": false, "error": {"code", "message"}}` acks in one place: `chat_event`.
Payloads and acks are documented in docs/socket-events.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from forum.errors import DomainError, Invalid
from forum.extensions import db, socketio
from forum.lib import input_checks
from forum.services import chat, chat_sidebar
from forum.sockets.acks import error_ack, error_body


def chat_event(name: str) -> Callable:
    """Register a handler for `name` whose return value (a dict) becomes the `ok` ack."""

    def decorate(handler: Callable[[dict], dict | None]) -> Callable:
        @functools.wraps(handler)
        def wrapper(data=None):
            try:
                if not isinstance(data, dict):
                    raise Invalid(_("The event payload must be an object."))
                input_checks.check_payload(data)  # too deep, or a lone surrogate: invalid
                result = handler(data) or {}
            except DomainError as error:
                db.session.rollback()
                return {"ok": False, "error": error_body(error)}
            except Exception as error:  # an ack must always come back, or the client waits
                return error_ack(error)
            return {"ok": True, **result}

        socketio.on_event(name, wrapper)
        return wrapper

    return decorate


def _int(data: dict, key: str, *, required: bool = True) -> int | None:
    """An id from the payload; a malformed one is Invalid, never a server error."""
    value = data.get(key)
    if value is None and not required:
        return None
    return input_checks.parse_id(value, key, minimum=0)


@chat_event("channel:join")
def on_channel_join(data: dict) -> dict:
    """Subscribe to a channel and receive what was missed after `after_seq` (or `last_id`)."""
    return chat.join_channel(current_user, _int(data, "channel_id"),
                             _int(data, "last_id", required=False), request.sid,
                             after_seq=_int(data, "after_seq", required=False))


@chat_event("channel:since")
def on_channel_since(data: dict) -> dict:
    """The next page of missed messages after `after_seq` (gap filling, `has_more` paging)."""
    return chat.catch_up(current_user, _int(data, "channel_id"),
                         after_seq=_int(data, "after_seq"))


@chat_event("channel:leave")
def on_channel_leave(data: dict) -> dict:
    """Stop receiving a channel's events."""
    chat.leave_channel(current_user, _int(data, "channel_id"), request.sid)
    return {}


@chat_event("channel:history")
def on_channel_history(data: dict) -> dict:
    """Older messages, before `before_id` (scrolling up)."""
    messages = chat.history(current_user, _int(data, "channel_id"),
                            _int(data, "before_id", required=False))
    return {"messages": [chat.message_payload(m, m.author) for m in messages]}


@chat_event("channel:read")
def on_channel_read(data: dict) -> dict:
    """Remember the newest message seen in a channel."""
    chat.mark_read(current_user, _int(data, "channel_id"), _int(data, "message_id"))
    return {}


@chat_event("message:send")
def on_message_send(data: dict) -> dict:
    """Send a message; the ack carries the stored message (the same one on a retry)."""
    # The ack carries the payload the room received, not a second rendering after the commit.
    # The user object itself, not the proxy: every attribute read on current_user goes through
    # werkzeug's LocalProxy and Flask-Login's lookup, a dozen times per send.
    user = current_user._get_current_object()
    return {"message": chat.send_message_payload(user, _int(data, "channel_id"),
                                                 data.get("body"), data.get("client_id"))}


@chat_event("message:edit")
def on_message_edit(data: dict) -> dict:
    """Edit one's own message."""
    message = chat.edit_message(current_user, _int(data, "message_id"), data.get("body"))
    return {"message": chat.message_payload(message)}


@chat_event("message:delete")
def on_message_delete(data: dict) -> dict:
    """Delete one's own message."""
    message = chat.delete_message(current_user, _int(data, "message_id"))
    return {"message": chat.message_payload(message)}


@chat_event("typing")
def on_typing(data: dict) -> dict:
    """Tell the channel the user is typing (throttled; `sent` false when dropped)."""
    return {"sent": chat.typing(current_user, _int(data, "channel_id"), request.sid)}


@chat_event("chat:watch")
def on_chat_watch(data: dict) -> dict:
    """A sidebar: follow the activity of every listed channel; the ack brings its counts."""
    return chat_sidebar.watch(current_user, request.sid)


@chat_event("presence:partners")
def on_presence_partners(data: dict) -> dict:
    """Which of my direct-conversation partners are online (the sidebar's dots)."""
    return chat_sidebar.online_partners(current_user)
