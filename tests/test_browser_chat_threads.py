"""Two members in a cohort channel: reactions appear live for the other, a thread panel opens
and its replies (and the root's reply count) arrive live, "also send to channel" puts a reply
in the main log, and a chat exchange becomes a forum thread after the audience warning. axe
finds nothing with the thread panel open."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Category
from forum.services import chat
from tests import chat_helpers
from tests.live import browser_login
from tests.test_a11y_axe import _axe_script, run_axe

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture


def _open(new_page, server, email: str, url: str, **kwargs):
    page = new_page(**kwargs)
    page.context.add_init_script(script=_axe_script())  # not a page script: CSP-free
    browser_login(page, server.url, email)
    page.goto(url)
    # The page's scripts are running once they announce their features to the action menu.
    page.wait_for_function("() => (document.body.dataset.chatFeatures || '').includes('thread')")
    return page


def _action(page, action: str, message_id: int) -> None:
    """What the message menu does: dispatch `chat:action` (whatever the menu looks like)."""
    page.evaluate("([action, id]) => document.dispatchEvent(new CustomEvent('chat:action', "
                  "{detail: {action, messageId: id}}))", [action, message_id])


def test_reactions_and_thread_replies_live_between_two_members(live_server, world, new_page):
    root = chat.send_message(world.amina, world.channel.id, "Who is going to Geneva?", "b1")
    url = f"{live_server.url}/chat/{world.channel.id}"
    amina = _open(new_page, live_server, "amina@example.org", url)
    bruno = _open(new_page, live_server, "bruno@example.org", url)
    bruno.locator("#presence-list li", has_text="Amina").wait_for()

    # A reaction from Amina's picker appears live for Bruno, marked as hers only on her page.
    amina.locator(f"#m-{root.id} .chat-reaction-add").click()
    amina.get_by_role("dialog").get_by_role("button", name="👍").click()
    mine = amina.locator(f"#m-{root.id} .chat-reaction[data-emoji='👍']")
    theirs = bruno.locator(f"#m-{root.id} .chat-reaction[data-emoji='👍']")
    theirs.wait_for()
    assert theirs.get_attribute("aria-pressed") == "false"
    assert mine.get_attribute("aria-pressed") == "true"
    theirs.click()  # Bruno adds his: both pages count two
    amina.locator(f"#m-{root.id} .chat-reaction[data-emoji='👍'] .chat-reaction-count",
                  has_text="2").wait_for()
    # Bruno's own ack and the room's event may reach his page after Amina's: wait for them.
    bruno.locator(f"#m-{root.id} .chat-reaction[data-emoji='👍'][aria-pressed='true']").wait_for()

    # Amina opens the thread (from the menu's action) and replies with Enter.
    _action(amina, "thread", root.id)
    panel = amina.locator("#thread-panel")
    panel.wait_for()
    amina.locator("#thread-log .is-thread-root", has_text="Who is going").wait_for()
    box = amina.get_by_role("textbox", name="Reply")
    assert box.evaluate("el => el === document.activeElement")
    box.fill("I am, in May")
    box.press("Enter")
    amina.locator("#thread-log", has_text="I am, in May").wait_for()
    # Bruno's main log: the root's summary counts it, "1 new"; the reply itself is not there.
    summary = bruno.locator(f"#m-{root.id} .chat-thread-summary")
    summary.get_by_role("button", name="Replies: 1").wait_for()
    assert summary.locator(".chat-thread-new").inner_text() == "1 new"
    assert not bruno.locator("#message-log .chat-message", has_text="I am, in May").is_visible()
    summary.get_by_role("button", name="Replies: 1").click()
    bruno.locator("#thread-log", has_text="I am, in May").wait_for()
    assert summary.locator(".chat-thread-new").is_hidden()  # seen now

    # A reply arrives live in the other's open panel, and the count follows.
    box.fill("Anyone else?")
    box.press("Enter")
    bruno.locator("#thread-log", has_text="Anyone else?").wait_for()
    amina.locator(f"#m-{root.id} .chat-thread-summary").get_by_role(
        "button", name="Replies: 2").wait_for()

    # "Also send to channel": the reply shows in the main log too, on both pages.
    bruno.get_by_label("Also send to channel").check()
    bruno.get_by_role("textbox", name="Reply").fill("Me too, see you there")
    bruno.get_by_role("textbox", name="Reply").press("Enter")
    amina.locator("#thread-log", has_text="Me too").wait_for()
    amina.locator("#message-log .chat-message", has_text="Me too").wait_for(state="visible")
    bruno.locator("#message-log .chat-message", has_text="Me too").wait_for(state="visible")
    assert bruno.get_by_role("textbox", name="Reply").input_value() == ""

    # axe: no violations with the thread panel open (light and dark).
    violations = run_axe(bruno)
    bruno.emulate_media(color_scheme="dark")
    violations += run_axe(bruno, ["color-contrast"])
    assert not violations, violations


def test_chat_exchange_becomes_a_forum_thread_after_the_audience_warning(live_server, world,
                                                                        new_page):
    first = chat.send_message(world.amina, world.channel.id, "Visa tip: apply early", "c1")
    second = chat.send_message(world.bruno, world.channel.id, "And keep copies", "c2")
    db.session.add(Category(slug="general", name="General"))
    db.session.commit()
    url = f"{live_server.url}/chat/{world.channel.id}"
    page = _open(new_page, live_server, "amina@example.org", url)
    _action(page, "to-thread", first.id)
    page.wait_for_url(f"**/chat/{world.channel.id}/to-thread?from={first.id}&to={first.id}")
    assert page.locator(f"#pick-{first.id}").is_checked()
    page.locator(f"#pick-{second.id}").check()  # a neighbouring message joins the quote
    page.get_by_label("Category").select_option(label="General")
    page.get_by_role("button", name="Create thread").click()
    warning = page.locator("#to-thread-audience [role=alert]")
    assert "Everyone on Commons" in warning.inner_text()
    assert not run_axe(page)
    page.get_by_label("I understand who will be able to read it").check()
    page.get_by_role("button", name="Create and widen the audience").click()
    page.wait_for_url("**/t/*")
    body = page.locator("main").inner_text()
    assert "Visa tip: apply early" in body and "And keep copies" in body
    link = page.locator(f"a[href$='/chat/{world.channel.id}#m-{second.id}']")
    assert link.count() == 1
