"""Two members chat live in their cohort channel; an outsider gets a 404 and sees nothing."""

from __future__ import annotations

import pytest

from tests import chat_helpers
from tests.live import browser_login

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def _login(new_page, server, email: str):
    page = new_page()
    browser_login(page, server.url, email)
    return page


def test_two_members_chat_live_outsider_sees_nothing(live_server, world, new_page):
    url = f"{live_server.url}/chat/{world.channel.id}"
    amina = _login(new_page, live_server, "amina@example.org")
    bruno = _login(new_page, live_server, "bruno@example.org")
    carla = _login(new_page, live_server, "carla@example.org")
    amina.goto(url)
    bruno.goto(url)
    bruno.locator("#presence-list li", has_text="Amina").wait_for()

    box = amina.get_by_role("textbox", name="Message")
    box.fill("Hello **Bruno**")
    box.press("Enter")  # keyboard-only sending
    bruno.locator("#message-log strong", has_text="Bruno").wait_for()
    # Announced politely, through one throttled status line (not the whole log).
    bruno.locator("#chat-announcer", has_text="New message from Amina").wait_for()
    assert bruno.locator("#message-log").get_attribute("aria-live") is None
    assert amina.locator("#message-log .chat-message").count() == 1  # the ack did not duplicate

    bruno.get_by_role("textbox", name="Message").fill("Hi Amina")
    bruno.get_by_role("textbox", name="Message").press("Enter")
    amina.locator("#message-log", has_text="Hi Amina").wait_for()
    # Edit/delete are offered (in the message's "⋯" menu) on one's own messages only.
    def menu_items(text: str) -> list[str]:
        message = amina.locator(".chat-message", has_text=text)
        message.hover()
        message.locator(".chat-menu-button").click()
        items = message.locator("[role=menuitem]").all_inner_texts()
        amina.keyboard.press("Escape")
        return items
    assert {"Edit", "Delete"} <= set(menu_items("Hello"))
    assert not {"Edit", "Delete"} & set(menu_items("Hi Amina"))
    assert "Report" in menu_items("Hi Amina")

    response = carla.goto(url)
    assert response.status == 404
    assert "Hello" not in carla.content()
    carla.goto(live_server.url + "/chat")
    assert "general" not in carla.locator("main").inner_text().split("Nairobi")[0]
    assert "Hello" not in carla.content()
