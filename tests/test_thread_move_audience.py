"""Issue 15 item 13: a move that widens who can read a thread says who, and needs confirming.

The move form preselects no destination; a wider audience is a second step (a page section
without JavaScript) on the web and a 409 `wider_audience` problem on the API unless
`confirm_wider_audience: true`. Nothing moves until it is confirmed.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict
from forum.extensions import db
from forum.models import AuditEntry, Category, Thread, User
from forum.services import discussions
from forum.services.moderation import content
from tests import discussions_helpers
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import Browser
from tests.live import browser_login

world = discussions_helpers.world  # the fixture


def _question(world) -> Thread:
    """An "ask a mentor" question: only Amina, the cohort's mentors and moderators read it."""
    return discussions.create_thread(world.amina, world.ask_a.id, "Am I paid enough?",
                                     "My salary is ...")


def _category_of(thread_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Thread, thread_id).category_id


def _moves() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "move"))


def test_move_form_starts_with_no_destination(app, world):
    thread = _question(world)
    page = Browser(app, world.moderator).get(f"/moderation/thread/{thread.id}/move").text
    select_html = re.search(r'<select[^>]*name="category_id".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select_html)
    assert options[0] == '<option selected value="">'
    assert not any("selected" in option for option in options[1:])
    assert "General (everyone on Commons)" in page
    empty = Browser(app, world.moderator).post(f"/moderation/thread/{thread.id}/move",
                                               data={"category_id": ""})
    assert empty.status_code == 422 and "Choose where the thread goes." in empty.text
    assert _category_of(thread.id) == world.ask_a.id


def test_widening_move_needs_confirmation_on_the_page(app, world):
    thread = _question(world)
    everyone = db.session.scalar(select(func.count(User.id)))
    mod = Browser(app, world.moderator)
    first = mod.post(f"/moderation/thread/{thread.id}/move",
                     data={"category_id": str(world.general.id), "reason": "General interest"})
    assert first.status_code == 409
    assert f"Everyone on Commons ({everyone} members) will be able to read this thread" \
        in first.text
    assert "Its author, the mentors and facilitators of the cohort" in first.text  # now
    assert 'name="confirm_wider_audience"' in first.text
    assert f'name="confirmed_for" type="hidden" value="{world.general.id}"' in first.text
    assert _category_of(thread.id) == world.ask_a.id and _moves() == 0
    # Ticking the box for another destination than the one shown confirms nothing.
    switched = mod.post(f"/moderation/thread/{thread.id}/move", data={
        "category_id": str(world.lounge_a.id), "confirm_wider_audience": "y",
        "confirmed_for": str(world.general.id)})
    assert switched.status_code == 409
    assert "Members of the cohort “Cohort Alpha”, its mentors and the moderators" \
        in switched.text
    assert _category_of(thread.id) == world.ask_a.id and _moves() == 0
    done = mod.post(f"/moderation/thread/{thread.id}/move", data={
        "category_id": str(world.general.id), "confirm_wider_audience": "y",
        "confirmed_for": str(world.general.id), "reason": "General interest"})
    assert done.status_code == 303
    assert _category_of(thread.id) == world.general.id and _moves() == 1


def test_a_move_that_widens_nothing_needs_no_confirmation(app, world):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Topic", "Text")
    moved = Browser(app, world.facilitator).post(f"/moderation/thread/{thread.id}/move",
                                                 data={"category_id": str(world.qa_a.id)})
    assert moved.status_code == 303 and _category_of(thread.id) == world.qa_a.id
    # Narrowing (a cohort discussion into its ask-a-mentor space) is not a wider audience.
    narrowed = Browser(app, world.facilitator).post(f"/moderation/thread/{thread.id}/move",
                                                    data={"category_id": str(world.ask_a.id)})
    assert narrowed.status_code == 303 and _category_of(thread.id) == world.ask_a.id


def test_api_move_requires_explicit_confirmation_when_it_widens(app, world):
    thread = _question(world)
    api = ApiClient(app, token_for(world.facilitator))
    refused = api.post(f"/moderation/threads/{thread.id}/move",
                       json={"category_id": world.lounge_a.id})
    assert refused.status_code == 409
    error = refused.json["error"]
    assert error["code"] == "wider_audience"
    assert "Members of the cohort “Cohort Alpha”" in error["message"]
    assert "confirm_wider_audience" in error["fields"]
    assert _category_of(thread.id) == world.ask_a.id and _moves() == 0
    done = api.post(f"/moderation/threads/{thread.id}/move",
                    json={"category_id": world.lounge_a.id, "confirm_wider_audience": True})
    assert done.status_code == 200, done.json
    assert done.json["category_id"] == world.lounge_a.id
    assert done.json["audience"].startswith("Members of the cohort “Cohort Alpha”")
    assert _category_of(thread.id) == world.lounge_a.id and _moves() == 1
    # The facilitator cannot move it out of their cohorts at all, confirmed or not.
    out = api.post(f"/moderation/threads/{thread.id}/move",
                   json={"category_id": world.general.id, "confirm_wider_audience": True})
    assert out.status_code == 403 and _category_of(thread.id) == world.lounge_a.id
    member = ApiClient(app, token_for(world.amina))
    assert member.post(f"/moderation/threads/{thread.id}/move",
                       json={"category_id": world.qa_a.id}).status_code == 403


def test_wider_by_the_rules_even_when_nobody_gains_today(world, make):
    """A cohort's discussions admit its future members too: the question still asks first."""
    solo = make.cohort("solo", name="Solo cohort")
    author = make.user("sol", cohorts=[solo])
    ask = Category(slug="solo-ask", name="Solo ask", cohort_id=solo.id, mode="ask_mentor")
    lounge = Category(slug="solo-lounge", name="Solo lounge", cohort_id=solo.id)
    db.session.add_all([ask, lounge])
    db.session.commit()
    thread = discussions.create_thread(author, ask.id, "Private question", "Text")
    with pytest.raises(Conflict) as error:
        content.move_thread(world.moderator, thread.id, lounge.id)
    assert error.value.code == "wider_audience"
    assert "0 people who cannot read it now" in error.value.message
    assert _category_of(thread.id) == ask.id
    content.move_thread(world.moderator, thread.id, lounge.id, confirm_wider_audience=True)
    assert _category_of(thread.id) == lounge.id


@pytest.mark.live
def test_in_a_browser_the_confirmation_is_a_modal_dialog(live_server, make, new_page):
    cohort = make.cohort("cohort-a", name="Cohort Alpha")
    amina = make.user("amina", cohorts=[cohort])
    make.user("moderator", role="moderator")
    make.user("carla")  # outside the cohort: gains access in General
    ask = Category(slug="alpha-ask", name="Alpha ask a mentor", cohort_id=cohort.id,
                   mode="ask_mentor")
    general = Category(slug="general", name="General")
    db.session.add_all([ask, general])
    db.session.commit()
    thread = discussions.create_thread(amina, ask.id, "Am I paid enough?", "My salary is ...")
    page = new_page()
    browser_login(page, live_server.url, "moderator@example.org")
    page.goto(f"{live_server.url}/moderation/thread/{thread.id}/move")
    page.get_by_label("Move to").select_option(label="General (everyone on Commons)")
    page.get_by_role("button", name="Move", exact=True).click()
    dialog = page.locator("dialog#move-audience")
    # The dialog is open in the HTML and made modal by a module script that runs after parsing,
    # so wait for the script rather than reading it at first paint.
    is_modal = "() => document.querySelector('dialog#move-audience')?.matches(':modal')"
    page.wait_for_function(is_modal, timeout=5000)  # modal: the rest of the page is inert
    assert "Everyone on Commons" in dialog.inner_text()
    assert _category_of(thread.id) == ask.id  # nothing moved yet
    dialog.get_by_label("I understand who will be able to read it").check()
    dialog.get_by_role("button", name="Move and widen the audience").click()
    page.wait_for_url(f"**/t/{thread.id}")
    assert _category_of(thread.id) == general.id
