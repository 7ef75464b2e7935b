"""Socket.IO entry points of moderation: flag an item, hide or restore it live.

Each parses its payload, calls one service and acks through `chat_event` (domain errors become
`{"ok": false, "error": {...}}`). The services re-check permission on every event.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from forum.errors import Invalid
from forum.services.moderation import content, flags
from forum.sockets.chat import _int, chat_event


def _kind(data: dict) -> str:
    kind = data.get("target_type")
    if kind not in ("post", "thread", "message"):
        raise Invalid(_("target_type must be post, thread or message."),
                      fields={"target_type": "invalid"})
    return kind


def _text(data: dict, key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text.", field=key), fields={key: "invalid"})
    return value


@chat_event("flag:create")
def on_flag(data: dict) -> dict:
    """Flag a post, thread or message with a reason (and a note for "other")."""
    result = flags.flag(current_user, _kind(data), _int(data, "target_id"),
                        _text(data, "reason"), _text(data, "note"))
    return {"flag_id": result.flag.id, "auto_hidden": result.auto_hidden}


@chat_event("moderation:hide")
def on_hide(data: dict) -> dict:
    """Hide an item with a reason; its room loses it at once."""
    target = content.hide(current_user, _kind(data), _int(data, "target_id"),
                          _text(data, "reason"))
    return {"target_type": target.type, "target_id": target.id}


@chat_event("moderation:restore")
def on_restore(data: dict) -> dict:
    """Show a hidden item again."""
    target = content.restore(current_user, _kind(data), _int(data, "target_id"),
                             _text(data, "reason"))
    return {"target_type": target.type, "target_id": target.id}
