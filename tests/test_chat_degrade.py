"""Degrade, don't die: with PostgreSQL or Redis down every socket event still gets an answer,
pages and the API say "503, retry", Redis-less processes serve their own sockets, and all of it
recovers by itself when the server is back (private servers: stopping them disturbs nothing)."""

from __future__ import annotations

import time

import pytest
from flask import g
from sqlalchemy import func, select

from forum import create_app
from forum.extensions import db
from forum.models import Message
from forum.models.search import install_search_index
from tests import chat_helpers, factories
from tests.chat_helpers import LiveSocket
from tests.fault_servers import PostgresServer, RedisServer, postgres_available, redis_available
from tests.live import LiveServer
from tests.support import require

world = chat_helpers.world  # the fixture


# --------------------------------------------------------------------------- PostgreSQL down


@pytest.fixture(scope="module")
def private_pg():
    """A PostgreSQL cluster of this module's own."""
    require(postgres_available(), "PostgreSQL server binaries not installed")
    server = PostgresServer().init().start()
    yield server
    server.destroy()


@pytest.fixture
def pg_app(private_pg, tmp_path):
    """An app on the private cluster, with two cohort members and their channel."""
    url = private_pg.create_database(f"degrade_{tmp_path.name}".lower()[:60])
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX_DIR": str(tmp_path),
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                    "connect_args": {"connect_timeout": 3}}})
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            install_search_index(conn)
        @app.before_request
        def _fresh_g() -> None:  # the test holds one app context: no user or locale carried
            for key in ("_login_user", "_memberships", "_flask_babel"):
                g.pop(key, None)

        cohort = factories.cohort("geneva", name="Geneva")
        factories.user("amina", cohorts=[cohort])
        channel = chat_helpers.channel("general", cohort)
        app.config["TEST_CHANNEL_ID"] = channel.id
        yield app
        db.session.remove()
        db.engine.dispose()


def test_postgresql_down_every_event_acks_pages_and_api_say_503_then_recover(
        pg_app, private_pg):
    from forum.extensions import socketio

    cid = pg_app.config["TEST_CHANNEL_ID"]
    web = pg_app.test_client()
    assert web.post("/login", data={"email": "amina@example.org",
                                    "password": factories.PASSWORD}).status_code == 302
    chat_helpers.fresh_context()
    sock = chat_helpers.Sock(socketio.test_client(pg_app, flask_test_client=web))
    assert sock.emit("channel:join", {"channel_id": cid})["ok"]

    private_pg.stop()
    try:
        for event, payload in (
                ("message:send", {"channel_id": cid, "body": "while down", "client_id": "d-1"}),
                ("channel:join", {"channel_id": cid, "after_seq": 0}),
                ("thread:join", {"thread_id": 1}),  # another area's handler: the same answer
                ("notifications:count", {})):
            started = time.monotonic()
            ack = sock.emit(event, payload)
            assert time.monotonic() - started < 10
            # retryable, with how long to wait (docs/socket-events.md), and nothing else
            assert ack == {"ok": False, "error": {
                "code": "unavailable", "retryable": True, "retry_after": 5,
                "message": ack["error"]["message"]}}

        page = web.get("/chat", headers={"Accept-Language": "fr"})
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        html = page.get_data(as_text=True)
        assert 'lang="fr"' in html and "Traceback" not in html
        assert "<main" in html  # the app's own page, not the server's bare one
        api = web.get("/api/v1/me")
        assert api.status_code == 503 and api.headers["Retry-After"] == "5"
        assert api.get_json()["error"]["code"] == "unavailable"
    finally:
        private_pg.start()

    # Back by itself: the same socket's retry (same client_id) is stored once.
    ack = sock.emit("message:send", {"channel_id": cid, "body": "while down",
                                     "client_id": "d-1"})
    assert ack["ok"] and ack["message"]["seq"] == 1
    again = sock.emit("message:send", {"channel_id": cid, "body": "while down",
                                       "client_id": "d-1"})
    assert again["message"]["id"] == ack["message"]["id"]
    assert web.get("/chat").status_code == 200
    assert db.session.scalar(select(func.count(Message.id))) == 1
    sock.disconnect()


# --------------------------------------------------------------------------- Redis down


@pytest.fixture
def private_redis():
    """A redis-server of this test's own."""
    require(redis_available(), "redis-server not installed")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, request):
    """Tests that ask for `private_redis` run with it as queue, registry and limit storage."""
    if "private_redis" not in request.fixturenames:
        yield app_config
        return
    url = request.getfixturevalue("private_redis").url
    yield {**app_config, "REDIS_URL": url, "RATELIMIT_STORAGE_URI": url,
           "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    from forum.extensions import socketio

    socketio.server_options.pop("client_manager", None)


def _wait(predicate, timeout: float = 10.0) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.live
def test_redis_down_processes_serve_their_sockets_then_resync_when_it_is_back(
        app, world, private_redis, tmp_path, app_config):
    from forum.lib import realtime

    cid = world.channel.id
    one, two = (LiveServer({**app_config, "LOG_DIR": str(tmp_path)}).start() for _ in range(2))
    sockets = []
    try:
        amina = LiveSocket(one, "amina@example.org")
        bruno = LiveSocket(two, "bruno@example.org")
        sockets += [amina, bruno]
        for sock in (amina, bruno):
            assert sock.call("channel:join", {"channel_id": cid})["ok"]

        private_redis.stop()
        late = LiveSocket(two, "bruno@example.org")  # a new socket still connects
        sockets.append(late)
        assert late.call("channel:join", {"channel_id": cid})["ok"]
        sent = bruno.call("message:send", {"channel_id": cid, "body": "redis is down",
                                           "client_id": "r-1"})
        assert sent["ok"]  # the flood limit counted in the process's memory
        late.wait_for(lambda: late.events("message:new"))  # its own process delivers
        assert bruno.session.get(two.url + "/api/v1/me").status_code == 200
        assert amina.events("message:new") == []  # the other process could not hear of it

        private_redis.start()  # empty: the outage lost every key
        started = time.monotonic()
        amina.wait_for(lambda: amina.events("resync"), timeout=10)
        resynced_in = time.monotonic() - started
        assert resynced_in < 5
        # Told to resync, the client joins again from its position and gets what it missed.
        again = amina.call("channel:join", {"channel_id": cid, "after_seq": 0})
        assert [m["id"] for m in again["messages"]] == [sent["message"]["id"]]
        # Each process wrote its sockets back: presence holds all three again.
        with app.app_context():
            client = realtime.redis_client()
            key = realtime.redis_key("presence", "channel", cid)
            _wait(lambda: len(client.hkeys(key)) == 3)
        assert "message queue" in two.log() and "unavailable" in two.log()
    finally:
        for sock in sockets:
            sock.close()
        one.stop()
        two.stop()


def test_redis_down_api_and_pages_keep_their_rate_limits_in_memory(
        app, world, private_redis, client):
    private_redis.stop()
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    statuses = [client.post("/login", data={"email": "amina@example.org",
                                            "password": "wrong password"}).status_code
                for _ in range(5)]
    assert statuses[:3] == [422, 422, 422] and statuses[-1] == 429  # limited, not a 500
