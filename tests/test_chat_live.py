"""The chat contract against a real gunicorn + gevent server with real python-socketio clients."""

from __future__ import annotations

import threading

import pytest
import socketio
from sqlalchemy import select

from forum.extensions import db
from forum.models import Message
from tests import chat_helpers
from tests.chat_helpers import LiveSocket
from tests.live import LiveServer

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


@pytest.fixture
def server(app, app_config, tmp_path):
    """A live server with a small chat rate limit."""
    live = LiveServer({**app_config, "LOG_DIR": str(tmp_path), "CHAT_RATE_LIMIT": [30, 60]})
    live.start()
    yield live
    live.stop()


def test_auth_refusal_idempotent_send_catch_up_rate_limit(server, world):
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(server.url, transports=["websocket"], wait_timeout=5)
    amina, bruno = LiveSocket(server, "amina@example.org"), LiveSocket(server, "bruno@example.org")
    foreign = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(server.url, transports=["polling"], wait_timeout=5,
                        headers={"Cookie": amina.cookie, "Origin": "https://evil.example"})
    try:
        cid = world.channel.id
        assert amina.call("channel:join", {"channel_id": cid})["ok"]
        assert bruno.call("channel:join", {"channel_id": cid})["ok"]
        carla = LiveSocket(server, "carla@example.org")
        assert carla.call("channel:join", {"channel_id": cid})["error"]["code"] == "not_found"

        # Idempotent send: the same client_id twice → one row, one broadcast, the same ack.
        payload = {"channel_id": cid, "body": "hello", "client_id": "live-1"}
        first, second = amina.call("message:send", payload), amina.call("message:send", payload)
        assert first["ok"] and first == second
        seen = bruno.call("channel:join", {"channel_id": cid, "last_id": 0})  # round trip
        assert [m["id"] for m in seen["messages"]] == [first["message"]["id"]]
        bruno.wait_for(lambda: bruno.events("message:new"))
        assert [m["id"] for m in bruno.events("message:new")] == [first["message"]["id"]]
        assert db.session.scalars(select(Message.id)).all() == [first["message"]["id"]]
        assert carla.events("message:new") == []

        # Catch-up: bruno drops; messages sent meanwhile arrive exactly once, in order.
        last_seen = bruno.events("message:new")[-1]["id"]
        bruno.close()
        sent = [amina.call("message:send", {"channel_id": cid, "body": f"away {n}",
                                            "client_id": f"away-{n}"})["message"]["id"]
                for n in range(5)]
        back = LiveSocket(server, "bruno@example.org")
        ack = back.call("channel:join", {"channel_id": cid, "last_id": last_seen})
        live_ids = [m["id"] for m in back.events("message:new")]
        merged = sorted({m["id"] for m in ack["messages"]} | set(live_ids))
        assert [m["id"] for m in ack["messages"]] == sent and merged == sent
        back.close()

        # Flood control: a clear error ack once the limit is reached.
        acks = [amina.call("message:send", {"channel_id": cid, "body": f"f{n}",
                                            "client_id": f"flood-{n}"}) for n in range(30)]
        errors = [a["error"] for a in acks if not a["ok"]]
        assert errors and errors[0]["code"] == "rate_limited"
        assert "too fast" in errors[0]["message"]
        carla.close()
    finally:
        amina.close()
        bruno.close()


@pytest.fixture
def load_server(app, app_config, tmp_path):
    """A live server without login or chat limits (50 logins come from one address)."""
    live = LiveServer({**app_config, "LOG_DIR": str(tmp_path), "RATELIMIT_ENABLED": False,
                       "CHAT_RATE_LIMIT": [1000, 60]})
    live.start()
    yield live
    live.stop()


def test_load_50_clients_20_messages_5_channels(load_server, make, world):
    """Bounded, not timed: every client gets exactly its channels' messages, in id order."""
    server = load_server
    channels = [chat_helpers.channel(f"load{n}") for n in range(5)]
    users = [make.user(f"load{n}") for n in range(50)]
    sockets = [LiveSocket(server, u.email) for u in users]
    try:
        mine = {i: channels[i % 5].id for i in range(50)}
        for i, sock in enumerate(sockets):
            assert sock.call("channel:join", {"channel_id": mine[i]})["ok"]

        def sender(i: int) -> None:
            for n in range(20):
                ack = sockets[i].call("message:send", {"channel_id": mine[i], "body": f"{i}:{n}",
                                                        "client_id": f"load-{i}-{n}"}, timeout=30)
                assert ack["ok"], ack

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        expected: dict[int, list[int]] = {}
        for channel_id, message_id in db.session.execute(
                select(Message.channel_id, Message.id).order_by(Message.id)):
            expected.setdefault(channel_id, []).append(message_id)
        assert sum(len(v) for v in expected.values()) == 1000
        for i, sock in enumerate(sockets):
            want = expected[mine[i]]
            sock.wait_for(lambda s=sock, w=want: len(s.events("message:new")) >= len(w), 30)
            got = [m["id"] for m in sock.events("message:new")]
            # None missing, none twice. The server emits in id order (per-channel send lock), but
            # python-engineio's threaded client hands each packet to its own thread, so arrival
            # order here is not the wire order; pages and the catch-up order by id.
            assert len(got) == len(set(got)) and sorted(got) == want, f"client {i}"
            assert {m["channel_id"] for m in sock.events("message:new")} == {mine[i]}
    finally:
        for sock in sockets:
            sock.close()
