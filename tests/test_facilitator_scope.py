"""Issue 15 item 5: cohort facilitators act within their cohorts only.

A facilitator's suspension is a restriction in their cohorts (the person still writes
elsewhere); a facilitator never lifts or undoes what a global moderator did; suspended accounts
cannot edit their profile. Checked on pages, the API and Socket.IO.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.errors import Forbidden
from forum.extensions import db
from forum.models import AuditEntry, CohortRestriction, Post, Thread, User
from forum.services import chat, discussions
from forum.services.moderation import content, people
from tests import chat_helpers, discussions_helpers
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Several posts per test from the same people: no throttling here."""
    return {**app_config, "RATELIMIT_ENABLED": False}


def _amina_in_both(world, make) -> User:
    """Amina belongs to cohort A (the facilitator's) and to cohort B."""
    make.membership(world.amina, world.cohort_b)
    db.session.commit()
    chat_helpers.fresh_context()
    return world.amina


def _restrictions(user_id: int) -> list[int]:
    return sorted(db.session.scalars(select(CohortRestriction.cohort_id).where(
        CohortRestriction.user_id == user_id)))


def test_facilitator_suspension_restricts_in_their_cohort_only(world, make):
    amina = _amina_in_both(world, make)
    in_a = discussions.create_thread(world.bilal, world.lounge_a.id, "Alpha topic", "Text")
    in_b = discussions.create_thread(world.carla, world.lounge_b.id, "Bravo topic", "Text")
    people.suspend(world.facilitator, amina.id, 1, "Cool down")
    db.session.expire_all()
    chat_helpers.fresh_context()
    amina = db.session.get(User, amina.id)
    assert amina.suspended_until is None  # not site-wide
    assert _restrictions(amina.id) == [world.cohort_a.id]
    for attempt in (lambda: discussions.reply(amina, in_a.id, "x"),
                    lambda: discussions.react(amina, in_a.first_post_id, "like"),
                    lambda: discussions.create_thread(amina, world.lounge_a.id, "New", "Text")):
        with pytest.raises(Forbidden) as error:
            attempt()
        assert error.value.code == "cohort_restricted"
    # Elsewhere she is unaffected: cohort B and the global spaces.
    assert discussions.reply(amina, in_b.id, "Fine here").id
    assert discussions.create_thread(amina, world.general.id, "Global", "Text").id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "suspend"))
    assert entry.cohort_id == world.cohort_a.id and '"scope": "cohort"' in entry.details


def test_restriction_shown_where_the_person_acts_and_to_moderators(app, world, make):
    _amina_in_both(world, make)
    in_a = discussions.create_thread(world.bilal, world.lounge_a.id, "Alpha topic", "Text")
    in_b = discussions.create_thread(world.carla, world.lounge_b.id, "Bravo topic", "Text")
    facilitator = Browser(app, world.facilitator)
    assert facilitator.post(f"/moderation/people/{world.amina.id}/suspend",
                            data={"days": "1", "hours": "0", "reason": "Cool down"}
                            ).status_code == 303
    amina = Browser(app, world.amina)
    page = amina.get(f"/t/{in_a.id}").text
    assert 'id="cohort-notice"' in page and "A facilitator restricted you in this cohort" in page
    assert 'id="reply-form"' not in page
    other = amina.get(f"/t/{in_b.id}").text
    assert 'id="cohort-notice"' not in other and 'id="reply-form"' in other
    refused = amina.post(f"/t/{in_a.id}/reply", data={"body": "Let me in"})
    assert refused.status_code == 403 and "A facilitator restricted you" in refused.text
    db.session.expire_all()
    assert db.session.scalar(select(Post.id).where(Post.thread_id == in_a.id,
                                                   Post.body_source == "Let me in")) is None
    review = facilitator.get(f"/moderation/people/{world.amina.id}").text
    assert "Restricted in cohort Cohort Alpha until" in review
    assert "In the cohorts you facilitate only" in review
    global_view = Browser(app, world.moderator).get(f"/moderation/people/{world.amina.id}").text
    assert "Restricted in cohort Cohort Alpha until" in global_view


