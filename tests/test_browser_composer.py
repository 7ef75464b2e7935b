"""The composer in a real browser: toolbar by click and keyboard (undo kept), the server's
preview, @mention suggestions only among the thread's readers, emoji, quote-reply, and the
new-thread composer's draft."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import Category
from forum.services import discussions as svc
from tests.live import browser_login

pytestmark = pytest.mark.live

MOD = "Control"


@pytest.fixture
def space(make):
    """Cohort Alpha (Amina, Bilal) and its lounge with a thread; Carla is in Cohort Bravo."""
    alpha = make.cohort("alpha", name="Cohort Alpha")
    bravo = make.cohort("bravo", name="Cohort Bravo")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[alpha])
    bilal = make.user("bilal", display_name="Bilal Haddad", cohorts=[alpha])
    make.user("carla", display_name="Carla Bravo", cohorts=[bravo])
    make.user("bianca", display_name="Bianca Outsider", cohorts=[bravo])
    lounge = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=alpha.id)
    db.session.add(lounge)
    db.session.commit()
    thread = svc.create_thread(amina, lounge.id, "Relocation tips", "Where do I start?")
    svc.reply(bilal, thread.id, "Book the medical clearance first. Then the visa.")
    return amina, thread, lounge


def _open_thread(new_page, live_server, make, amina, thread):
    page = new_page()
    browser_login(page, live_server.url, amina.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.wait_for_selector(".composer[data-ready]")
    return page, page.get_by_label("Your reply")


def test_toolbar_by_click_and_keyboard(live_server, make, new_page, space):
    amina, thread, _lounge = space
    page, box = _open_thread(new_page, live_server, make, amina, thread)
    box.fill("hello")
    box.press(f"{MOD}+a")
    page.get_by_role("button", name="Bold (Ctrl+B)").click()
    assert box.input_value() == "**hello**"
    box.press(f"{MOD}+z")  # the browser's own undo still works
    assert box.input_value() == "hello"
    box.press(f"{MOD}+a")
    box.press(f"{MOD}+i")
    assert box.input_value() == "_hello_"
    box.press("End")
    box.type(" ")
    box.press(f"{MOD}+k")
    box.type("example.org")
    assert box.input_value() == "_hello_ [](https://example.org)"
    box.fill("one\ntwo")
    box.press(f"{MOD}+a")
    page.get_by_role("button", name="Numbered list").click()
    assert box.input_value() == "1. one\n2. two"
    box.press(f"{MOD}+a")
    page.get_by_role("button", name="Quote").first.click()
    assert box.input_value() == "> 1. one\n> 2. two"
    # The toolbar is one tab stop; arrows move between its buttons.
    page.get_by_role("button", name="Bold (Ctrl+B)").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Italic (Ctrl+I)"


def test_preview_tab_shows_the_server_html(live_server, make, new_page, space):
    amina, thread, _lounge = space
    page, box = _open_thread(new_page, live_server, make, amina, thread)
    box.fill("**bold** <img src=x onerror=window.__pwned=1> :tada: @bilal")
    write, preview = page.get_by_role("tab", name="Write"), page.get_by_role("tab", name="Preview")
    preview.click()
    panel = page.get_by_role("tabpanel", name="Preview")
    panel.locator("strong", has_text="bold").wait_for()
    assert preview.get_attribute("aria-selected") == "true"
    assert "🎉" in panel.inner_text()
    assert panel.locator("a.mention[href='/u/bilal']").count() == 1
    assert panel.locator("img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert box.is_hidden()
    # Arrow keys move between the tabs (ARIA tabs pattern); the text is still there.
    preview.focus()
    page.keyboard.press("ArrowLeft")
    assert write.get_attribute("aria-selected") == "true"
    assert box.is_visible() and box.input_value().startswith("**bold**")


def test_mentions_by_keyboard_offer_only_readers(live_server, make, new_page, space):
    amina, thread, _lounge = space
    page, box = _open_thread(new_page, live_server, make, amina, thread)
    box.fill("")
    box.type("Thanks @bi")
    listbox = page.get_by_role("listbox", name="People who can read this")
    listbox.get_by_role("option", name=re.compile("@bilal")).wait_for()
    # Bianca matches "bi" but is in another cohort: never offered.
    assert listbox.get_by_role("option").count() == 1
    assert "bianca" not in listbox.inner_text().lower()
    assert box.get_attribute("aria-activedescendant")
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "Thanks @bilal "
    assert listbox.is_hidden()
    box.type("and @car")
    page.wait_for_timeout(500)  # the lookup answered with nobody: no list opens
    assert listbox.is_hidden()
    # Escape closes a list without changing the text.
    box.fill("")
    box.type("@bil")
    listbox.wait_for()
    box.press("Escape")
    assert listbox.is_hidden() and box.input_value() == "@bil"


def test_emoji_suggestion(live_server, make, new_page, space):
    amina, thread, _lounge = space
    page, box = _open_thread(new_page, live_server, make, amina, thread)
    box.fill("")
    box.type("Done :tad")
    option = page.get_by_role("option", name=re.compile(":tada:"))
    option.wait_for()
    option.click()  # by mouse
    assert box.input_value() == "Done 🎉 "
    box.type(":thumbsu")
    page.get_by_role("option", name=re.compile(":thumbsup:")).wait_for()
    box.press("Tab")
    assert box.input_value() == "Done 🎉 👍 "


def test_quote_reply_inserts_the_selected_passage(live_server, make, new_page, space):
    amina, thread, _lounge = space
    page, box = _open_thread(new_page, live_server, make, amina, thread)
    box.fill("My answer.")
    page.evaluate("""() => {
      const body = [...document.querySelectorAll('#post-list .post-body')]
        .find((b) => b.textContent.includes('medical clearance'));
      const text = body.querySelector('p').firstChild;
      const start = text.textContent.indexOf('medical');
      const range = document.createRange();
      range.setStart(text, start);
      range.setEnd(text, start + 'medical clearance'.length);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }""")
    quote = page.get_by_role("button", name="Quote in reply")
    quote.wait_for()
    quote.click()
    value = box.input_value()
    assert value.startswith("My answer.\n\n> medical clearance\n\n[Bilal Haddad](/p/")
    assert value.rstrip().endswith("wrote:")
    assert page.evaluate("document.activeElement.name") == "body"
    assert quote.is_hidden()


def test_new_thread_composer_offers_the_space_and_keeps_its_draft(live_server, make, new_page,
                                                                   space):
    amina, _thread, lounge = space
    page = new_page()
    browser_login(page, live_server.url, amina.email, make.PASSWORD)
    page.goto(f"{live_server.url}/c/{lounge.slug}/new")
    page.wait_for_selector(".composer[data-ready]")
    box = page.get_by_label("Your message")
    box.type("Hello @bi")
    people = page.get_by_role("listbox", name="People who can read this")
    people.get_by_role("option", name=re.compile("@bilal")).wait_for()
    assert people.get_by_role("option").count() == 1
    box.press("Enter")
    page.reload()  # the draft survives a reload...
    page.wait_for_selector(".composer[data-ready]")
    assert box.input_value() == "Hello @bilal "
    page.get_by_label("Title").fill("Welcome drinks")
    page.get_by_role("button", name="Post thread").click()
    page.wait_for_url(re.compile(r".*/t/\d+"))
    page.wait_for_load_state("load")
    page.wait_for_selector(".composer[data-ready]")
    key = f"commons:draft:new-thread:{lounge.id}"
    assert page.evaluate("(key) => localStorage.getItem(key)", key) is None  # ...not more
