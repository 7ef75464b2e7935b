"""Privacy: other cohorts' discussions are invisible everywhere — pages, permalinks, sockets,
lists and counts — and "ask a mentor" threads are visible only to their author and mentors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Reaction, Thread, ThreadWatch
from forum.services import discussions as svc
from tests import discussions_helpers
from tests.discussions_helpers import Browser, joined

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Many people log in within one test here; the login throttle is tested elsewhere."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute"}


@pytest.fixture
def secret(world):
    """A thread with a reply in cohort A's lounge, written by A's members."""
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Alpha secret plans",
                               "Only for **Alpha**", "alpha-only")
    reply = svc.reply(world.bilal, thread.id, "Agreed, alpha only")
    return thread, reply


def _routes(thread_id: int, post_id: int, slug: str) -> list[tuple[str, str, dict]]:
    return [
        ("get", f"/c/{slug}", {}),
        ("get", f"/c/{slug}?sort=newest&tag=alpha-only", {}),
        ("get", f"/c/{slug}/new", {}),
        ("post", f"/c/{slug}/new", {"title": "Intrude", "body": "Hello"}),
        ("get", f"/t/{thread_id}", {}),
        ("get", f"/t/{thread_id}?page=2", {}),
        ("post", f"/t/{thread_id}/reply", {"body": "Hello"}),
        ("post", f"/t/{thread_id}/watch", {"level": "watch"}),
        ("get", f"/p/{post_id}", {}),
        ("get", f"/p/{post_id}/edit", {}),
        ("post", f"/p/{post_id}/edit", {"body": "Mine now"}),
        ("post", f"/p/{post_id}/delete", {}),
        ("post", f"/p/{post_id}/react", {"kind": "like"}),
        ("post", f"/p/{post_id}/accept", {}),
        ("get", f"/p/{post_id}/history", {}),
    ]


def test_outsider_gets_the_same_404_as_for_nothing(app, world, secret):
    thread, reply = secret
    carla = Browser(app, world.carla)
    missing = carla.get("/t/999999")
    assert missing.status_code == 404
    for method, url, data in _routes(thread.id, reply.id, world.lounge_a.slug):
        response = getattr(carla, method)(url, data=data) if method == "post" else carla.get(url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Alpha" not in response.text, url
        assert response.text.count("<h1") == missing.text.count("<h1")
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 1
    assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0
    assert db.session.scalar(select(func.count()).select_from(ThreadWatch)) == 1  # the author's


def test_outsider_sees_nothing_of_the_cohort_in_lists_and_counts(app, world, secret):
    svc.create_thread(world.amina, world.general.id, "Open to all", "Hello everyone")
    index = Browser(app, world.carla).get("/c")
    assert index.status_code == 200
    assert "Bravo lounge" in index.text and "General" in index.text
    assert "Alpha" not in index.text and "alpha" not in index.text
    summaries = svc.list_categories(world.carla)
    assert {s.category.slug for s in summaries} == {"general", "career-qa", "bravo-lounge"}
    assert sum(s.thread_count for s in summaries) == 1
    # The cohort's own members and global moderators do see it.
    assert "Alpha secret plans" in Browser(app, world.bilal).get("/c/alpha-lounge").text
    assert Browser(app, world.moderator).get(f"/t/{secret[0].id}").status_code == 200


def test_outsider_cannot_join_the_thread_room(app, world, secret, socket_client):
    thread, _reply = secret
    outsider, ack = joined(socket_client, app, world.carla, thread.id)
    assert ack == {"ok": False, "error": {"code": "not_found", "message": "Not found."}}
    _sc, missing_ack = joined(socket_client, app, world.carla, 999999)
    assert missing_ack == ack  # existence is not revealed
    # A malformed id is refused for its form alone, before any lookup: it says nothing either.
    _sc, bad_ack = joined(socket_client, app, world.carla, "1; drop")
    assert bad_ack["ok"] is False and bad_ack["error"]["code"] == "invalid"
    member, member_ack = joined(socket_client, app, world.bilal, thread.id)
    assert member_ack["ok"] is True
    outsider.get_received(), member.get_received()
    svc.reply(world.amina, thread.id, "Live alpha news")
    assert [e["name"] for e in member.get_received()] == ["post:new"]
    assert outsider.get_received() == []


def test_ask_a_mentor_threads_are_seen_by_author_and_mentors_only(app, world, socket_client):
    question = svc.create_thread(world.amina, world.ask_a.id, "Private worry about my PER",
                                 "Is a *partially meets* rating the end?")
    answer = svc.reply(world.mentor, question.id, "Not at all.")
    allowed = [world.amina, world.mentor, world.facilitator, world.moderator]
    denied = [world.bilal, world.carla, world.site_mentor]
    for user in allowed:
        browser = Browser(app, user)
        assert "Private worry" in browser.get("/c/alpha-ask").text, user.username
        assert browser.get(f"/t/{question.id}").status_code == 200, user.username
        count = {s.category.slug: s.thread_count for s in svc.list_categories(user)}
        assert count["alpha-ask"] == 1
    for user in denied:
        browser = Browser(app, user)
        page = browser.get("/c/alpha-ask")
        assert "Private worry" not in page.text
        assert page.status_code == (200 if user is world.bilal else 404)
        assert browser.get(f"/t/{question.id}").status_code == 404, user.username
        assert browser.get(f"/p/{answer.id}").status_code == 404, user.username
        counts = {s.category.slug: s.thread_count for s in svc.list_categories(user)}
        assert counts.get("alpha-ask", 0) == 0
        _sc, ack = joined(socket_client, app, user, question.id)
        assert ack["ok"] is False
    # Bilal asks his own question; Amina does not see it, the mentor does.
    own = svc.create_thread(world.bilal, world.ask_a.id, "My own question", "Help?")
    assert Browser(app, world.bilal).get(f"/t/{own.id}").status_code == 200
    assert Browser(app, world.amina).get(f"/t/{own.id}").status_code == 404
    assert svc.accept_answer(world.mentor, answer.id).accepted_post_id == answer.id


def test_hidden_threads_are_for_moderators_only(app, world, secret):
    thread, _reply = secret
    thread.hidden_at = thread.created_at
    db.session.commit()
    assert Browser(app, world.bilal).get(f"/t/{thread.id}").status_code == 404
    assert "Alpha secret" not in Browser(app, world.bilal).get("/c/alpha-lounge").text
    assert Browser(app, world.facilitator).get(f"/t/{thread.id}").status_code == 200
    assert "Alpha secret" in Browser(app, world.facilitator).get("/c/alpha-lounge").text