def test_restriction_blocks_chat_in_that_cohort_only(app, world, make, socket_client):
    _amina_in_both(world, make)
    room_a = chat_helpers.channel("general", world.cohort_a)
    room_b = chat_helpers.channel("general", world.cohort_b)
    lobby = chat_helpers.channel("lobby")
    people.suspend(world.facilitator, world.amina.id, 1, "Cool down")
    sock = chat_helpers.connect(app, socket_client, world.amina.email)
    assert sock.is_connected()  # a cohort restriction does not cut the person off the site
    ack = sock.emit("message:send", {"channel_id": room_a.id, "body": "hi", "client_id": "a1"})
    assert ack["ok"] is False and ack["error"]["code"] == "cohort_restricted"
    for room, client_id in ((room_b, "b1"), (lobby, "l1")):
        ack = sock.emit("message:send", {"channel_id": room.id, "body": "hi",
                                         "client_id": client_id})
        assert ack["ok"] is True, ack
    assert [m.channel_id for m in chat.history(world.facilitator, room_a.id)] == []
    # The chat page says so where she would type, and its composer is disabled.
    browser = Browser(app, world.amina)
    page_a, page_b = browser.get(f"/chat/{room_a.id}").text, browser.get(f"/chat/{room_b.id}").text
    assert "A facilitator restricted you in this cohort" in page_a
    assert 'id="chat-composer" disabled' in page_a
    assert 'id="chat-composer" disabled' not in page_b and "restricted you" not in page_b


