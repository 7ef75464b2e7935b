"""Socket.IO entry point of the page header: the unread counts it shows on every page.

A page asks on (re)connect and when an event hints that a count moved (a notification, a chat
message, the tab coming back into view), so a missed event costs nothing.
"""

from __future__ import annotations

from flask_login import current_user

from forum.errors import DomainError
from forum.extensions import socketio
from forum.services import home


@socketio.on("header:counts")
def on_header_counts(data=None) -> dict:
    """{threads, chat, notifications}: the member's unread counts (each capped at 100)."""
    try:
        counts = home.header_counts(current_user)
    except DomainError as error:
        return {"ok": False, "error": error.to_dict()}
    return {"ok": True, "threads": counts.threads, "chat": counts.chat,
            "notifications": counts.notifications}
