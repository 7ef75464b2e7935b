"""The chat workspace in Chromium: the sidebar's live counts (two browsers), mention badge,
Ctrl+K, grouping, day separators, the new-messages divider, jump to latest, the "⋯" menu by
keyboard with in-page dialogs, channel keys, Esc, and the phone drawer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ChannelMember, Message, utcnow
from forum.services import chat
from tests import chat_helpers
from tests.live import browser_login

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def _message(channel, author, body: str, created=None) -> Message:
    message = Message(channel_id=channel.id, author_id=author.id, client_id=f"seed-{body}",
                      body_source=body, body_html=f"<p>{body}</p>",
                      created_at=created or utcnow())
    db.session.add(message)
    db.session.flush()
    channel.last_message_id = message.id
    return message


def _item(page, channel_id: int):
    return page.locator(f'.chat-nav-item[data-channel-id="{channel_id}"]')


def _no_native_dialogs(page) -> list[str]:
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen


def test_sidebar_live_counts_layout_and_keys(live_server, world, new_page):
    # general: 30 older messages (yesterday and before), read up to there; then 3 quick ones.
    long_ago = utcnow() - timedelta(days=2)
    for n in range(30):
        _message(world.channel, world.bruno if n % 2 else world.amina, f"Old {n}",
                 long_ago + timedelta(minutes=n))
    db.session.commit()
    read_up_to = world.channel.last_message_id
    db.session.add(ChannelMember(channel_id=world.channel.id, user_id=world.amina.id,
                                 last_read_message_id=read_up_to))
    db.session.commit()
    first_new = chat.send_message(world.bruno, world.channel.id, "Quick one", "q1")
    chat.send_message(world.bruno, world.channel.id, "Quick two", "q2")
    chat.send_message(world.bruno, world.channel.id, "Quick three", "q3")
    dm = chat.open_direct_channel(world.bruno, ["amina"])

    amina, bruno = new_page(), new_page()
    native = _no_native_dialogs(amina)
    browser_login(amina, live_server.url, "amina@example.org")
    browser_login(bruno, live_server.url, "bruno@example.org")
    amina.goto(f"{live_server.url}/chat/{world.channel.id}")
    amina.wait_for_function("() => document.documentElement.classList.contains('js')")

    # The divider sits right before the first unread message; one header for 3 quick ones.
    divider_next = amina.locator("#chat-new-divider + .chat-message")
    assert divider_next.get_attribute("id") == f"m-{first_new.id}"
    quick = amina.locator(".chat-message", has_text="Quick")
    assert quick.count() == 3
    assert [("is-continued" in (quick.nth(i).get_attribute("class") or "")) for i in range(3)] \
        == [False, True, True]
    # Day separators: the old messages' days and today's (in the viewer's zone).
    amina.wait_for_function(
        "() => document.querySelectorAll('#message-log > .chat-day').length >= 2")
    assert "chat-day" in (amina.locator("#chat-new-divider").evaluate(
        "d => { let p = d.previousElementSibling; return p ? p.className : ''; }") + " chat-day")

    # Live sidebar: bruno mentions amina in the lobby and writes in their conversation.
    bruno.goto(f"{live_server.url}/chat/{world.lobby.id}")
    bruno.wait_for_function("() => document.documentElement.classList.contains('js')")
    amina.locator('#chat-sidebar[data-live="on"]').wait_for(state="attached")
    lobby = _item(amina, world.lobby.id)
    assert lobby.locator(".chat-unread-badge").is_hidden()
    box = bruno.get_by_role("textbox", name="Message")
    box.fill("Hello @amina")
    box.press("Enter")
    lobby.locator(".chat-unread-badge").wait_for(state="visible")
    assert lobby.locator(".chat-unread-badge").inner_text().startswith("1")
    assert lobby.locator(".chat-mention-badge").is_visible()
    assert "@1" in lobby.locator(".chat-mention-badge").inner_text()
    bruno.goto(f"{live_server.url}/chat/{dm.id}")
    box = bruno.get_by_role("textbox", name="Message")
    box.fill("Just between us")
    box.press("Enter")
    _item(amina, dm.id).locator(".chat-unread-badge").wait_for(state="visible")
    assert _item(amina, dm.id).locator(".chat-mention-badge").is_hidden()

    # Jump to latest: scrolled up, a new message below is counted on the button.
    amina.locator("#message-log").evaluate("log => { log.scrollTop = 0; }")
    jump = amina.locator("#chat-jump-latest")
    jump.wait_for(state="visible")
    bruno.goto(f"{live_server.url}/chat/{world.channel.id}")
    box = bruno.get_by_role("textbox", name="Message")
    box.fill("Below the fold")
    box.press("Enter")
    amina.locator("#message-log", has_text="Below the fold").wait_for()
    # A live message joins its author's group too (bruno wrote "Quick three" a moment ago).
    assert "is-continued" in amina.locator(".chat-message", has_text="Below the fold")\
        .get_attribute("class")
    amina.wait_for_function(
        "() => document.getElementById('chat-new-below').textContent.includes('1')")
    jump.click()
    jump.wait_for(state="hidden")
    assert amina.locator("#message-log").evaluate(
        "log => log.scrollHeight - log.scrollTop - log.clientHeight < 80")

    # Esc marks the channel read: the divider goes and the marker reaches the newest message.
    amina.locator("body").press("Escape")
    amina.locator("#chat-new-divider").wait_for(state="detached")
    newest = db.session.scalar(select(Message.id).where(Message.channel_id == world.channel.id)
                               .order_by(Message.id.desc()).limit(1))

    def marker() -> int | None:
        db.session.expire_all()
        return db.session.scalar(select(ChannelMember.last_read_message_id).where(
            ChannelMember.channel_id == world.channel.id,
            ChannelMember.user_id == world.amina.id))
    amina.wait_for_timeout(300)
    for _ in range(30):
        if marker() == newest:
            break
        amina.wait_for_timeout(200)
    assert marker() == newest

    # Ctrl+K: type to filter, Enter opens the first match.
    amina.keyboard.press("Control+k")
    assert amina.evaluate("document.activeElement.id") == "chat-jump-input"
    amina.keyboard.type("lob")
    assert _item(amina, world.channel.id).is_hidden() and lobby.is_visible()
    amina.keyboard.press("Escape")  # clears the filter
    assert _item(amina, world.channel.id).is_visible()

    # Alt+↓: the next channel in the sidebar (general → lobby).
    amina.locator("#message-log .chat-message").last.focus()
    amina.keyboard.press("Alt+ArrowDown")
    amina.wait_for_url(f"**/chat/{world.lobby.id}")
    assert native == []


def test_message_menu_by_keyboard_and_in_page_dialogs(live_server, world, new_page):
    for n in range(20):
        _message(world.channel, world.bruno, f"Filler {n}",
                 utcnow() - timedelta(minutes=60 - n))
    db.session.commit()
    chat.send_message(world.amina, world.channel.id, "First of mine", "a1")
    chat.send_message(world.amina, world.channel.id, "Second of mine", "a2")
    page = new_page()
    native = _no_native_dialogs(page)
    browser_login(page, live_server.url, "amina@example.org")
    page.goto(f"{live_server.url}/chat/{world.channel.id}")
    page.wait_for_function("() => document.documentElement.classList.contains('js')")

    skip = page.locator("a.chat-skip")
    assert skip.inner_text() == "Skip to message box" and skip.get_attribute("href") == "#body"
    # The 22 messages are one tab stop (a roving tabindex), not a row of links each: only the
    # focused message's own controls (author, time, add reaction, menu...) are reachable.
    stops = page.evaluate("""() => [...document.querySelectorAll('#message-log *')]
        .filter(e => e.tabIndex >= 0 && !e.closest('[hidden]')).length""")
    assert stops <= 6, stops

    # Focus the newest message; Enter opens its menu with the first item focused.
    mine = page.locator(".chat-message", has_text="Second of mine")
    mine.focus()
    page.keyboard.press("Enter")
    menu = mine.locator("[role=menu]")
    menu.wait_for()
    items = menu.locator("[role=menuitem]").all_inner_texts()
    # Own message: edit, delete and copy link among the actions (react, thread...), no report.
    assert {"Edit", "Delete", "Copy link"} <= set(items) and "Report" not in items
    assert page.evaluate("document.activeElement.textContent") == items[0]
    for _ in range(items.index("Edit")):
        page.keyboard.press("ArrowDown")  # arrow keys move through the menu
    assert page.evaluate("document.activeElement.textContent") == "Edit"
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.ui-dialog")
    dialog.wait_for()
    field = dialog.locator("textarea")
    assert field.input_value() == "Second of mine"
    field.fill("Second, edited")
    page.keyboard.press("Control+Enter")
    page.locator(".chat-message", has_text="Second, edited").locator(".chat-edited").wait_for()

    # Delete through the menu: ↓ to "Delete", Enter, confirm in the in-page dialog.
    first = page.locator(".chat-message", has_text="First of mine")
    first_id = first.get_attribute("id")  # the text is about to change
    first.focus()
    page.keyboard.press("Enter")
    first.locator("[role=menu]").wait_for()
    for _ in range(items.index("Delete")):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Delete"
    page.keyboard.press("Enter")
    dialog.wait_for()
    dialog.locator("button.danger").click()
    page.locator(f"#{first_id}", has_text="This message was deleted.").wait_for()

    # ↑ in the empty composer edits the last own message; Esc cancels.
    box = page.get_by_role("textbox", name="Message")
    box.focus()
    page.keyboard.press("ArrowUp")
    dialog.wait_for()
    assert dialog.locator("textarea").input_value() == "Second, edited"
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    # Another member's message offers "Report", not edit or delete.
    other = page.locator(".chat-message", has_text="Filler 19")
    other.hover()
    other.locator(".chat-menu-button").click()
    offered = set(other.locator("[role=menuitem]").all_inner_texts())
    assert {"Copy link", "Report"} <= offered and not {"Edit", "Delete"} & offered
    page.keyboard.press("Escape")
    assert other.locator("[role=menu]").count() == 0
    assert native == []


def test_phone_drawer(live_server, world, new_page):
    page = new_page(viewport={"width": 375, "height": 740})
    browser_login(page, live_server.url, "amina@example.org")
    page.goto(f"{live_server.url}/chat/{world.channel.id}")
    page.wait_for_function("() => document.documentElement.classList.contains('js')")
    sidebar = page.locator("#chat-sidebar")
    assert not sidebar.is_visible()
    button = page.get_by_role("button", name="Channels")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    sidebar.wait_for(state="visible")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.getElementById('chat-sidebar').contains(document.activeElement)")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => !document.getElementById('chat-sidebar').classList.contains('is-open')")
    assert page.evaluate("document.activeElement.id") == "chat-drawer-button"
    assert button.get_attribute("aria-expanded") == "false"
    # The message box is reachable at 375 px: pinned at the bottom of the screen.
    box = page.get_by_role("textbox", name="Message").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740


def test_a_conversation_opened_by_someone_else_appears_in_the_sidebar_live(
        live_server, world, new_page):
    amina, bruno = new_page(), new_page()
    browser_login(amina, live_server.url, "amina@example.org")
    browser_login(bruno, live_server.url, "bruno@example.org")
    amina.goto(f"{live_server.url}/chat/{world.lobby.id}")
    amina.locator('#chat-sidebar[data-live="on"]').wait_for(state="attached")
    assert amina.locator('ul.chat-nav[data-kind="direct"] .chat-nav-item').count() == 0

    # Bruno starts a conversation from Amina's profile and writes (no reload on her side).
    bruno.goto(f"{live_server.url}/u/amina")
    bruno.get_by_role("button", name="Send a direct message").click()
    bruno.wait_for_url("**/chat/*")
    bruno.locator('#chat-sidebar[data-live="on"]').wait_for(state="attached")
    dm_id = int(bruno.url.rstrip("/").rsplit("/", 1)[1])
    line = _item(amina, dm_id)
    line.wait_for()
    assert line.locator(".chat-nav-title").inner_text() == "Bruno"
    assert line.locator("a").get_attribute("href") == f"/chat/{dm_id}"
    # "No conversations yet." is gone from the direct list.
    assert amina.locator('.chat-nav-group:has(ul[data-kind="direct"]) .chat-nav-empty').count() == 0
    box = bruno.locator("#chat-composer textarea, #message-form textarea").first
    box.fill("Welcome to Geneva!")
    box.press("Enter")
    amina.locator(f'.chat-nav-item[data-channel-id="{dm_id}"][data-unread="1"]').wait_for()
    badge = line.locator(".chat-unread-badge")
    assert badge.is_visible() and "1" in badge.inner_text()
    line.locator("a").click()
    amina.locator("#message-log .chat-message", has_text="Welcome to Geneva!").wait_for()