def test_restriction_blocks_the_api_in_that_cohort_only(app, world, make):
    _amina_in_both(world, make)
    in_a = discussions.create_thread(world.bilal, world.lounge_a.id, "Alpha topic", "Text")
    in_b = discussions.create_thread(world.carla, world.lounge_b.id, "Bravo topic", "Text")
    facilitator = ApiClient(app, token_for(world.facilitator))
    done = facilitator.post(f"/moderation/people/{world.amina.id}/suspend",
                            json={"days": 1, "reason": "Cool down"})
    assert done.status_code == 200, done.json
    assert done.json["suspended_until"] is None
    assert [r["cohort_id"] for r in done.json["restrictions"]] == [world.cohort_a.id]
    amina = ApiClient(app, token_for(world.amina))
    refused = amina.post(f"/threads/{in_a.id}/posts", json={"body": "Let me in"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "cohort_restricted"
    assert amina.post(f"/threads/{in_b.id}/posts", json={"body": "Fine"}).status_code == 201
    room_a = chat_helpers.channel("general", world.cohort_a)
    sent = amina.post(f"/channels/{room_a.id}/messages", json={"body": "hi", "client_id": "c1"})
    assert sent.status_code == 403 and sent.json["error"]["code"] == "cohort_restricted"


def test_facilitator_cannot_suspend_site_wide_even_through_cohort_b(world, make):
    amina = _amina_in_both(world, make)
    people.suspend(world.facilitator, amina.id, 3, "Cool down")
    db.session.expire_all()
    assert not db.session.get(User, amina.id).is_suspended()
    assert _restrictions(amina.id) == [world.cohort_a.id]  # never cohort B


def test_facilitator_cannot_lift_a_global_suspension_page_and_api(app, world):
    people.suspend(world.moderator, world.amina.id, 2, "Site-wide")
    page = Browser(app, world.facilitator)
    review = page.get(f"/moderation/people/{world.amina.id}").text
    assert "only a global moderator can lift it" in review and "lift-heading" not in review
    assert page.post(f"/moderation/people/{world.amina.id}/lift",
                     data={"reason": "I disagree"}).status_code == 403
    api = ApiClient(app, token_for(world.facilitator))
    refused = api.post(f"/moderation/people/{world.amina.id}/lift", json={"reason": "No"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "global_action"
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).is_suspended()
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "lift")) is None


def test_facilitator_lift_leaves_the_global_suspension_in_place(world):
    people.suspend(world.moderator, world.amina.id, 2, "Site-wide")
    people.suspend(world.facilitator, world.amina.id, 1, "Cohort too")
    people.lift(world.facilitator, world.amina.id, "Cohort part served")
    db.session.expire_all()
    assert _restrictions(world.amina.id) == []
    assert db.session.get(User, world.amina.id).is_suspended()
    people.lift(world.moderator, world.amina.id, "All served")
    db.session.expire_all()
    assert not db.session.get(User, world.amina.id).is_suspended()


def test_global_lift_clears_cohort_restrictions_too(world):
    people.suspend(world.facilitator, world.amina.id, 1, "Cool down")
    people.lift(world.moderator, world.amina.id, "Appeal")
    assert _restrictions(world.amina.id) == []


def test_facilitator_cannot_restore_or_unlock_what_a_global_moderator_did(world):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Topic", "Text")
    post = discussions.reply(world.bilal, thread.id, "Confidential details")
    content.hide(world.moderator, "post", post.id, "Confidential")
    content.set_thread_state(world.moderator, thread.id, locked=True)
    with pytest.raises(Forbidden) as restore:
        content.restore(world.facilitator, "post", post.id)
    assert restore.value.code == "global_action"
    with pytest.raises(Forbidden) as unlock:
        content.set_thread_state(world.facilitator, thread.id, locked=False)
    assert unlock.value.code == "global_action"
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is not None
    assert db.session.get(Thread, thread.id).is_locked
    # What a facilitator hid or locked, they (and global moderators) may undo.
    own = discussions.reply(world.bilal, discussions.create_thread(
        world.bilal, world.lounge_a.id, "Other", "Text").id, "Off-topic")
    content.hide(world.facilitator, "post", own.id, "Off-topic")
    content.restore(world.facilitator, "post", own.id)
    content.restore(world.moderator, "post", post.id)


def test_suspended_account_cannot_edit_its_profile(app, world):
    people.suspend(world.moderator, world.amina.id, 2, "Site-wide")
    browser = Browser(app, world.amina)
    form = browser.get("/settings/profile").text
    assert 'id="profile-blocked"' in form and "You cannot change your profile" in form
    refused = browser.post("/settings/profile", data={
        "display_name": "Changed Name", "timezone": "UTC", "language": "en"})
    assert refused.status_code == 403 and "Your account is suspended until" in refused.text
    api = ApiClient(app, token_for(world.amina))
    answer = api.patch("/me", json={"display_name": "Changed Name"})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "suspended"
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).display_name != "Changed Name"


def test_suspended_account_can_neither_set_nor_remove_its_picture(app, world):
    from tests.uploads_helpers import png, upload

    token = token_for(world.amina)
    assert upload(app, token, png(), "me.png", path="/api/v1/me/avatar",
                  method="PUT").status_code == 200
    db.session.expire_all()
    picture = db.session.get(User, world.amina.id).avatar_token
    people.suspend(world.moderator, world.amina.id, 2, "Site-wide")
    refused = upload(app, token, png(colour=(1, 2, 3)), "new.png", path="/api/v1/me/avatar",
                     method="PUT")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "suspended"
    api = ApiClient(app, token)
    assert api.delete("/me/avatar").status_code == 403
    browser = Browser(app, world.amina)
    page = browser.get("/settings/files").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    csrf = csrf or re.search(r'name="csrf_token" value="([^"]+)"', page)
    removed = browser.post("/settings/avatar/remove", data={"csrf_token": csrf.group(1)})
    assert removed.status_code == 403 and "Your account is suspended until" in removed.text
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token == picture  # unchanged
