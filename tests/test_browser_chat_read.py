"""A reader in a busy room moves their read marker a few times, not once per message."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ChannelMember, Message
from tests import chat_helpers
from tests.live import browser_login

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def test_read_marker_is_throttled_and_catches_up(live_server, world, new_page):
    url = f"{live_server.url}/chat/{world.channel.id}"
    amina, bruno = new_page(), new_page()
    browser_login(amina, live_server.url, "amina@example.org")
    browser_login(bruno, live_server.url, "bruno@example.org")
    read_events: list[str] = []
    bruno.on("websocket", lambda ws: ws.on(
        "framesent", lambda frame: read_events.append(frame)
        if "channel:read" in str(frame) else None))
    amina.goto(url)
    bruno.goto(url)
    bruno.locator("#presence-list li", has_text="Amina").wait_for()

    box = amina.get_by_role("textbox", name="Message")
    for n in range(12):
        box.fill(f"Burst message {n}")
        box.press("Enter")
        amina.locator("#message-log", has_text=f"Burst message {n}").wait_for()
    bruno.locator("#message-log", has_text="Burst message 11").wait_for()

    last_id = db.session.scalar(select(Message.id).where(
        Message.channel_id == world.channel.id).order_by(Message.id.desc()).limit(1))
    deadline = time.monotonic() + 15
    marker = None
    while time.monotonic() < deadline:
        db.session.expire_all()
        marker = db.session.scalar(select(ChannelMember.last_read_message_id).where(
            ChannelMember.channel_id == world.channel.id,
            ChannelMember.user_id == world.bruno.id))
        if marker == last_id:
            break
        time.sleep(0.2)
    assert marker == last_id, "the last message is marked read once the burst is over"
    # 12 messages arrived within a few seconds: a handful of marker writes, not 12.
    assert 1 <= len(read_events) <= 6, read_events
