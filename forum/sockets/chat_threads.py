"""Socket.IO entry points of chat reactions and replies in thread (docs/socket-events.md).

Each parses its payload, calls one service (which re-checks access on every event) and acks;
domain errors become `{"ok": false, "error": ...}` acks through `chat_event`.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from forum.errors import Invalid
from forum.services import chat_reactions, chat_threads
from forum.sockets.chat import _int, chat_event


def _flag(data: dict, key: str) -> bool | None:
    """An optional true/false; anything else is Invalid."""
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    message = _("This must be true or false.")
    raise Invalid(message, fields={key: message})


@chat_event("reaction:toggle")
def on_reaction_toggle(data: dict) -> dict:
    """Add (`on: true`), remove (`on: false`) or flip (no `on`) one's emoji on a message."""
    return chat_reactions.toggle_reaction(current_user._get_current_object(),
                                          _int(data, "message_id"), data.get("emoji"),
                                          _flag(data, "on"))


@chat_event("reply:send")
def on_reply_send(data: dict) -> dict:
    """Reply in a message's thread (idempotent by client_id); the ack carries the Message."""
    return {"message": chat_threads.send_reply(
        current_user._get_current_object(), _int(data, "root_id"), data.get("body"),
        data.get("client_id"), also_to_channel=bool(_flag(data, "also_to_channel")))}


@chat_event("replies:since")
def on_replies_since(data: dict) -> dict:
    """A thread's root and its replies after `after_seq` (0 or absent: from the start)."""
    return chat_threads.thread_replies(current_user, _int(data, "root_id"),
                                       _int(data, "after_seq", required=False) or 0)
