"""Real browser: an open thread page whose reader loses access says so, and receives no more."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Category, CohortMembership
from forum.services import discussions
from tests.live import browser_login, login_session

pytestmark = pytest.mark.live


def _token(session, url: str) -> str:
    text = session.get(url).text
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or \
        re.search(r'name="csrf-token" content="([^"]+)"', text)
    return found.group(1)


def test_removed_reader_sees_the_notice_and_no_further_replies(live_server, make, new_page):
    cohort = make.cohort("alpha", name="Cohort Alpha")
    reader = make.user("amina", cohorts=[cohort])
    author = make.user("bilal", cohorts=[cohort])
    make.user("root", role="admin")
    lounge = Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=cohort.id)
    db.session.add(lounge)
    db.session.commit()
    thread = discussions.create_thread(author, lounge.id, "Alpha plans", "Opening")
    membership = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == reader.id))

    page = new_page()
    browser_login(page, live_server.url, reader.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.wait_for_selector('#thread[data-live="on"]')

    admin = login_session(live_server, "root@example.org", make.PASSWORD)
    detail = f"{live_server.url}/admin/cohorts/{cohort.id}"
    admin.post(f"{detail}/members/{membership}/remove", data={"csrf_token": _token(admin, detail)})

    notice = page.locator("#access-lost")
    notice.wait_for(timeout=2_000)
    assert notice.text_content() == "You no longer have access to this thread."
    assert notice.get_attribute("role") == "status"  # announced politely
    assert page.locator("#thread").get_attribute("data-live") == "lost"
    assert page.locator("#reply").is_hidden()

    writer = login_session(live_server, author.email, make.PASSWORD)
    url = f"{live_server.url}/t/{thread.id}"
    writer.post(url + "/reply", data={"csrf_token": _token(writer, url), "body": "Secret reply"})
    page.wait_for_timeout(500)
    assert page.locator("#post-list article", has_text="Secret reply").count() == 0
