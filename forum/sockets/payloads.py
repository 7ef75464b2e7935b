"""A packet whose data was nested past the JSON parser's stack still gets its ack."""

from __future__ import annotations

from forum.extensions import socketio
from forum.lib.input_checks import too_deep
from forum.lib.socket_json import TOO_DEEP_EVENT


@socketio.on(TOO_DEEP_EVENT)
def on_too_deep(*_args) -> dict:
    """Answer `bad_request`, as for any payload nested more than MAX_JSON_DEPTH levels."""
    return {"ok": False, "error": too_deep().to_dict()}
