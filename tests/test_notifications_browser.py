"""Real browser on a real server: the bell's badge updates live and is announced politely."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import Category
from tests.live import browser_login

pytestmark = pytest.mark.live


def _login(page, base: str, email: str, password: str) -> None:
    browser_login(page, base, email, password)


def test_bell_badge_updates_live_without_stealing_focus(live_server, make, new_page):
    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    mona = make.user("mona", display_name="Mona Mentor", cohorts=[cohort])
    db.session.add(Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id))
    db.session.commit()

    reader = new_page()
    _login(reader, live_server.url, mona.email, make.PASSWORD)
    badge = reader.locator("[data-notification-bell] [data-unread-count]")
    assert badge.is_hidden()
    reader.locator("details[data-nav-menu] summary").click()  # the menu holds the language
    reader.get_by_label("Language").focus()  # the reader is busy elsewhere on the page
    reader.evaluate("window.__sameDocument = true")

    writer = new_page()
    _login(writer, live_server.url, amina.email, make.PASSWORD)
    writer.goto(live_server.url + "/c/alpha-lounge/new")
    writer.get_by_label("Title").fill("Housing in Geneva")
    writer.get_by_label("Your message").fill("@mona where do mentors live?")
    writer.get_by_role("button", name="Post thread").click()
    writer.wait_for_url(re.compile(r".*/t/\d+"))

    reader.wait_for_function(
        "() => document.querySelector('[data-unread-count]').textContent === '1'")
    assert badge.is_visible()
    live = reader.locator("#notification-live")
    assert live.get_attribute("aria-live") == "polite"
    assert live.inner_text() == "Amina Diallo mentioned you in “Housing in Geneva”"
    assert reader.evaluate("window.__sameDocument") is True  # no reload
    assert reader.evaluate("document.activeElement.id") == "language-select"  # focus kept
    assert writer.locator("[data-notification-bell] [data-unread-count]").is_hidden()

    reader.locator("[data-notification-bell]").click()
    reader.wait_for_url(re.compile(r".*/notifications$"))
    reader.get_by_role("button", name="Open").click()
    reader.wait_for_url(re.compile(r".*/t/\d+.*"))
    assert reader.locator("[data-notification-bell] [data-unread-count]").is_hidden()


def test_following_a_notification_link_marks_it_read(live_server, make, new_page):
    from forum.services import discussions

    cohort = make.cohort("alpha", name="Cohort Alpha")
    amina = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    mona = make.user("mona", display_name="Mona Mentor", cohorts=[cohort])
    category = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(category)
    db.session.commit()
    from flask import current_app

    with current_app.test_request_context("/"):
        discussions.create_thread(amina, category.id, "Visa", "@mona any advice?")
    reader = new_page()
    _login(reader, live_server.url, mona.email, make.PASSWORD)
    reader.goto(live_server.url + "/notifications")
    reader.get_by_role("link", name="Amina Diallo mentioned you in “Visa”").click()
    reader.wait_for_url(re.compile(r".*/t/\d+.*"))
    reader.goto(live_server.url + "/notifications?filter=unread")
    assert reader.locator("[data-notification-id]").count() == 0
    assert reader.locator("[data-notification-bell] [data-unread-count]").is_hidden()
