"""Chromium: the message box empties on send; a refused message stays, marked "Not sent"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Message
from tests import chat_helpers
from tests.live import browser_login

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """A short limit, so the server refuses a message the browser happily sends."""
    return {**app_config, "CHAT_MAX_LENGTH": 40}


def test_refused_message_comes_back_and_sent_one_does_not(live_server, world, new_page):
    page = new_page()
    browser_login(page, live_server.url, "amina@example.org")
    page.goto(f"{live_server.url}/chat/{world.channel.id}")
    box = page.get_by_role("textbox", name="Message")

    box.fill("Short and sweet")
    box.press("Enter")
    page.locator("#message-log .chat-message", has_text="Short and sweet").wait_for()
    assert box.input_value() == ""

    too_long = "This message is far longer than forty characters allows."
    box.fill(too_long)
    box.press("Enter")
    # Nothing typed is lost: the refused message stays in the log with the reason, and "Edit"
    # gives it back to the box (static/js/chat_composer.js).
    failed = page.locator("#message-log .chat-message.is-failed", has_text=too_long)
    failed.wait_for()
    assert "at most 40 characters" in failed.locator(".chat-outbox-reason").text_content()
    failed.get_by_role("button", name="Edit").click()
    assert box.input_value() == too_long
    assert failed.count() == 0
    assert db.session.scalar(select(func.count(Message.id))) == 1
