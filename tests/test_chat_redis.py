"""Several processes sharing PostgreSQL and Redis: delivery, presence and access cuts cross over."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from forum.models import CohortMembership
from forum.services import cohorts
from tests import chat_helpers
from tests.chat_helpers import LiveSocket
from tests.live import LiveServer
from tests.support import require

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL")


@pytest.fixture
def app_config(app_config, backend):
    """This process joins the same Redis queue as the servers (unique channel and prefix)."""
    require(bool(REDIS_URL), "FORUM_TEST_REDIS_URL is not set: cross-process suite not run")
    yield {**app_config, "REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL}
    # The SocketIO instance is shared by every app of this worker and keeps its Redis client
    # manager across init_app calls: drop it, or later test-client tests see a message queue.
    from forum.extensions import socketio

    socketio.server_options.pop("client_manager", None)
    socketio.server_options.pop("message_queue", None)


@pytest.fixture
def two_servers(app, app_config, tmp_path):
    """Two gunicorn processes on two ports, like two upstreams behind nginx."""
    servers = [LiveServer({**app_config, "LOG_DIR": str(tmp_path)}) for _ in range(2)]
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def test_message_via_one_process_reaches_the_other(two_servers, world, make):
    one, two = two_servers
    admin = make.user("root", role="admin")
    amina, bruno = LiveSocket(one, "amina@example.org"), LiveSocket(two, "bruno@example.org")
    try:
        cid = world.channel.id
        assert amina.call("channel:join", {"channel_id": cid})["ok"]
        ack = bruno.call("channel:join", {"channel_id": cid})
        assert {p["username"] for p in ack["presence"]} == {"amina", "bruno"}
        amina.wait_for(lambda: any({p["username"] for p in e["users"]} == {"amina", "bruno"}
                                   for e in amina.events("presence")))
        sent = bruno.call("message:send", {"channel_id": cid, "body": "from two",
                                           "client_id": "x-1"})["message"]
        amina.wait_for(lambda: amina.events("message:new"))
        assert [m["id"] for m in amina.events("message:new")] == [sent["id"]]

        # Removal from the cohort, decided in this third process, cuts amina's socket on one.
        membership = db_membership(world.amina.id)
        cohorts.remove_member(admin, world.cohort.id, membership.id)
        marker = amina.call("message:send", {"channel_id": world.lobby.id, "body": "sync",
                                             "client_id": "x-2"})
        assert marker["ok"]
        bruno.call("message:send", {"channel_id": cid, "body": "secret", "client_id": "x-3"})
        amina.call("channel:join", {"channel_id": world.lobby.id})
        bruno.call("message:send", {"channel_id": world.lobby.id, "body": "after",
                                    "client_id": "x-4"})
        bruno.call("channel:join", {"channel_id": world.lobby.id})
        amina.wait_for(lambda: any(m["channel_id"] == world.lobby.id
                                   and "after" in m["html"] for m in amina.events("message:new")))
        assert all("secret" not in m["html"] for m in amina.events("message:new"))

        # Logout on one process closes the socket of that login session held by the other.
        bruno.session.post(one.url + "/logout", data={"csrf_token": csrf(bruno, one)})
        bruno.wait_for(lambda: not bruno.client.connected)
    finally:
        amina.close()
        bruno.close()


def db_membership(user_id: int) -> CohortMembership:
    """The (single) cohort membership of a user."""
    from forum.extensions import db

    return db.session.scalar(select(CohortMembership).where(CohortMembership.user_id == user_id))


def csrf(sock: LiveSocket, server: LiveServer) -> str:
    """The CSRF token of a page, for posting a form with requests."""
    import re

    page = sock.session.get(server.url + "/chat").text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
