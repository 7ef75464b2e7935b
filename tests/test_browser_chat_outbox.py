"""Chromium: the chat never loses what a person typed, and says the state instead of guessing it.

Outbox (a message sent while disconnected waits as "Sending…" and is delivered exactly once,
also after a reload), drafts, the connection state line, and the account states the server
names (suspended until when, banned, logged out, removed from the channel).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import CohortMembership, Message
from tests import chat_helpers
from tests.live import browser_login, count_connects, login_session

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture

STATE = "#composer-state-text"
OUTBOX = "#message-log .chat-message.is-outbox"
# The page's own socket, from the same module instance chat.js uses.
SOCKET_MODULE = "new URL('socket.js', document.querySelector('script[src*=\"chat.js\"]').src)"


@pytest.fixture
def app_config(app_config):
    """A short limit, so the server refuses a message the browser happily sends."""
    return {**app_config, "CHAT_MAX_LENGTH": 40}


def _token(session, url: str) -> str:
    text = session.get(url).text
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or \
        re.search(r'name="csrf-token" content="([^"]+)"', text)
    return found.group(1)


def _open_chat(new_page, live_server, email: str, channel_id: int):
    page = new_page()
    browser_login(page, live_server.url, email)
    page.goto(f"{live_server.url}/chat/{channel_id}")
    page.wait_for_selector("#composer-state.is-quiet")  # connected
    return page


def _stored(body: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Message.id)).where(Message.body_source == body))


def test_offline_send_is_delivered_once_and_drafts_survive_a_reload(live_server, world, new_page):
    page = _open_chat(new_page, live_server, "amina@example.org", world.channel.id)
    other = _open_chat(new_page, live_server, "bruno@example.org", world.channel.id)
    box = page.get_by_role("textbox", name="Message")

    # A draft is kept per channel across a reload, and cleared once the server confirmed it.
    box.fill("Draft for later")
    page.reload()
    page.wait_for_selector("#composer-state.is-quiet")
    assert box.input_value() == "Draft for later"
    box.press("Enter")
    other.locator("#message-log .chat-message", has_text="Draft for later").wait_for()
    page.wait_for_function("() => !document.querySelector('.chat-message.is-outbox')")
    draft_key = f"commons:draft:chat:{world.channel.id}"
    assert page.evaluate("key => localStorage.getItem(key)", draft_key) is None
    page.reload()
    assert box.input_value() == ""

    # Offline: Enter never navigates; the message waits, visibly, and goes once back online.
    page.evaluate("() => { window.__stillHere = true; }")
    url = page.url
    page.context.set_offline(True)
    page.locator(STATE, has_text="Offline").wait_for()
    box.fill("Sent while offline")
    box.press("Enter")
    waiting = page.locator(OUTBOX, has_text="Sent while offline")
    assert waiting.locator(".chat-outbox-status").text_content() == "Sending…"
    page.locator(STATE, has_text="Waiting to send: 1").wait_for()
    assert page.get_by_role("button", name="Retry now").is_visible()
    assert box.input_value() == ""
    assert page.evaluate("() => window.__stillHere") is True and page.url == url
    assert _stored("Sent while offline") == 0

    page.context.set_offline(False)
    delivered = page.locator("#message-log .chat-message:not(.is-outbox)",
                             has_text="Sent while offline")
    delivered.wait_for()
    waiting.wait_for(state="detached")
    other.locator("#message-log .chat-message", has_text="Sent while offline").wait_for()
    page.locator("#composer-state.is-quiet").wait_for()
    other.wait_for_timeout(300)  # a second copy would arrive within this
    assert delivered.count() == 1
    assert other.locator("#message-log .chat-message", has_text="Sent while offline").count() == 1
    assert _stored("Sent while offline") == 1


def test_a_message_waiting_across_a_reload_is_sent_once_and_a_refused_one_can_be_deleted(
        live_server, world, new_page):
    page = _open_chat(new_page, live_server, "amina@example.org", world.channel.id)
    box = page.get_by_role("textbox", name="Message")
    blocked = {"on": True}

    def http(route):
        if blocked["on"]:
            route.abort()
        else:
            route.continue_()

    def websocket(ws):
        if blocked["on"]:
            ws.close()
        else:
            ws.connect_to_server()

    # The Engine.IO endpoint only (/socket.io/?EIO=4...), not the vendored client library.
    endpoint = re.compile(r"/socket\.io/\?EIO=")
    page.route(endpoint, http)
    page.route_web_socket(endpoint, websocket)
    # Drop the live connection; this page stops reconnecting (no attempt can race the routes
    # while the test is not dispatching them); the reloaded page tries, and is blocked.
    page.evaluate(f"""async () => {{
        const manager = (await import({SOCKET_MODULE})).getSocket().io;
        manager.reconnection(false);
        manager.engine.close();
    }}""")
    page.locator(STATE, has_text="Reconnecting").wait_for()
    box.fill("Survives a reload")
    box.press("Enter")
    page.locator(OUTBOX, has_text="Survives a reload").wait_for()

    page.reload()  # the socket is still blocked: the page loads, its socket cannot connect
    again = page.locator(OUTBOX, has_text="Survives a reload")
    again.wait_for()
    assert again.locator(".chat-outbox-status").text_content() == "Sending…"
    assert _stored("Survives a reload") == 0
    page.wait_for_timeout(1500)  # the reloaded page's attempts are refused meanwhile
    assert _stored("Survives a reload") == 0

    blocked["on"] = False
    page.get_by_role("button", name="Retry now").click()
    page.locator("#message-log .chat-message:not(.is-outbox)", has_text="Survives a reload") \
        .wait_for()
    again.wait_for(state="detached")
    assert _stored("Survives a reload") == 1
    outbox_key = f"commons:outbox:{world.amina.id}:{world.channel.id}"
    assert page.evaluate("key => localStorage.getItem(key)", outbox_key) is None

    # A definitive refusal (too long): "Not sent", Retry refuses again, Delete removes it.
    too_long = "This message is far longer than forty characters allows."
    box.fill(too_long)
    box.press("Enter")
    failed = page.locator("#message-log .chat-message.is-failed", has_text=too_long)
    failed.wait_for()
    assert failed.locator(".chat-outbox-status").text_content() == "Not sent"
    failed.get_by_role("button", name="Retry").click()
    failed.wait_for()  # refused again, still kept
    page.reload()
    failed.wait_for()  # and kept across a reload
    failed.get_by_role("button", name="Delete").click()
    failed.wait_for(state="detached")
    assert page.evaluate("key => localStorage.getItem(key)", outbox_key) is None
    assert _stored(too_long) == 0


def _suspend(live_server, world, days: int):
    """The moderator suspends Amina through the moderation page; (their session, her page)."""
    moderator = login_session(live_server, world.mod.email, "correct horse battery")
    person = f"{live_server.url}/moderation/people/{world.amina.id}"
    moderator.post(person + "/suspend", data={"csrf_token": _token(moderator, person),
                                              "days": str(days), "hours": "0",
                                              "reason": "Cool off"})
    return moderator, person


def test_suspension_then_ban_are_said_and_a_banned_page_stops_reconnecting(
        live_server, world, new_page):
    page = _open_chat(new_page, live_server, "amina@example.org", world.channel.id)
    box = page.get_by_role("textbox", name="Message")
    box.fill("Half a thought")
    moderator, person = _suspend(live_server, world, days=3)
    page.locator(STATE, has_text="suspended until").wait_for()
    assert re.search(r"\d", page.locator(STATE).text_content())  # the date, not a guess
    assert box.is_disabled()
    assert box.input_value() == "Half a thought"  # the text is kept
    page.reload()  # a fresh page says it too, from the server
    page.locator(STATE, has_text="suspended until").wait_for()
    assert box.is_disabled() and box.input_value() == "Half a thought"

    connects = count_connects(page)
    moderator.post(person + "/ban", data={"csrf_token": _token(moderator, person),
                                          "reason": "Enough"})
    page.locator(STATE, has_text="This account is banned.").wait_for()
    assert box.is_disabled() and box.input_value() == "Half a thought"
    seen = len(connects)
    page.wait_for_timeout(4000)  # longer than any backoff step the client would take
    assert len(connects) == seen, connects


def test_removal_and_logout_elsewhere_are_said_and_a_logged_out_page_stops_reconnecting(
        live_server, world, make, new_page):
    make.user("root", role="admin")
    page = _open_chat(new_page, live_server, "amina@example.org", world.channel.id)
    box = page.get_by_role("textbox", name="Message")
    box.fill("Still typing")

    admin = login_session(live_server, "root@example.org", "correct horse battery")
    detail = f"{live_server.url}/admin/cohorts/{world.cohort.id}"
    membership = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == world.amina.id, CohortMembership.cohort_id == world.cohort.id))
    admin.post(f"{detail}/members/{membership}/remove", data={"csrf_token": _token(admin, detail)})
    page.locator(STATE, has_text="You no longer have access to this channel.").wait_for()
    assert box.is_disabled() and box.input_value() == "Still typing"

    # Logged out from another device: the page says so, keeps the text and stops reconnecting.
    page.goto(f"{live_server.url}/chat/{world.lobby.id}")
    page.wait_for_selector("#composer-state.is-quiet")
    box.fill("Lobby words")
    connects = count_connects(page)
    phone = login_session(live_server, "amina@example.org", "correct horse battery")
    sessions = f"{live_server.url}/settings/sessions"
    phone.post(sessions + "/end-others", data={"csrf_token": _token(phone, sessions)})
    page.locator(STATE, has_text="You were logged out").wait_for()
    assert page.get_by_role("link", name="Log in again").is_visible()
    assert box.is_disabled() and box.input_value() == "Lobby words"
    seen = len(connects)
    assert seen >= 1  # it did try once, to learn why the server closed it
    page.wait_for_timeout(4000)
    assert len(connects) == seen, connects


def test_a_lifted_suspension_opens_the_composer_again_without_a_reload(
        live_server, world, new_page):
    page = _open_chat(new_page, live_server, "amina@example.org", world.channel.id)
    box = page.get_by_role("textbox", name="Message")
    box.fill("Ready when you are")
    moderator, person = _suspend(live_server, world, days=1)
    page.locator(STATE, has_text="suspended until").wait_for()
    assert box.is_disabled()
    moderator.post(person + "/lift", data={"csrf_token": _token(moderator, person),
                                           "reason": "Talked"})
    page.wait_for_function("() => !document.querySelector('#chat-composer').disabled")
    assert page.locator(STATE).is_hidden() or "suspended" not in page.locator(STATE).text_content()
    assert box.input_value() == "Ready when you are"
    box.press("Enter")
    page.locator("#message-log .chat-message:not(.is-outbox)",
                 has_text="Ready when you are").wait_for()
    assert _stored("Ready when you are") == 1
