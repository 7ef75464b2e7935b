"""The reference of benchmark 2: a bare python-socketio broadcast server, gevent async mode.

No auth, no database, no rendering: join puts the socket in the room, send emits the message to
the room and acks. Served by the same `gunicorn -c gunicorn.conf.py` (one gevent worker).
"""

from __future__ import annotations

import itertools
import os

import socketio

sio = socketio.Server(async_mode="gevent", cors_allowed_origins=None)
_ids = itertools.count(1)
_html = os.environ.get("BENCH_REF_HTML", "1") == "1"


@sio.on("channel:join")
def join(sid, data):
    """Enter the channel's room."""
    sio.enter_room(sid, f"channel:{data['channel_id']}")
    return {"ok": True, "messages": []}


@sio.on("message:send")
def send(sid, data):
    """Broadcast the message to the room, then ack with it (same shape as the app's)."""
    message = {"id": next(_ids), "channel_id": data["channel_id"],
               "client_id": data["client_id"], "author": None,
               "html": f"<p>{data['body']}</p>" if _html else "", "deleted": False}
    sio.emit("message:new", message, room=f"channel:{data['channel_id']}")
    return {"ok": True, "message": message}


def _health(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


app = socketio.WSGIApp(sio, _health)
