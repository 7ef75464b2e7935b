"""Presence lists in big rooms: coalesced longer as the room grows."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from forum.services import presence
from tests import chat_helpers
from tests.chat_helpers import LiveSocket
from tests.fault_servers import kill_tree
from tests.live import LiveServer
from tests.support import require

world = chat_helpers.world  # the fixture
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL")


def test_presence_delay_grows_with_the_room_beyond_a_hundred_sockets():
    assert presence.coalesce_delay(1.0, 0) == 1.0
    assert presence.coalesce_delay(1.0, 100) == 1.0
    assert presence.coalesce_delay(1.0, 500) == 5.0
    # Lists per second x names per list x sockets: linear in the room, not quadratic.
    bytes_rate = {n: n * n / presence.coalesce_delay(1.0, n) for n in (200, 400, 800)}
    assert bytes_rate[800] / bytes_rate[400] == bytes_rate[400] / bytes_rate[200] == 2


@pytest.fixture
def app_config(app_config):
    """Processes share Redis (this test's own key prefix) and beat every second."""
    require(bool(REDIS_URL), "FORUM_TEST_REDIS_URL is not set: cross-process presence not run")
    yield {**app_config, "REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL,
           "PRESENCE_HEARTBEAT_SECONDS": 1}
    from forum.extensions import socketio

    socketio.server_options.pop("client_manager", None)


@pytest.mark.live
def test_a_killed_process_takes_its_people_offline(app, world, tmp_path, app_config):
    from forum.lib import realtime

    cid = world.channel.id
    one, two = (LiveServer({**app_config, "LOG_DIR": str(tmp_path / name)})
                for name in ("one", "two"))
    for server in (one, two):
        Path(server.config["LOG_DIR"]).mkdir()
        server.start()
    amina = bruno = None
    try:
        amina, bruno = LiveSocket(one, "amina@example.org"), LiveSocket(two, "bruno@example.org")
        assert amina.call("channel:join", {"channel_id": cid})["ok"]
        ack = bruno.call("channel:join", {"channel_id": cid})
        assert {p["username"] for p in ack["presence"]} == {"amina", "bruno"}

        kill_tree(one)  # kill -9: no disconnect handler runs, nothing is cleaned up
        started = time.monotonic()
        bruno.wait_for(lambda: any({p["username"] for p in e["users"]} == {"bruno"}
                                   for e in bruno.events("presence")), timeout=15)
        gone_after = time.monotonic() - started
        assert gone_after < 8  # 3 missed beats of 1 s, then the next sweep
        with app.app_context():
            client = realtime.redis_client()
            assert set(client.hvals(realtime.redis_key("presence", "channel", cid))) == {
                str(world.bruno.id)}
            assert client.smembers(realtime.redis_key("sids", world.amina.id)) == set()
            assert presence.online_among([world.amina.id, world.bruno.id]) == {world.bruno.id}
    finally:
        for sock in (amina, bruno):
            if sock is not None:
                sock.close()
        one.stop()
        two.stop()
