"""Real browser on a real server: a thread page that feels immediate.

Reactions, watch/mute, bookmark, accept and flag change the page without reloading it and keep
keyboard focus on the button pressed; a second reader sees reactions, answers and replies live;
replies are posted in place; a reply that fails offline keeps its text, which a reload restores.
"""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from forum.extensions import db
from forum.models import Bookmark, Category, Flag, ThreadWatch
from forum.services import discussions as svc
from tests.live import browser_login

pytestmark = pytest.mark.live

STILL_HERE = "window.__stillHere === true"  # set once; a reload would forget it
FOCUSED_POST = "document.activeElement.closest('article')?.dataset.postId"


@pytest.fixture
def qa_thread(make):
    """A cohort Q&A thread by a member, answered by a mentor."""
    cohort = make.cohort("alpha", name="Cohort Alpha")
    member = make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    mentor = make.user("mona", display_name="Mona Mentor", cohorts=[cohort],
                       cohort_role="mentor")
    category = Category(slug="alpha-qa", name="Alpha questions", mode="qa", cohort_id=cohort.id)
    db.session.add(category)
    db.session.commit()
    with current_app.test_request_context("/"):
        thread = svc.create_thread(member, category.id, "Competency interviews?", "Any tips?")
        answer = svc.reply(mentor, thread.id, "Use the STAR method.")
    return member, mentor, thread.id, answer.id


def _open(new_page, make, base: str, user, thread_id: int):
    page = new_page()
    browser_login(page, base, user.email, make.PASSWORD)
    page.goto(f"{base}/t/{thread_id}")
    page.wait_for_selector('#thread[data-live="on"]')
    page.evaluate("window.__stillHere = true")
    return page


def _focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector)


def test_actions_change_the_page_in_place_and_live_for_others(live_server, make, new_page,
                                                               qa_thread):
    member, mentor, thread_id, answer_id = qa_thread
    asker = _open(new_page, make, live_server.url, member, thread_id)
    other = _open(new_page, make, live_server.url, mentor, thread_id)
    post = f"article#post-{answer_id}"

    # Like, by keyboard: pressed, counted, focus kept; the other reader sees it and who it was.
    like = f"{post} button[data-kind=like]"
    asker.focus(like)
    asker.keyboard.press("Enter")
    asker.wait_for_selector(f'{like}[aria-pressed="true"]')
    assert asker.inner_text(f"{like} [data-count-for=like]") == "1"
    assert _focused(asker, like)
    other.wait_for_function(
        "(s) => document.querySelector(s).textContent.trim() === '1'",
        arg=f"{like} [data-count-for=like]")
    assert "Amina Diallo" in other.get_attribute(like, "title")

    # An emoji from the picker: its chip appears here and for the other reader.
    asker.click(f"{post} .reaction-picker summary")
    heart = f"{post} button[data-choice=heart]"
    asker.click(heart)
    asker.wait_for_selector(f'{heart}[aria-pressed="true"]')
    assert _focused(asker, heart)
    assert asker.is_visible(f"{post} button[data-kind=heart]")
    other.wait_for_selector(f"{post} button[data-kind=heart]:not([hidden])")
    assert other.get_attribute(f"{post} button[data-kind=heart]", "aria-pressed") == "false"

    # Mute the thread: the button stays, pressed, focused; a toast says so.
    mute = "#thread .watch-form button[data-level=mute]"
    asker.click(mute)
    asker.wait_for_selector(f'{mute}[aria-pressed="true"]')
    assert _focused(asker, mute)
    asker.wait_for_selector(".toast", state="attached")
    assert "muted" in asker.inner_text("#toasts").lower()

    # Bookmark the answer.
    bookmark = f"{post} button[data-action=bookmark]"
    asker.click(bookmark)
    asker.wait_for_selector(f'{bookmark}[aria-pressed="true"]')
    assert _focused(asker, bookmark)

    # Accept it: the summary appears once under the question; the other reader sees it too.
    accept = f"{post} .accept-action button"
    asker.click(accept)
    asker.wait_for_selector("#accepted-slot .accepted-answer")
    assert _focused(asker, accept)
    assert asker.inner_text(accept) == "Unaccept answer"
    summary = asker.locator("#accepted-slot .accepted-answer")
    assert "STAR" in summary.inner_text()
    assert summary.locator("button, article").count() == 0  # buttons only on the post itself
    assert summary.locator("a[data-jump-to]").get_attribute("href") == f"#post-{answer_id}"
    assert asker.locator(f"article[data-post-id='{answer_id}']").count() == 1
    other.wait_for_selector("#accepted-slot .accepted-answer")
    assert other.locator(f"{post} .badge-answered").count() == 1

    # Report it: an in-page dialog, then focus back on the Report link.
    other_page_reporter = asker
    report = f"{post} a[data-flag]"
    other_page_reporter.click(report)
    dialog = other_page_reporter.locator("dialog.flag-dialog")
    dialog.locator("input[type=radio]").first.check()
    dialog.get_by_role("button", name="Send to the moderators").click()
    dialog.wait_for(state="detached")
    assert _focused(other_page_reporter, report)

    assert asker.evaluate(STILL_HERE) and other.evaluate(STILL_HERE)  # nothing reloaded
    with current_app.app_context():
        db.session.expire_all()
        assert db.session.scalar(select(ThreadWatch.level).where(
            ThreadWatch.user_id == member.id, ThreadWatch.thread_id == thread_id)) == "mute"
        assert db.session.scalar(select(Bookmark.post_id).where(
            Bookmark.user_id == member.id)) == answer_id
        assert db.session.scalar(select(Flag.target_id).where(
            Flag.user_id == member.id)) == answer_id


