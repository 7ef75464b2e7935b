"""A server process killed and restarted loses nothing and duplicates nothing."""

from __future__ import annotations

import pytest
import socketio
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Message
from tests import chat_helpers
from tests.chat_helpers import LiveSocket
from tests.live import LiveServer

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def _reconnect(server: LiveServer, cookie: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(server.url, transports=["websocket"], wait_timeout=5,
                   headers={"Cookie": cookie})
    return client


def test_killed_server_then_retry_and_catch_up(app_config, world, tmp_path):
    config = {**app_config, "LOG_DIR": str(tmp_path)}
    first = LiveServer(config).start()
    amina = LiveSocket(first, "amina@example.org")
    bruno = LiveSocket(first, "bruno@example.org")
    cid = world.channel.id
    try:
        assert bruno.call("channel:join", {"channel_id": cid})["ok"]
        assert amina.call("channel:join", {"channel_id": cid})["ok"]
        seen = amina.call("message:send", {"channel_id": cid, "body": "before the crash",
                                           "client_id": "r-1"})["message"]
        bruno.wait_for(lambda: bruno.events("message:new"))
        last_seen_by_bruno = bruno.events("message:new")[-1]["id"]
        assert last_seen_by_bruno == seen["id"]
    finally:
        first.kill()  # a crash: no graceful shutdown, sockets drop
    amina.close()
    bruno.close()

    second = LiveServer(config, port=first.port).start()  # same address, like a restart
    try:
        sender = _reconnect(second, amina.cookie)
        assert sender.call("channel:join", {"channel_id": cid}, timeout=10)["ok"]
        # The client never got an ack for r-1 in its view: it retries with the same client_id.
        retry = sender.call("message:send", {"channel_id": cid, "body": "before the crash",
                                             "client_id": "r-1"}, timeout=10)
        assert retry["ok"] and retry["message"]["id"] == seen["id"]
        after = sender.call("message:send", {"channel_id": cid, "body": "after the restart",
                                             "client_id": "r-2"}, timeout=10)["message"]

        # Bruno comes back with the last id he saw and gets exactly what he missed.
        reader = _reconnect(second, bruno.cookie)
        ack = reader.call("channel:join", {"channel_id": cid, "last_id": last_seen_by_bruno},
                          timeout=10)
        assert [m["id"] for m in ack["messages"]] == [after["id"]]
        db.session.expire_all()
        stored = db.session.scalar(select(func.count()).select_from(Message).where(
            Message.channel_id == cid, Message.client_id.in_(["r-1", "r-2"])))
        assert stored == 2
        sender.disconnect()
        reader.disconnect()
    finally:
        second.stop()
