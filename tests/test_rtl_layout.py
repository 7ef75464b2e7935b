"""Arabic renders right to left: direction, a mirrored header, mirrored nesting and glyphs.

The same pages in English are the control. A screenshot of each Arabic page is kept under
tests/artifacts/ (gitignored) for a human look; the test prints where.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.extensions import db
from forum.models import Category
from forum.services import chat, discussions
from tests.chat_helpers import channel as make_channel
from tests.live import browser_login
from tests.test_i18n_pages import compile_catalogues

pytestmark = [pytest.mark.live, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def space(make):
    """A thread with a nested reply and a chat channel with the member's own message."""
    compile_catalogues()
    cohort = make.cohort("alpha", name="دفعة ألفا")
    amina = make.user("amina", display_name="أمينة Diallo", cohorts=[cohort], language="ar")
    bruno = make.user("bruno", display_name="Bruno Costa", cohorts=[cohort], language="en")
    category = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(category)
    db.session.commit()
    thread = discussions.create_thread(bruno, category.id, "Housing in Geneva",
                                       "Where do JPOs usually live?")
    parent = discussions.reply(amina, thread.id, "في كاروج عادةً — quiet and close to the tram.")
    discussions.reply(bruno, thread.id, "Thanks!", parent_id=parent.id)
    room = make_channel("general", cohort)
    chat.send_message(amina, room.id, "مرحبا everyone", "rtl-1")
    return amina, bruno, thread, room


def _login(page, base: str, email: str, password: str) -> None:
    browser_login(page, base, email, password)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box, selector
    return box


def _geometry(page) -> dict:
    brand, links = _box(page, ".site-header .brand"), _box(page, ".site-bar .nav-links")
    first = _box(page, "#post-list article.depth-0")
    nested = _box(page, "#post-list article.depth-1")
    return {
        "direction": page.evaluate("getComputedStyle(document.body).direction"),
        "brand_right_of_links": brand["x"] > links["x"],
        # A nested reply is indented from the start side: the right in Arabic.
        "nested_indented_on_right": nested["x"] + nested["width"] < first["x"] + first["width"] - 5,
        "nested_indented_on_left": nested["x"] > first["x"] + 5,
        "crumb_mirrored": page.evaluate(
            "getComputedStyle(document.querySelector('.crumb-sep')).transform") != "none",
    }


def test_arabic_is_mirrored_and_english_is_not(live_server, make, new_page, space):
    amina, bruno, thread, room = space
    ARTIFACTS.mkdir(exist_ok=True)

    page = new_page(viewport={"width": 1200, "height": 900})
    _login(page, live_server.url, amina.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    arabic = _geometry(page)
    assert arabic == {"direction": "rtl", "brand_right_of_links": True,
                      "nested_indented_on_right": True, "nested_indented_on_left": False,
                      "crumb_mirrored": True}, arabic
    # User text picks its own direction inside the mirrored page.
    assert page.locator(".post-author", has_text="Bruno Costa").first.evaluate(
        "el => getComputedStyle(el).direction") == "ltr"
    thread_shot = ARTIFACTS / "rtl-thread-ar.png"
    page.screenshot(path=str(thread_shot), full_page=True)

    page.goto(f"{live_server.url}/chat/{room.id}")
    mine = page.locator("#message-log .chat-message.is-mine").first
    mine.wait_for()
    # The avatar's gutter sits on the start side: the right in Arabic.
    box, gutter = mine.bounding_box(), mine.locator(".chat-gutter").bounding_box()
    assert gutter["x"] > box["x"] + box["width"] / 2, (box, gutter)
    chat_shot = ARTIFACTS / "rtl-chat-ar.png"
    page.screenshot(path=str(chat_shot), full_page=True)
    print(f"\nArabic screenshots: {thread_shot} {chat_shot}")

    control = new_page(viewport={"width": 1200, "height": 900})
    _login(control, live_server.url, bruno.email, make.PASSWORD)
    control.goto(f"{live_server.url}/t/{thread.id}")
    assert _geometry(control) == {"direction": "ltr", "brand_right_of_links": False,
                                  "nested_indented_on_right": False,
                                  "nested_indented_on_left": True, "crumb_mirrored": False}
    assert thread_shot.stat().st_size > 10_000 and chat_shot.stat().st_size > 5_000
