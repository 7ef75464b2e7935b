"""Real browser, real server: the home page and a header that fits, in English and Arabic.

At 1280 px the header is one row (nothing wraps); on a phone (390 px) it is a bar of at most
56 px with a menu button that opens the navigation. The tab title and the header show unread
chat, updated live over the page's shared socket. Screenshots go to /tmp for a human look.
"""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import Category
from forum.services import chat, discussions
from tests.chat_helpers import channel as make_channel
from tests.live import browser_login

pytestmark = [pytest.mark.live, pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def space(make):
    """A cohort with a member who reads in English and one in Arabic, threads and a busy room."""
    from tests.test_i18n_pages import compile_catalogues

    compile_catalogues()
    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort], language="en",
                      role="admin")  # staff links too: the longest header there is
    layla = make.user("layla", display_name="ليلى حداد", cohorts=[cohort], language="ar")
    bruno = make.user("bruno", display_name="Bruno Costa", cohorts=[cohort])
    general = Category(slug="general", name="General")
    lounge = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add_all([general, lounge])
    db.session.commit()
    for title, category in (("Housing in Geneva", lounge), ("First week tips", general),
                            ("مرحبا بالجميع", lounge)):
        thread = discussions.create_thread(bruno, category.id, title, "Opening post")
        discussions.reply(bruno, thread.id, "A reply")
    room = make_channel("general", cohort)
    for n in range(3):
        chat.send_message(bruno, room.id, f"hello {n}", f"home-{n}")
    return amina, layla, bruno, room


def _header(page) -> dict:
    """The header's height and whether any of its visible items sits below the first row."""
    return page.evaluate("""() => {
        const bar = document.querySelector('.site-bar');
        const box = bar.getBoundingClientRect();
        const items = [...bar.querySelectorAll('.brand, .nav-links > li, .nav-search, .nav-bell,'
                                               + ' .nav-menu > summary, .nav-account > *')]
            .filter((el) => el.checkVisibility())
            .map((el) => el.getBoundingClientRect());
        const firstRow = Math.min(...items.map((r) => r.top));
        return {
            height: document.querySelector('.site-header').getBoundingClientRect().height,
            wrapped: items.some((r) => r.top >= firstRow + r.height * 0.8),
            overflowing: bar.scrollWidth > bar.clientWidth + 1,
            items: items.length,
            boxes: items.map((r) => [Math.round(r.top), Math.round(r.height)]),
        };
    }""")


@pytest.mark.parametrize("lang", ["en", "ar", "ru"])
def test_header_fits_desktop_and_phone(live_server, make, new_page, space, lang):
    amina, layla, _bruno, _room = space
    person = layla if lang == "ar" else amina  # an admin: every staff link is there
    person.language = lang
    db.session.commit()

    desktop = new_page(viewport=DESKTOP)
    browser_login(desktop, live_server.url, person.email, make.PASSWORD)
    desktop.goto(live_server.url + "/")
    assert desktop.locator("html").get_attribute("lang") == lang
    header = _header(desktop)
    assert header["items"] >= 8 and not header["wrapped"] and not header["overflowing"], header
    assert header["height"] <= 64, header
    desktop.screenshot(path=f"/tmp/home-desktop-{lang}.png", full_page=True)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    browser_login(phone, live_server.url, person.email, make.PASSWORD)
    phone.goto(live_server.url + "/")
    phone.screenshot(path=f"/tmp/home-phone-{lang}.png")
    header = _header(phone)
    assert header["height"] <= 56 and not header["wrapped"] and not header["overflowing"], header
    # The menu button opens the navigation: Unread is one tap away.
    menu = phone.locator("details[data-nav-menu]")
    menu.locator("summary").click()
    unread = menu.locator(".nav-links a[href='/?tab=unread']")
    assert unread.is_visible()
    phone.screenshot(path=f"/tmp/home-phone-menu-{lang}.png")
    phone.keyboard.press("Escape")
    assert not unread.is_visible()
    menu.locator("summary").click()
    unread.click()
    phone.wait_for_url(re.compile(r".*/\?tab=unread$"))
    assert phone.locator(".topic-row").count() == 3


def test_tab_title_shows_unread_chat_and_follows_it_live(live_server, make, new_page, space):
    amina, _layla, bruno, room = space
    reader = new_page(viewport=DESKTOP)
    browser_login(reader, live_server.url, amina.email, make.PASSWORD)
    reader.goto(live_server.url + "/")
    assert reader.title() == "(3) Home · Commons"
    assert reader.locator(".site-nav [data-unread-chat]").inner_text() == "3"
    assert reader.locator(".site-nav [data-unread-threads]").inner_text() == "3"
    reader.evaluate("window.__sameDocument = true")

    writer = new_page(viewport=DESKTOP)
    browser_login(writer, live_server.url, bruno.email, make.PASSWORD)
    writer.goto(f"{live_server.url}/chat/{room.id}")
    writer.wait_for_selector("#chat-form")
    writer.locator("#chat-form textarea").fill("@amina are you coming tonight?")
    writer.locator("#chat-form textarea").press("Enter")

    reader.wait_for_function("() => document.title === '(4) Home · Commons'")
    assert reader.locator(".site-nav [data-unread-chat]").inner_text() == "4"
    assert reader.evaluate("window.__sameDocument") is True  # no reload

    # Reading the channel clears the count on the next page.
    reader.goto(f"{live_server.url}/chat/{room.id}")
    reader.wait_for_function("() => !document.title.startsWith('(')", timeout=15_000)
    reader.goto(live_server.url + "/")
    assert reader.title() == "Home · Commons"
    assert reader.locator(".site-nav [data-unread-chat]").is_hidden()


def test_home_screenshots_dark(live_server, make, new_page, space):
    amina, layla, _bruno, _room = space
    for person, lang in ((amina, "en"), (layla, "ar")):
        page = new_page(viewport=DESKTOP, color_scheme="dark")
        browser_login(page, live_server.url, person.email, make.PASSWORD)
        page.goto(live_server.url + "/")
        page.screenshot(path=f"/tmp/home-desktop-dark-{lang}.png", full_page=True)
        assert page.locator(".topic-row").count() == 3


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_visitors_header_fits_a_phone_and_the_welcome_page_offers_joining(
        live_server, new_page, space, lang):
    phone = new_page(viewport=PHONE, is_mobile=True, locale=lang)
    phone.goto(live_server.url + "/")
    header = _header(phone)
    assert header["height"] <= 56 and not header["wrapped"] and not header["overflowing"], header
    assert phone.locator("#main a[href='/register']").is_visible()
    phone.screenshot(path=f"/tmp/welcome-phone-{lang}.png")
