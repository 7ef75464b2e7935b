"""Real browser, real server: times follow the browser's zone until the member picks one,
relative times stay current, and the keyboard shortcuts of static/js/shortcuts.js work.

Chromium runs in Asia/Bangkok (UTC+7, no daylight saving: the expected text is stable).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from forum.extensions import db
from forum.models import Category, Post, User
from forum.services import discussions
from tests.live import browser_login

pytestmark = [pytest.mark.live, pytest.mark.browser]

BANGKOK = "Asia/Bangkok"


@pytest.fixture
def space(make):
    """Amina (no zone chosen), Kofi (chose Nairobi), a thread with two replies."""
    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort], language="en")
    kofi = make.user("kofi", display_name="Kofi Mensah", cohorts=[cohort], language="en",
                     timezone="Africa/Nairobi")
    lounge = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(lounge)
    db.session.commit()
    thread = discussions.create_thread(kofi, lounge.id, "Housing in Geneva", "Any tips?")
    first = discussions.reply(kofi, thread.id, "Try the housing office.")
    second = discussions.reply(kofi, thread.id, "And the Facebook groups.")
    return amina, kofi, thread, [thread.first_post_id, first.id, second.id]


def _clock(post_id: int, zone: str) -> str:
    """The post's time as the server writes it in `zone`: "3 Dec 2026, 15:06"."""
    created = db.session.get(Post, post_id).created_at.astimezone(ZoneInfo(zone))
    return f"{created.day} {created:%b %Y, %H:%M}"


def _post_time(page, post_id: int) -> str:
    return page.locator(f"#post-{post_id} .post-time time").inner_text()


def test_times_follow_the_browser_until_the_member_chooses(live_server, make, new_page, space):
    amina, _kofi, thread, posts = space
    page = new_page(timezone_id=BANGKOK)
    # The first page after login reports the browser's zone, once.
    with page.expect_response(lambda r: r.url.endswith("/settings/timezone/browser")) as sent:
        browser_login(page, live_server.url, amina.email, make.PASSWORD)
    assert sent.value.json() == {"timezone": BANGKOK, "changed": True}
    db.session.expire_all()
    assert db.session.get(User, amina.id).timezone == BANGKOK
    # From then on the server renders Bangkok times (here without any script running).
    html = page.request.get(f"{live_server.url}/t/{thread.id}").text()
    assert f'data-timezone="{BANGKOK}" data-timezone-auto' in html
    assert _clock(posts[1], BANGKOK) in html
    page.goto(f"{live_server.url}/t/{thread.id}")
    assert _post_time(page, posts[1]) == _clock(posts[1], BANGKOK)

    # An explicit choice in the profile wins over the browser.
    page.goto(f"{live_server.url}/settings/profile")
    page.fill("#timezone", "Geneva")
    page.locator("#main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/u/amina$"))
    reports = []
    page.on("request", lambda r: reports.append(r.url) if "timezone/browser" in r.url else None)
    page.goto(f"{live_server.url}/t/{thread.id}", wait_until="networkidle")
    assert page.locator("html").get_attribute("data-timezone") == "Europe/Zurich"
    assert _post_time(page, posts[1]) == _clock(posts[1], "Europe/Zurich")
    assert reports == []
    db.session.expire_all()
    assert (db.session.get(User, amina.id).timezone,
            db.session.get(User, amina.id).timezone_chosen) == ("Europe/Zurich", True)


def test_a_chosen_zone_is_kept_in_another_browser_zone(live_server, make, new_page, space):
    _amina, kofi, thread, posts = space
    page = new_page(timezone_id=BANGKOK)
    browser_login(page, live_server.url, kofi.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}", wait_until="networkidle")
    assert _post_time(page, posts[0]) == _clock(posts[0], "Africa/Nairobi")
    db.session.expire_all()
    assert db.session.get(User, kofi.id).timezone == "Africa/Nairobi"


def test_visitors_see_times_in_their_browser_zone(live_server, new_page):
    page = new_page(timezone_id=BANGKOK)
    page.goto(f"{live_server.url}/login")
    # No zone on <html>: the page's scripts format times in the browser's own.
    assert page.locator("html").get_attribute("data-timezone") in (None, BANGKOK)
    text = page.evaluate("""async () => {
        const { formatDateTime } = await import('/static/js/i18n.js');
        return formatDateTime(new Date('2026-12-03T08:06:00Z'));
    }""")
    assert text == "3 Dec 2026, 15:06"


