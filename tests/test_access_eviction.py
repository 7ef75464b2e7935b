"""Losing access stops every live stream at once: a socket that may no longer read a thread (or a
channel) leaves its room, is told `access:lost`, and receives nothing from it afterwards.

One test per trigger: cohort removal, a role change, a thread moved into another cohort, a
category made private or narrowed, a thread hidden. Each asserts the database change too, and
that people who may still read keep their live stream.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from forum.extensions import db
from forum.models import Category, CohortMembership, Thread, User
from forum.services import chat, discussion_categories, discussions, roles
from forum.services import cohorts as cohorts_svc
from forum.services.moderation import content
from tests import chat_helpers, discussions_helpers
from tests.discussions_helpers import events

world = discussions_helpers.world  # the fixture


def _watch(app, socket_client, user: User, thread_id: int):
    """A socket of `user` in the thread's room, with what it received so far drained."""
    sock, ack = discussions_helpers.joined(socket_client, app, user, thread_id)
    assert ack == {"ok": True, "thread_id": thread_id}
    sock.get_received()
    return sock


def _fresh() -> None:
    """Forget per-context caches, as the next real request or event would."""
    g.pop("_login_user", None)
    g.pop("_memberships", None)


def _reply(user: User, thread_id: int, body: str) -> int:
    _fresh()
    return discussions.reply(db.session.get(User, user.id), thread_id, body).id


def _received(sock) -> dict[str, list[dict]]:
    """Everything a socket received since last asked, by event name."""
    by_name: dict[str, list[dict]] = {}
    for event in sock.get_received():
        by_name.setdefault(event["name"], []).append(event["args"][0])
    return by_name


def test_removal_from_a_cohort_evicts_its_threads_and_channels_but_not_global_ones(
        app, world, socket_client, make):
    admin = make.user("root", role="admin")
    private = discussions.create_thread(world.bilal, world.lounge_a.id, "Alpha plans", "Text")
    public = discussions.create_thread(world.bilal, world.general.id, "Open topic", "Text")
    room = chat_helpers.channel("general", world.cohort_a)
    amina = _watch(app, socket_client, world.amina, private.id)
    _fresh()
    assert amina.emit("thread:join", {"thread_id": public.id}, callback=True)["ok"]
    _fresh()
    assert amina.emit("channel:join", {"channel_id": room.id}, callback=True)["ok"]
    amina.get_received()

    membership = db.session.scalar(select(CohortMembership).where(
        CohortMembership.user_id == world.amina.id,
        CohortMembership.cohort_id == world.cohort_a.id))
    _fresh()
    cohorts_svc.remove_member(admin, world.cohort_a.id, membership.id)
    assert db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == world.amina.id)) is None

    lost = _received(amina)["access:lost"]
    assert sorted(lost, key=str) == sorted([{"thread_id": private.id},
                                            {"channel_id": room.id}], key=str)
    _reply(world.bilal, private.id, "Alpha-only reply")
    chat.send_message(db.session.get(User, world.bilal.id), room.id, "Alpha-only chat", "m1")
    _reply(world.bilal, public.id, "Public reply")
    got = _received(amina)
    assert [e["thread_id"] for e in got.get("post:new", [])] == [public.id]  # still live there
    assert "message:new" not in got
    assert "Alpha-only" not in str(got)


def test_global_moderator_demoted_to_member_stops_receiving_cohort_threads(
        app, world, socket_client, make):
    admin = make.user("root", role="admin")
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Alpha only", "Text")
    moderator = _watch(app, socket_client, world.moderator, thread.id)
    member = _watch(app, socket_client, world.bilal, thread.id)

    _fresh()
    roles.set_role(admin, world.moderator.id, "member")
    db.session.expire_all()
    assert db.session.get(User, world.moderator.id).role == "member"

    assert events(moderator, "access:lost") == [{"thread_id": thread.id}]
    _reply(world.amina, thread.id, "After the demotion")
    assert events(moderator, "post:new") == []
    assert [e["thread_id"] for e in events(member, "post:new")] == [thread.id]


