"""The JSON module Socket.IO decodes packets with: a payload nested past Python's stack is
answered like any payload nested too deeply, instead of being dropped without an ack.

python-socketio reads a packet's ack id before its data, then calls `loads` on the data; if that
raises, the packet is dropped and the sender waits for an ack that never comes. Here the data
becomes the event TOO_DEEP_EVENT, whose handler (forum/sockets/acks.py) acks `bad_request`.
"""

from __future__ import annotations

import json
from typing import Any

TOO_DEEP_EVENT = "payload:too_deep"


def dumps(obj: Any, *args, **kwargs) -> str:
    """Encode as the standard library does."""
    return json.dumps(obj, *args, **kwargs)


def loads(text: str | bytes, *args, **kwargs) -> Any:
    """Decode, or stand in TOO_DEEP_EVENT for data nested past the parser's stack."""
    try:
        return json.loads(text, *args, **kwargs)
    except RecursionError:
        return [TOO_DEEP_EVENT]