def test_relative_times_update_live(live_server, make, new_page, space):
    amina, _kofi, _thread, _posts = space
    page = new_page(timezone_id=BANGKOK)
    page.clock.install(time=datetime.now().astimezone())
    browser_login(page, live_server.url, amina.email, make.PASSWORD)
    page.goto(f"{live_server.url}/")
    activity = page.locator(".topic-activity time[data-format=ago]").first
    assert activity.inner_text() in ("now", "1 min ago")
    assert re.fullmatch(r"\d{1,2} \w{3} 2\d{3}, \d\d:\d\d", activity.get_attribute("title"))
    # One timer refreshes every relative time at each turn of the minute.
    page.clock.run_for("05:00")
    assert re.fullmatch(r"[45] min ago", activity.inner_text())
    # Times inserted later (a live reply) are formatted and kept current too.
    page.evaluate("""() => {
        const time = document.createElement('time');
        time.id = 'later'; time.dataset.format = 'ago';
        time.setAttribute('datetime', new Date(Date.now() - 10 * 60000).toISOString());
        document.querySelector('main').append(time);
    }""")
    later = page.locator("#later")
    page.wait_for_function("() => document.getElementById('later').textContent === '10 min ago'")
    page.clock.run_for("02:00")
    assert later.inner_text() in ("11 min ago", "12 min ago")


def _focused_post(page) -> str | None:
    return page.evaluate("document.activeElement?.dataset?.postId ?? null")


def test_keyboard_shortcuts(live_server, make, new_page, space):
    amina, _kofi, thread, posts = space
    page = new_page(timezone_id=BANGKOK)
    browser_login(page, live_server.url, amina.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.wait_for_selector('#thread[data-live="on"]')

    # j / k move between posts, focusing each (scrolled into view).
    page.keyboard.press("j")
    assert _focused_post(page) == str(posts[0])
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert _focused_post(page) == str(posts[2])
    assert page.locator(f"#post-{posts[2]}").get_attribute("tabindex") == "-1"
    page.keyboard.press("k")
    assert _focused_post(page) == str(posts[1])
    assert page.locator(f"#post-{posts[1]}").is_visible()

    # l likes the selected post.
    like = page.locator(f"#post-{posts[1]} button[data-kind=like]")
    assert like.get_attribute("aria-pressed") == "false"
    page.keyboard.press("l")
    page.wait_for_selector(f'#post-{posts[1]} button[data-kind=like][aria-pressed="true"]')

    # r replies to the selected post: the composer has focus and the post as its target.
    # (The like may have reloaded the page: select the post again.)
    page.wait_for_selector('#thread[data-live="on"]')
    page.evaluate(f"document.querySelector('#post-{posts[1]}').tabIndex = -1")
    page.locator(f"#post-{posts[1]}").focus()
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "body"
    assert page.locator("#reply-form input[name=parent_id]").input_value() == str(posts[1])
    # While typing, letters are letters: no shortcut fires.
    page.keyboard.type("jk?/l g")
    assert page.locator("#body").input_value() == "jk?/l g"
    assert page.evaluate("document.activeElement.id") == "body"
    assert page.locator("dialog[open]").count() == 0
    assert urlsplit(page.url).path == f"/t/{thread.id}"
    page.locator("#body").fill("")

    # / focuses the search field; ? opens the modal list, Escape closes it.
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.type") == "search"
    page.locator("h1").click()
    page.keyboard.press("Shift+Slash")
    dialog = page.locator("dialog#shortcuts-dialog")
    assert dialog.is_visible()
    assert page.evaluate("document.querySelector('#shortcuts-dialog').matches(':modal')")
    assert "Next post" in dialog.inner_text() and dialog.locator("kbd").count() >= 10
    page.keyboard.press("j")  # the list is modal: nothing behind it moves
    assert _focused_post(page) is None
    page.keyboard.press("Escape")
    # the dialog's close event is a queued task: wait for it rather than read at once
    page.locator("dialog#shortcuts-dialog").wait_for(state="detached", timeout=5000)

    # Ctrl/Alt with a letter stays the browser's.
    page.keyboard.press("Control+j")
    assert _focused_post(page) is None

    # g h home, g u unread.
    page.keyboard.press("g")
    page.keyboard.press("u")
    page.wait_for_url(re.compile(r"/\?tab=unread$"))
    page.keyboard.press("g")
    page.keyboard.press("h")
    page.wait_for_url(re.compile(r":\d+/$"))


def test_skip_link_to_the_reply_composer(live_server, make, new_page, space):
    amina, _kofi, thread, _posts = space
    page = new_page()
    browser_login(page, live_server.url, amina.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.locator("a[data-skip-to-composer]")
    assert page.evaluate("document.activeElement.dataset.skipToComposer") == "" \
        and skip.inner_text() == "Skip to reply" and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "body"
    # Other pages have no composer and no such link.
    page.goto(f"{live_server.url}/")
    assert page.locator("a[data-skip-to-composer]").count() == 0
