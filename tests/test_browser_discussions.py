"""Real browser on a real server: a Q&A answer arrives live and is accepted; XSS never runs."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import Category
from forum.services import discussions as svc
from tests.live import browser_login, login_session

pytestmark = pytest.mark.live


def _login(page, base: str, email: str, password: str) -> None:
    browser_login(page, base, email, password)


@pytest.fixture
def qa_space(make):
    """A cohort with a member and a mentor, and the cohort's Q&A category."""
    cohort = make.cohort("alpha", name="Cohort Alpha")
    member = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    mentor = make.user("mona", display_name="Mona Mentor", cohorts=[cohort],
                       cohort_role="mentor")
    category = Category(slug="alpha-qa", name="Alpha questions", mode="qa", cohort_id=cohort.id)
    db.session.add(category)
    db.session.commit()
    return member, mentor, category


def test_member_sees_mentor_answer_live_and_accepts_it(live_server, make, new_page, qa_space):
    member, mentor, _category = qa_space
    asker = new_page()
    _login(asker, live_server.url, member.email, make.PASSWORD)
    asker.goto(live_server.url + "/c/alpha-qa/new")
    asker.get_by_label("Title").fill("How do I prepare a competency interview?")
    asker.get_by_label("Your message").fill("Any **tips** welcome.")
    asker.get_by_role("button", name="Post thread").click()
    asker.wait_for_url(re.compile(r".*/t/\d+"))
    thread_url = asker.url.split("#")[0]
    asker.wait_for_selector('#thread[data-live="on"]')
    asker.evaluate("window.__sameDocument = true")

    answerer = new_page()
    _login(answerer, live_server.url, mentor.email, make.PASSWORD)
    answerer.goto(thread_url)
    answerer.get_by_label("Your reply").fill("Use the *STAR* method and rehearse aloud.")
    answerer.reload()  # the draft survives a reload...
    assert answerer.get_by_label("Your reply").input_value().startswith("Use the *STAR*")
    answerer.get_by_role("button", name="Post reply").click()
    answerer.locator("#post-list article", has_text="STAR").wait_for()  # posted in place
    draft_key = "commons:draft:thread:" + thread_url.rsplit("/", 1)[1]
    answerer.wait_for_function("(key) => localStorage.getItem(key) === null", arg=draft_key)
    assert answerer.get_by_label("Your reply").input_value() == ""  # ...not more

    answer = asker.locator("#post-list article", has_text="STAR")
    answer.wait_for()
    assert asker.evaluate("window.__sameDocument") is True  # arrived without a reload
    assert answer.locator(".badge-mentor").inner_text() == "Mentor"
    assert "New reply from Mona Mentor" in asker.locator("#live-status").inner_text()
    answer.get_by_role("button", name="Accept answer").click()
    asker.wait_for_selector(".accepted-answer")
    assert "STAR" in asker.locator(".accepted-answer").inner_text()


def test_xss_payloads_never_execute(live_server, make, new_page, qa_space):
    member, mentor, category = qa_space
    payload = "\n\n".join([
        "<script>alert('script')</script>",
        "<img src=x onerror=\"alert('img')\">",
        "<svg onload=\"alert('svg')\"></svg>",
        "[click me](javascript:alert('link'))",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    ])
    from flask import current_app

    with current_app.test_request_context("/"):
        thread = svc.create_thread(member, category.id, "Payloads", payload)
    dialogs: list[str] = []
    page = new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _login(page, live_server.url, member.email, make.PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.wait_for_selector('#thread[data-live="on"]')

    # The same payload arriving live through the socket is inserted as sanitized HTML too.
    session = login_session(live_server, mentor.email, make.PASSWORD)
    html = session.get(f"{live_server.url}/t/{thread.id}").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = session.post(f"{live_server.url}/t/{thread.id}/reply",
                            data={"csrf_token": token, "body": payload + "\n\nlive copy"})
    assert response.status_code == 200, response.status_code
    page.locator("#post-list article", has_text="live copy").wait_for()
    page.get_by_text("click me").first.click()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator(".post-body script, .post-body svg, .post-body img").count() == 0