def test_thread_moved_into_a_cohort_the_reader_is_not_in(app, world, socket_client):
    thread = discussions.create_thread(world.bilal, world.general.id, "Everyone", "Text")
    amina = _watch(app, socket_client, world.amina, thread.id)  # cohort A
    carla = _watch(app, socket_client, world.carla, thread.id)  # cohort B

    _fresh()
    content.move_thread(world.moderator, thread.id, world.lounge_b.id, "Belongs to Bravo")
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).category_id == world.lounge_b.id

    got = _received(amina)
    assert got == {"access:lost": [{"thread_id": thread.id}]}  # not even thread:moved
    assert events(carla, "thread:moved") == [{"thread_id": thread.id}]
    _reply(world.carla, thread.id, "Bravo-only reply")
    assert _received(amina) == {}
    _fresh()
    rejoin = amina.emit("thread:join", {"thread_id": thread.id}, callback=True)
    assert rejoin["ok"] is False and rejoin["error"]["code"] == "not_found"


def test_category_made_private_evicts_readers_outside_its_cohort(
        app, world, socket_client, make):
    admin = make.user("root", role="admin")
    thread = discussions.create_thread(world.bilal, world.general.id, "Open for now", "Text")
    amina = _watch(app, socket_client, world.amina, thread.id)
    carla = _watch(app, socket_client, world.carla, thread.id)

    _fresh()
    discussion_categories.save_category(admin, world.general.id, name="General",
                                        slug="general", cohort_id=world.cohort_b.id)
    db.session.expire_all()
    assert db.session.get(Category, world.general.id).cohort_id == world.cohort_b.id

    assert events(carla, "access:lost") == []
    assert events(amina, "access:lost") == [{"thread_id": thread.id}]
    _reply(world.carla, thread.id, "Now Bravo only")
    assert events(amina, "post:new") == []
    assert [e["thread_id"] for e in events(carla, "post:new")] == [thread.id]


def test_category_narrowed_to_ask_a_mentor_keeps_only_the_author_and_mentors(
        app, world, socket_client, make):
    admin = make.user("root", role="admin")
    thread = discussions.create_thread(world.bilal, world.lounge_a.id, "My question", "Text")
    author = _watch(app, socket_client, world.bilal, thread.id)
    mentor = _watch(app, socket_client, world.mentor, thread.id)
    other = _watch(app, socket_client, world.amina, thread.id)

    _fresh()
    discussion_categories.save_category(admin, world.lounge_a.id, name="Alpha lounge",
                                        slug="alpha-lounge", cohort_id=world.cohort_a.id,
                                        mode="ask_mentor")
    db.session.expire_all()
    assert db.session.get(Category, world.lounge_a.id).mode == "ask_mentor"

    assert events(other, "access:lost") == [{"thread_id": thread.id}]
    _reply(world.mentor, thread.id, "A mentor's answer")
    assert events(other, "post:new") == []
    for sock in (author, mentor):
        assert [e["thread_id"] for e in events(sock, "post:new")] == [thread.id]


def test_hidden_thread_leaves_readers_but_not_its_moderators_or_author(
        app, world, socket_client):
    thread = discussions.create_thread(world.bilal, world.lounge_a.id, "Off topic", "Text")
    reader = _watch(app, socket_client, world.amina, thread.id)
    author = _watch(app, socket_client, world.bilal, thread.id)
    facilitator = _watch(app, socket_client, world.facilitator, thread.id)

    _fresh()
    content.hide(world.facilitator, "thread", thread.id, "Off topic")
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).hidden_at is not None

    assert _received(reader) == {"access:lost": [{"thread_id": thread.id}]}
    for sock in (author, facilitator):
        got = _received(sock)
        assert got["thread:removed"] == [{"thread_id": thread.id}] and "access:lost" not in got
    _reply(world.facilitator, thread.id, "Moderator note")
    assert _received(reader) == {}
    assert [e["thread_id"] for e in events(facilitator, "post:new")] == [thread.id]


def test_a_socket_that_lost_access_may_not_join_again(app, world, socket_client, make):
    admin = make.user("root", role="admin")
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Alpha", "Text")
    sock = _watch(app, socket_client, world.moderator, thread.id)
    _fresh()
    roles.set_role(admin, world.moderator.id, "member")
    _fresh()
    again = sock.emit("thread:join", {"thread_id": thread.id}, callback=True)
    assert again["ok"] is False and again["error"]["code"] == "not_found"
    _reply(world.amina, thread.id, "Still private")
    assert events(sock, "post:new") == []
