"""user → socket ids registry, so logout, suspension or removal can act on live sockets.

The chat work extends this to work across processes.
"""

from __future__ import annotations


def disconnect_user(user_id: int) -> None:
    """Disconnect every live socket of a user."""
    from forum.extensions import socketio
    from forum.lib.realtime import user_room

    # Placeholder until the chat work adds the cross-process registry.
    socketio.close_room(user_room(user_id), namespace="/")