def test_replies_post_in_place_and_drafts_survive_failures(live_server, make, new_page,
                                                           qa_thread):
    member, mentor, thread_id, answer_id = qa_thread
    writer = _open(new_page, make, live_server.url, mentor, thread_id)
    reader = _open(new_page, make, live_server.url, member, thread_id)
    box = writer.get_by_label("Your reply")

    # Ctrl+Enter posts; the reply appears in place with focus on it, and live for the reader.
    box.fill("Also rehearse aloud.")
    box.press("Control+Enter")
    mine = writer.locator("#post-list article", has_text="rehearse aloud")
    mine.wait_for()
    new_id = mine.get_attribute("data-post-id")
    writer.wait_for_function(f"() => {FOCUSED_POST} === '{new_id}'")
    assert box.input_value() == ""
    assert writer.evaluate(f"localStorage.getItem('commons:draft:thread:{thread_id}')") is None
    reader.locator(f"#post-{new_id}").wait_for()

    # A reply to a post, sent offline: the text stays, the page says why and what to do.
    writer.click(f"article#post-{answer_id} a[data-reply-to]")
    assert writer.is_visible("#replying-to")
    box.fill("A follow-up written on a train.")
    writer.context.set_offline(True)
    writer.get_by_role("button", name="Post reply").click()
    status = writer.locator("#reply-status")
    status.wait_for()
    assert "offline" in status.inner_text() and "kept" in status.inner_text()
    assert box.input_value() == "A follow-up written on a train."
    assert writer.evaluate(STILL_HERE)
    key = f"commons:draft:thread:{thread_id}:reply:{answer_id}"
    assert writer.evaluate(f"localStorage.getItem('{key}')") == "A follow-up written on a train."

    # Back online, a reload restores the draft and its target; posting it clears the draft.
    writer.context.set_offline(False)
    writer.reload()
    writer.wait_for_selector('#thread[data-live="on"]')
    assert box.input_value() == "A follow-up written on a train."
    assert writer.is_visible("#replying-to")
    writer.get_by_role("button", name="Post reply").click()
    follow_up = writer.locator("#post-list article", has_text="on a train")
    follow_up.wait_for()
    assert follow_up.get_attribute("data-parent-id") == str(answer_id)
    writer.wait_for_function(f"() => !localStorage.getItem('{key}')")
    reader.locator("#post-list article", has_text="on a train").wait_for()
    assert reader.evaluate(STILL_HERE)

    # An invalid reply (too long) keeps the text and says why.
    writer.evaluate("window.__stillHere = true")
    box.fill("x" * 70_000)
    writer.get_by_role("button", name="Post reply").click()
    writer.locator("#reply-status").wait_for()
    assert "characters" in writer.inner_text("#reply-status")
    assert len(box.input_value()) == 70_000 and writer.evaluate(STILL_HERE)
