"""Faults and nudges a browser test installs in its live server process (never in the app).

A live server runs in its own gunicorn process, so a test cannot monkeypatch it from outside.
`LiveServer(config, hooks={...})` passes hooks through FORUM_LIVE_HOOKS; tests/live_app.py
installs them here, after the app is built:

- `join_fails_while`: `{"flag": path, "log": path, "error": "unavailable" | "server_error"}` —
  while the file `flag` exists, `channel:join` fails inside the service as a database outage
  would (`unavailable`, through the app's own error path) or as a bug would (`server_error`);
  each failed join appends a line to `log`, so the test can wait for the client's retries.
- `resync_route`: `POST /_test/resync` emits `resync` to every socket of this process, exactly
  as the message-queue manager does when its Redis connection comes back
  (forum/lib/queue_manager.py), without having to stop a Redis server.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from flask import Flask


def install(app: Flask, hooks: dict) -> None:
    """Install the named hooks in this process."""
    if "join_fails_while" in hooks:
        _join_fails_while(**hooks["join_fails_while"])
    if hooks.get("resync_route"):
        _resync_route(app)


def _join_fails_while(flag: str, log: str, error: str = "unavailable") -> None:
    from sqlalchemy.exc import OperationalError

    from forum.services import chat

    real_join = chat.join_channel

    @functools.wraps(real_join)
    def join_channel(*args, **kwargs):
        if os.path.exists(flag):
            with open(log, "a") as out:
                out.write(f"{error}\n")
            if error == "unavailable":
                # What psycopg raises when PostgreSQL refuses connections: the socket layer
                # maps it to `unavailable` (retryable, with retry_after), as in a real outage.
                raise OperationalError("SELECT 1", {}, ConnectionRefusedError(
                    "connection refused (test fault)"))
            raise RuntimeError("test fault: a bug in channel:join")  # → server_error
        return real_join(*args, **kwargs)

    # forum/sockets/chat.py calls chat.join_channel through the module: the patch is seen.
    chat.join_channel = join_channel
    Path(log).touch()


def _resync_route(app: Flask) -> None:
    from forum.extensions import csrf, socketio

    def resync() -> tuple[str, int]:
        # The manager's own emit: every socket of this process, none elsewhere.
        socketio.emit("resync", {}, namespace="/")
        return "", 204

    app.add_url_rule("/_test/resync", "test_resync", csrf.exempt(resync), methods=["POST"])
