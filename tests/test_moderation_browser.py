"""In a real browser: a member flags a chat message, a moderator hides it from the queue, and a
second member's open chat page loses it without reloading."""

from __future__ import annotations

import pytest

from forum.services import chat
from tests import chat_helpers
from tests.live import browser_login

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def _login(new_page, server, email: str):
    page = new_page()
    browser_login(page, server.url, email)
    return page


def test_flag_then_hide_from_queue_removes_message_live(live_server, world, make, new_page):
    dina = make.user("dina", cohorts=[world.cohort])
    message = chat.send_message(world.bruno, world.channel.id, "Click my referral link", "b-1")
    url = f"{live_server.url}/chat/{world.channel.id}"

    watcher = _login(new_page, live_server, dina.email)
    watcher.goto(url)
    item = watcher.locator(f"#m-{message.id}")
    item.wait_for()
    watcher.locator("#presence-list li", has_text="Dina").wait_for()  # joined the live room
    watcher.evaluate("window.__stillHere = true")  # survives only if the page never reloads

    amina = _login(new_page, live_server, "amina@example.org")
    amina.goto(url)
    reported = amina.locator(f"#m-{message.id}")
    reported.hover()
    reported.locator(".chat-menu-button").click()  # the message's "⋯" menu
    reported.get_by_role("menuitem", name="Report").click()
    amina.get_by_label("Spam or advertising").check()
    amina.get_by_role("button", name="Send to the moderators").click()
    amina.wait_for_url(f"**/chat/{world.channel.id}**")
    assert "The moderators will review it" in amina.content()

    mod = _login(new_page, live_server, "mod@example.org")
    mod.goto(live_server.url + "/moderation")
    card = mod.locator(f"#queue-message-{message.id}")
    assert "Click my referral link" in card.inner_text()
    assert "Spam or advertising" in card.inner_text()
    card.get_by_label("Reason (shown to the author)").first.fill("Advertising")
    card.get_by_role("button", name="Hide").click()
    mod.wait_for_load_state()
    assert "Nothing to review" in mod.content()

    # The second member's page loses it without a reload (same document, no navigation).
    item.wait_for(state="detached")
    assert watcher.evaluate("window.__stillHere") is True
    assert "referral" not in watcher.locator("#message-log").inner_text()
    # And a reload (the catch-up and history path) does not bring it back.
    watcher.reload()
    watcher.locator("#message-log").wait_for()
    assert "referral" not in watcher.content()


def test_ban_asks_in_an_in_page_dialog_not_the_browsers(live_server, make, new_page):
    from forum.extensions import db
    from forum.models.user import User

    make.user("mod", role="moderator")
    target = make.user("spammer")
    page = _login(new_page, live_server, "mod@example.org")
    native: list[str] = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/moderation/people/{target.id}")
    ban = page.locator("section", has=page.get_by_role("heading", name="Ban", exact=True))
    ban.get_by_role("textbox").fill("Spam")
    ban.get_by_role("button", name="Ban").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "Spammer? They will be logged out everywhere." in dialog.inner_text()
    assert dialog.evaluate("d => d.matches(':modal')")
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="detached")
    assert db.session.get(User, target.id).banned_at is None  # cancelled: nothing happened
    ban.get_by_role("button", name="Ban").click()
    page.get_by_role("dialog").get_by_role("button", name="Ban").click()
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('dialog')")
    db.session.expire_all()
    assert db.session.get(User, target.id).banned_at is not None
    assert native == []  # never the browser's own confirm()
