"""The browser client recovers by itself: a failed join is retried, and `resync` catches up.

docs/socket-events.md ("Client algorithm") tells clients to retry a `channel:join` answered with
a retryable error, with backoff, and to join again from their position when the server sends
`resync` (its Redis queue connection came back and events may have been lost). The live server
gets its faults from tests/live_hooks.py: joins fail inside the service while a flag file
exists, and a test-only route emits `resync` the way the queue manager does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Message
from forum.services import chat
from tests import chat_helpers
from tests.live import LiveServer, browser_login, count_connects

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture

LOG_SEQS = "items => items.map(i => Number(i.dataset.seq))"
WAIT_MS = 20_000  # a loaded CI machine (two cores, other suites running) is slow to render


def _open_page(new_page):
    page = new_page()
    page.set_default_timeout(WAIT_MS)
    return page


@pytest.fixture
def hooked_server(app, app_config, tmp_path) -> Iterator[Callable[[dict], LiveServer]]:
    """Start a live server with test-only hooks installed in its process (stopped after)."""
    started: list[LiveServer] = []

    def _start(hooks: dict) -> LiveServer:
        server = LiveServer({**app_config, "LOG_DIR": str(tmp_path)}, hooks=hooks).start()
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _stored_seqs(channel_id: int) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message.seq).where(
        Message.channel_id == channel_id).order_by(Message.seq)))


@pytest.mark.parametrize("error", ["unavailable", "server_error"])
def test_a_join_answered_with_a_retryable_error_is_retried_until_the_page_catches_up(
        hooked_server, world, new_page, tmp_path, error):
    flag, failures = tmp_path / "joins-fail", tmp_path / "join-failures.log"
    flag.touch()
    server = hooked_server({"join_fails_while": {
        "flag": str(flag), "log": str(failures), "error": error}})
    chat.send_message(world.bruno, world.channel.id, "Before the outage", "before-1")
    page = _open_page(new_page)
    browser_login(page, server.url, "amina@example.org")
    page.goto(f"{server.url}/chat/{world.channel.id}")
    log = page.locator("#message-log")
    log.locator("li", has_text="Before the outage").wait_for()  # rendered by the page itself

    # The page's joins are refused; it asks again (1 s, then 2 s later) instead of giving up.
    _wait_until(lambda: len(_lines(failures)) >= 2)
    # Stored while the page is not in the room: only a successful join's catch-up brings it.
    chat.send_message(world.bruno, world.channel.id, "Sent meanwhile", "meanwhile-1")
    flag.unlink()  # the server is well again

    log.locator("li", has_text="Sent meanwhile").wait_for(timeout=30_000)
    assert set(_lines(failures)) == {error}
    page.locator("#presence-list li", has_text="Amina").wait_for()  # the join's ack was applied
    seqs = page.eval_on_selector_all("#message-log [data-seq]", LOG_SEQS)
    assert seqs == _stored_seqs(world.channel.id) == [1, 2]

    # The composer works: a message goes out, is confirmed and stored once.
    box = page.get_by_role("textbox", name="Message")
    box.fill("Back to normal")
    box.press("Enter")
    log.locator("li:not(.is-outbox)", has_text="Back to normal").wait_for()
    page.wait_for_selector("#message-log .is-outbox", state="detached")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Message.id)).where(
        Message.body_source == "Back to normal")) == 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('#message-log [data-seq]')]"
        ".map(i => Number(i.dataset.seq)).join() === '1,2,3'")


def test_resync_fetches_exactly_the_messages_the_page_missed_once_each_in_order(
        hooked_server, world, new_page):
    server = hooked_server({"resync_route": True})
    chat.send_message(world.bruno, world.channel.id, "Seen live", "seen-1")
    page = _open_page(new_page)
    browser_login(page, server.url, "amina@example.org")
    page.goto(f"{server.url}/chat/{world.channel.id}")
    page.locator("#presence-list li", has_text="Amina").wait_for()  # joined, caught up
    opened = count_connects(page)

    # Stored and committed, but their events never reached this server's sockets (as when the
    # server's Redis connection was down and another process broadcast them).
    missed = [chat.send_message(world.bruno, world.channel.id, f"Missed {n}", f"missed-{n}")
              for n in range(1, 4)]
    assert [m.seq for m in missed] == [2, 3, 4]
    log = page.locator("#message-log")
    assert log.locator("li", has_text="Missed").count() == 0  # nothing told the page yet

    assert requests.post(f"{server.url}/_test/resync", timeout=10).status_code == 204
    log.locator("li", has_text="Missed 3").wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('#message-log [data-seq]').length >= 4")
    seqs = page.eval_on_selector_all("#message-log [data-seq]", LOG_SEQS)
    texts = page.eval_on_selector_all(
        "#message-log [data-seq] .chat-body", "items => items.map(i => i.textContent.trim())")
    assert seqs == _stored_seqs(world.channel.id) == [1, 2, 3, 4]  # once each, in seq order
    assert texts == ["Seen live", "Missed 1", "Missed 2", "Missed 3"]
    assert opened == []  # caught up on the same connection: resync, not a reconnect
