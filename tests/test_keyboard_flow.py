"""Keyboard alone: log in, open a channel, send a message, reply to a thread — no clicks.

Every stop on the way must show a visible focus ring, and a live message arriving while the
member types must not move their focus.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Category, Message, Post
from forum.services import discussions
from tests.chat_helpers import channel as make_channel
from tests.live import login_session

pytestmark = [pytest.mark.live, pytest.mark.browser]

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, name: el.getAttribute('name'),
          text: (el.innerText || el.value || '').trim().slice(0, 60),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


def tab_to(page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element matches; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY":
            continue  # past the last control, Tab wraps round through the browser's own UI
        assert focused["outline"], f"no visible focus on {focused}"
        if matches(focused):
            return focused
    raise AssertionError("never reached the wanted control by Tab")


@pytest.fixture
def space(make):
    """A cohort with a channel, a category with a thread, and two members."""
    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    bruno = make.user("bruno", display_name="Bruno Costa", cohorts=[cohort])
    room = make_channel("general", cohort)
    category = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(category)
    db.session.commit()
    thread = discussions.create_thread(bruno, category.id, "Where to live in Geneva?",
                                       "Any neighbourhood tips?")
    return amina, bruno, room, thread


def test_keyboard_only_login_chat_and_reply(live_server, make, new_page, space):
    amina, bruno, room, thread = space
    page = new_page()
    page.goto(live_server.url + "/login")

    tab_to(page, lambda f: f["id"] == "email")
    page.keyboard.type(amina.email)
    tab_to(page, lambda f: f["id"] == "password")
    page.keyboard.type(make.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*:\d+/$"))  # the home page

    # The skip link is the first stop and leads to the main content.
    first = tab_to(page, lambda f: True)
    assert first["tag"] == "A" and "#main" in page.evaluate(
        "document.activeElement.getAttribute('href')")

    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Chat")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/chat$"))
    tab_to(page, lambda f: f["tag"] == "A" and "general" in f["text"].lower())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/chat/{room.id}$"))
    page.wait_for_function("() => window.document.querySelector('#chat') !== null")

    tab_to(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("Hello from the keyboard")
    page.keyboard.press("Enter")  # Enter sends; Shift+Enter would start a new line
    # Delivered (the server's message), not only shown as "Sending…" from the outbox.
    page.locator("#message-log .chat-message:not(.is-outbox)",
                 has_text="Hello from the keyboard").wait_for()
    assert db.session.scalar(select(Message.body_source).where(Message.author_id == amina.id)) \
        == "Hello from the keyboard"

    # A message from someone else arrives while Amina types: her focus stays in the box.
    page.keyboard.type("half a thought")
    other = login_session(live_server, bruno.email, make.PASSWORD)
    form = other.get(f"{live_server.url}/chat/{room.id}").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    other.post(f"{live_server.url}/chat/{room.id}",
               data={"csrf_token": token, "body": "Bruno here", "client_id": "kb-1"})
    page.locator("#message-log .chat-message", has_text="Bruno here").wait_for()
    assert page.evaluate(FOCUSED)["tag"] == "TEXTAREA"
    assert page.evaluate("document.activeElement.value") == "half a thought"

    # Reply to the thread: Discussions, the category, the thread, the reply box, the button.
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Discussions")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/c$"))
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Alpha lounge")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/c/alpha-lounge"))
    tab_to(page, lambda f: f["tag"] == "A" and f["text"].startswith("Where to live"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/t/{thread.id}"))
    # The in-place reply is the script's; a loaded machine may not have run it yet, and then
    # Enter is the plain form post (which works, but moves focus to the top of the new page).
    page.wait_for_selector('#thread[data-live="on"]')
    tab_to(page, lambda f: f["tag"] == "TEXTAREA" and f["name"] == "body")
    page.keyboard.type("Try Carouge: quiet, and close to the tram.")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Post reply")
    page.keyboard.press("Enter")
    # Posted in place (no page load): focus moves to the new reply.
    page.locator("#post-list article", has_text="Try Carouge").wait_for()
    page.wait_for_function("() => document.activeElement.matches('#post-list article')")
    bodies = db.session.scalars(select(Post.body_source).where(Post.author_id == amina.id)).all()
    assert bodies == ["Try Carouge: quiet, and close to the tram."]
