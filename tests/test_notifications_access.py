"""Notifications never show what the reader can no longer read: access is checked when a row is
shown (centre page, API, bell count, live events, mail, digest), not only when it was created.

Rule: a row about a thread or channel its recipient may no longer read (moved, made private,
narrowed, removed from the cohort, no longer a moderator) is hidden and not counted; it shows
again if access comes back. Excerpt updates only reach rows whose recipient may read the item.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from forum.errors import NotFound
from forum.extensions import db
from forum.lib.mail import outbox
from forum.models import Notification, User, utcnow
from forum.services import discussion_categories, discussions, notifications, roles
from forum.services.moderation import content
from forum.services.notifications import mailing, preferences
from tests import discussions_helpers
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


def _fresh(user: User) -> User:
    """The user as the next request would load it (no cached memberships or login)."""
    g.pop("_login_user", None)
    g.pop("_memberships", None)
    db.session.expire_all()
    return db.session.get(User, user.id)


def _row(user: User) -> Notification:
    return db.session.scalar(select(Notification).where(Notification.user_id == user.id))


def _shown_nowhere(app, user: User, *words: str) -> None:
    """Not in the service list or count, the centre page, the API, nor the live count."""
    user = _fresh(user)
    assert notifications.unread_count(user) == 0
    assert notifications.unread_counts([user.id]) == {user.id: 0}  # the live bell's batch
    assert notifications.list_notifications(user)["items"] == []
    page = Browser(app, user).get("/notifications")
    assert page.status_code == 200
    api = ApiClient(app, token_for(user, "read")).get("/notifications")
    assert api.status_code == 200 and api.json["items"] == [] and api.json["unread"] == 0
    for word in words:
        assert word not in page.text and word not in api.text


def test_thread_moved_out_of_reach_hides_its_notifications_and_stops_their_updates(
        app, world, socket_client):
    thread = discussions.create_thread(world.amina, world.general.id, "Open question",
                                       "Anyone?")
    reply = discussions.reply(world.carla, thread.id, "First words, @moderator")
    assert notifications.unread_count(_fresh(world.amina)) == 1
    assert _row(world.amina).excerpt.startswith("First words")

    content.move_thread(_fresh(world.moderator), thread.id, world.lounge_b.id, "To Bravo")
    discussions.edit_post(_fresh(world.carla), reply.id, "Bravo secret plan, @moderator")

    row = _row(world.amina)
    assert row is not None and row.excerpt == ""  # kept, but without the words she can't read
    assert _row(world.moderator).excerpt.startswith("Bravo secret plan")  # may read: updated
    _shown_nowhere(app, world.amina, "Open question", "Bravo secret", "First words")
    with pytest.raises(NotFound):
        notifications.mark_read(_fresh(world.amina), row.id)
    assert Browser(app, world.amina).post(f"/notifications/{row.id}/read").status_code == 404
    # The live bell asked on (re)connect.
    g.pop("_login_user", None)
    sock = socket_client(discussions_helpers.login(app, world.amina))
    g.pop("_login_user", None)
    g.pop("_memberships", None)
    assert sock.emit("notifications:count", {}, callback=True) == {"ok": True, "unread": 0}
    # The daily digest has nothing to say about it.
    outbox().clear()
    mailing.send_digest(_fresh(world.amina), utcnow() - timedelta(days=1))
    assert all("Open question" not in m.as_string() for m in outbox())

    # Access back (moved back to a global space): the row shows again, without the edit.
    content.move_thread(_fresh(world.moderator), thread.id, world.general.id, "Back",
                        confirm_wider_audience=True)
    assert [i["excerpt"] for i in notifications.list_notifications(
        _fresh(world.amina))["items"]] == [""]


def test_live_bell_counts_only_what_the_reader_may_read(app, world, socket_client):
    moved = discussions.create_thread(world.amina, world.general.id, "Soon gone", "Text")
    discussions.reply(world.carla, moved.id, "A reply")
    content.move_thread(_fresh(world.moderator), moved.id, world.lounge_b.id, "To Bravo")
    g.pop("_login_user", None)
    sock = socket_client(discussions_helpers.login(app, world.amina))
    sock.get_received()
    staying = discussions.create_thread(_fresh(world.amina), world.general.id, "Here", "Text")
    discussions.reply(_fresh(world.bilal), staying.id, "Visible reply")
    [event] = [e["args"][0] for e in sock.get_received() if e["name"] == "notification:new"]
    assert event["unread"] == 1 and "Here" in event["notification"]["text"]


def test_category_made_private_hides_new_thread_and_accepted_answer_rows(app, world, make):
    admin = make.user("root", role="admin")
    preferences.set_category_watch(world.amina, world.general.id, "watch")
    discussions.create_thread(world.carla, world.general.id, "Watched topic", "Text")
    question = discussions.create_thread(world.carla, world.qa.id, "How to?", "Question")
    answer = discussions.reply(_fresh(world.amina), question.id, "Like this")
    discussions.accept_answer(_fresh(world.carla), answer.id)
    kinds = sorted(i["kind"] for i in notifications.list_notifications(
        _fresh(world.amina))["items"])
    assert kinds == ["accepted", "new_thread"]

    for category in (world.general, world.qa):
        discussion_categories.save_category(
            _fresh(admin), category.id, name=category.name, slug=category.slug,
            cohort_id=world.cohort_b.id, mode=category.mode)
    assert db.session.scalar(select(Notification.id).where(
        Notification.user_id == world.amina.id, Notification.kind == "accepted")) is not None
    _shown_nowhere(app, world.amina, "Watched topic", "How to?")


def test_demoted_moderator_no_longer_sees_cohort_notifications(app, world, make):
    admin = make.user("root", role="admin")
    discussions.create_thread(world.amina, world.lounge_a.id, "Alpha matter", "Hi @moderator")
    assert notifications.unread_count(_fresh(world.moderator)) == 1
    roles.set_role(_fresh(admin), world.moderator.id, "member")
    assert _fresh(world.moderator).role == "member"
    _shown_nowhere(app, world.moderator, "Alpha matter")


def test_removed_member_loses_chat_mentions_and_moderation_notices_stay(app, world, make):
    from forum.models import CohortMembership
    from forum.services import chat
    from forum.services import cohorts as cohorts_svc
    from tests.chat_helpers import channel

    admin = make.user("root", role="admin")
    room = channel("general", world.cohort_a)
    chat.send_message(world.bilal, room.id, "Hey @amina", "m1")
    post = discussions.create_thread(world.amina, world.general.id, "Mine", "Text")
    content.hide(_fresh(world.moderator), "thread", post.id, "Off topic")
    assert notifications.unread_count(_fresh(world.amina)) == 2
    membership = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == world.amina.id))
    cohorts_svc.remove_member(_fresh(admin), world.cohort_a.id, membership)
    items = notifications.list_notifications(_fresh(world.amina))["items"]
    assert [i["kind"] for i in items] == ["moderation"]  # addressed to her: still shown
    assert notifications.unread_count(_fresh(world.amina)) == 1


def test_immediate_mail_is_not_sent_for_what_the_recipient_can_no_longer_read(app, world):
    # Mail is decided after the commit; access can change in between (a move, a removal).
    preferences.set_preferences(world.carla, {"mention": "app"})  # nothing mailed yet
    kept = discussions.create_thread(world.amina, world.general.id, "Still open", "Hi @carla")
    moved = discussions.create_thread(world.amina, world.general.id, "Soon private",
                                      "Secret for @carla")
    assert outbox() == []
    rows = {r.target_id: r.id for r in db.session.scalars(
        select(Notification).where(Notification.user_id == world.carla.id))}
    assert len(rows) == 2 and kept.id != moved.id
    preferences.set_preferences(_fresh(world.carla), {"mention": "email"})
    content.move_thread(_fresh(world.moderator), moved.id, world.lounge_a.id, "To Alpha")
    assert mailing.send_immediate(list(rows.values())) == 1
    [mail] = outbox()
    assert mail["To"] == "carla@example.org" and "Still open" in mail["Subject"]
    assert all("Soon private" not in m.as_string() and "Secret" not in m.as_string()
               for m in outbox())
