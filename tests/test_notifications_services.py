"""Notification triggers: who is notified for each trigger, and who is NOT."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import (
    CategoryWatch,
    ChannelMute,
    CohortMembership,
    Notification,
    NotificationPreference,
    utcnow,
)
from forum.services import chat, discussions
from forum.services import notifications as svc
from forum.services.notifications import preferences
from tests import chat_helpers, discussions_helpers

world = discussions_helpers.world  # the fixture


def _rows(user=None, kind=None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id).options(
        joinedload(Notification.actor))
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def _who(kind=None) -> set[str]:
    """Usernames holding notifications (of a kind)."""
    from forum.models import User

    query = select(User.username).join(Notification, Notification.user_id == User.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return set(db.session.scalars(query))


def _thread(world, author=None, category=None, body="What should I pack?"):
    return discussions.create_thread(author or world.amina, (category or world.lounge_a).id,
                                     "Packing for Geneva", body)


# --------------------------------------------------------------------------- replies


def test_reply_notifies_thread_author_not_the_replier(world):
    thread = _thread(world)
    discussions.reply(world.bilal, thread.id, "Warm clothes.")
    [row] = _rows()
    assert (row.user_id, row.kind, row.count) == (world.amina.id, "reply", 1)
    assert row.target_type == "thread" and row.target_id == thread.id
    assert row.actor_id == world.bilal.id and row.subject == "Packing for Geneva"
    assert row.excerpt == "Warm clothes." and row.url.startswith("/p/")
    assert row.cohort_id == world.cohort_a.id
    discussions.reply(world.amina, thread.id, "Thanks!")  # own thread, own reply: nothing new
    assert len(_rows()) == 1


def test_replies_collapse_into_one_unread_row_that_counts_up(world):
    thread = _thread(world)
    for text in ("One", "Two", "Three"):
        discussions.reply(world.bilal, thread.id, text)
    [row] = _rows(world.amina)
    assert row.count == 3 and row.excerpt == "Three"
    assert svc.describe(row) == "3 new replies in “Packing for Geneva”"
    svc.mark_read(world.amina, row.id)
    discussions.reply(world.mentor, thread.id, "Four")
    rows = _rows(world.amina)
    assert [r.count for r in rows] == [3, 1]  # read rows are history; a new one starts


def test_reply_to_a_post_notifies_its_author(world):
    thread = _thread(world)
    post = discussions.reply(world.bilal, thread.id, "First answer")
    discussions.reply(world.facilitator, thread.id, "Answering Bilal", parent_id=post.id)
    assert _who("reply") == {"amina", "bilal"}
    assert [r.count for r in _rows(world.amina)] == [2]


def test_muted_thread_muted_category_and_off_preference_silence_replies(world):
    thread = _thread(world)
    discussions.set_watch(world.amina, thread.id, "mute")
    discussions.reply(world.bilal, thread.id, "Muted?")
    assert _rows() == []
    discussions.set_watch(world.amina, thread.id, None)
    preferences.set_category_watch(world.amina, world.lounge_a.id, "mute")
    discussions.reply(world.bilal, thread.id, "Still muted")
    assert _rows() == []
    preferences.set_category_watch(world.amina, world.lounge_a.id, None)
    preferences.set_preferences(world.amina, {"reply": "off"})
    discussions.reply(world.bilal, thread.id, "Off")
    assert _rows() == []
    preferences.set_preferences(world.amina, {"reply": "app"})
    discussions.reply(world.bilal, thread.id, "Back on")
    assert _who() == {"amina"}


# --------------------------------------------------------------------------- mentions


def test_mention_notifies_readers_only_never_outsiders_or_self(world):
    _thread(world, body="Ask @bilal and @carla and @amina and @nobody, not `@mona`")
    assert _who() == {"bilal"}  # carla is outside cohort A; amina wrote it; mona is in code
    [row] = _rows(world.bilal)
    assert row.kind == "mention" and "Ask" in row.excerpt
    # Nothing about the thread reached carla in any form.
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == world.carla.id)) == 0


def test_mention_in_ask_a_mentor_thread_reaches_mentors_not_other_members(world):
    _thread(world, category=world.ask_a, body="@bilal @mona what do you think?")
    assert _who() == {"mona"}  # bilal may not read amina's private question


def test_mention_in_a_global_thread_reaches_other_cohorts(world):
    _thread(world, category=world.general, body="Hello @carla")
    assert _who("mention") == {"carla"}
    assert _rows(world.carla)[0].cohort_id is None


def test_mention_beats_reply_for_the_same_post(world):
    thread = _thread(world)
    discussions.reply(world.bilal, thread.id, "@amina see this")
    [row] = _rows(world.amina)
    assert row.kind == "mention"


def test_edit_notifies_only_newly_mentioned_people(world):
    thread = _thread(world, body="Hello @bilal")
    post_id = thread.first_post_id
    assert _who() == {"bilal"}
    discussions.edit_post(world.amina, post_id, "Hello @bilal and @mona")
    assert _who() == {"bilal", "mona"}
    assert [r.count for r in _rows(world.bilal)] == [1]  # not told twice
    discussions.edit_post(world.amina, post_id, "Hello @bilal and @mona, again")
    assert len(_rows()) == 2


def test_mentioned_user_who_muted_the_thread_is_not_told(world):
    thread = _thread(world)
    discussions.set_watch(world.bilal, thread.id, "mute")
    discussions.reply(world.mentor, thread.id, "@bilal any idea?")
    assert "bilal" not in _who()


# --------------------------------------------------------------------------- answers


def test_accepted_answer_notifies_its_author_unless_self(world):
    thread = _thread(world, category=world.qa_a)
    answer = discussions.reply(world.bilal, thread.id, "Pack light.")
    own = discussions.reply(world.amina, thread.id, "Or not at all.")
    db.session.query(Notification).delete()
    db.session.commit()
    discussions.accept_answer(world.amina, own.id)
    assert _rows() == []  # accepting your own reply tells nobody
    discussions.accept_answer(world.amina, answer.id)
    [row] = _rows()
    assert (row.user_id, row.kind, row.target_type) == (world.bilal.id, "accepted", "post")
    assert svc.describe(row) == "Your answer in “Packing for Geneva” was accepted"
    discussions.accept_answer(world.amina, answer.id, accept=False)
    assert len(_rows()) == 1  # clearing tells nobody


def test_mentor_answer_notifies_watchers_but_plain_replies_do_not(world):
    thread = _thread(world)
    discussions.set_watch(world.bilal, thread.id, "watch")
    discussions.reply(world.facilitator, thread.id, "Not a mentor")
    assert _who("mentor_answer") == set()
    discussions.reply(world.mentor, thread.id, "Mentor here")
    assert _who("mentor_answer") == {"bilal"}  # amina got "reply" (her thread) instead
    assert _who("reply") == {"amina"}
    # Site-wide mentors count as mentors in global spaces.
    public = _thread(world, category=world.general)
    discussions.set_watch(world.carla, public.id, "watch")
    discussions.reply(world.site_mentor, public.id, "Site mentors count too")
    assert _who("mentor_answer") == {"bilal", "carla"}


def test_watcher_who_lost_access_hears_nothing(world):
    thread = _thread(world)
    discussions.set_watch(world.bilal, thread.id, "watch")
    db.session.execute(CohortMembership.__table__.delete().where(
        CohortMembership.user_id == world.bilal.id))
    db.session.commit()
    from flask import g

    g.pop("_memberships", None)
    discussions.reply(world.mentor, thread.id, "Mentor here")
    assert "bilal" not in _who()


# --------------------------------------------------------------------------- categories


def test_new_thread_in_watched_category_notifies_readers_who_watch(world):
    preferences.set_category_watch(world.bilal, world.lounge_a.id, "watch")
    preferences.set_category_watch(world.amina, world.lounge_a.id, "watch")
    # A watch row left behind by someone outside the cohort must not leak the thread.
    db.session.add(CategoryWatch(user_id=world.carla.id, category_id=world.lounge_a.id,
                                 level="watch"))
    db.session.commit()
    _thread(world)
    _thread(world, body="Another")
    [row] = _rows(kind="new_thread")
    assert row.user_id == world.bilal.id and row.count == 2
    assert svc.describe(row) == "2 new threads in Alpha lounge"
    assert _who() == {"bilal"}


def test_outsider_cannot_watch_a_private_category(world):
    with pytest.raises(NotFound):
        preferences.set_category_watch(world.carla, world.lounge_a.id, "watch")
    with pytest.raises(Invalid):
        preferences.set_category_watch(world.amina, world.lounge_a.id, "loud")


# --------------------------------------------------------------------------- moderation


def test_notify_moderation_is_recorded_and_never_collapsed(world):
    thread = _thread(world)
    for action in ("hide", "restore"):
        pending = svc.notify_moderation(world.amina.id, action=action, reason="Off topic",
                                        target_type="thread", target_id=thread.id,
                                        url=f"/t/{thread.id}", actor_id=world.moderator.id)
        db.session.commit()
        svc.deliver(pending)
        assert pending.user_ids == {world.amina.id}
    rows = _rows(world.amina)
    assert [(r.kind, r.detail, r.count) for r in rows] == [("moderation", "hide", 1),
                                                          ("moderation", "restore", 1)]
    assert svc.describe(rows[0]) == "A moderator hid your content."
    own = svc.notify_moderation(world.moderator.id, action="hide", reason="", target_type="post",
                                target_id=1, url=None, actor_id=world.moderator.id)
    assert own.user_ids == set()


# --------------------------------------------------------------------------- the centre


def test_list_mark_read_and_privacy_of_other_peoples_rows(world):
    for i in range(5):
        _thread(world, body=f"Hi @bilal number {i}")
    page = svc.list_notifications(world.bilal, limit=2)
    assert page["unread"] == 5 and len(page["items"]) == 2 and page["next_cursor"]
    assert page["items"][0]["excerpt"] == "Hi @bilal number 4"  # newest first
    seen = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = svc.list_notifications(world.bilal, page["next_cursor"], limit=2)
        seen += [i["id"] for i in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    with pytest.raises(NotFound):
        svc.mark_read(world.amina, seen[0])  # not hers: looks missing
    with pytest.raises(Invalid):
        svc.list_notifications(world.bilal, "garbage")
    assert svc.mark_read(world.bilal, seen[0])["unread"] == 4
    assert svc.mark_all_read(world.bilal) == {"marked": 4, "unread": 0}
    assert svc.unread_count(world.bilal) == 0


def test_rows_of_a_cohort_left_disappear_from_count_and_list(world):
    _thread(world, body="Hi @bilal")
    _thread(world, category=world.general, body="Hi @bilal")
    assert svc.unread_count(world.bilal) == 2
    db.session.execute(CohortMembership.__table__.delete().where(
        CohortMembership.user_id == world.bilal.id))
    db.session.commit()
    assert svc.unread_count(world.bilal) == 1
    [left] = svc.list_notifications(world.bilal)["items"]
    assert left["id"] == _rows(world.bilal)[1].id  # only the global thread's mention remains


def test_preferences_validate_and_store_only_differences(world):
    with pytest.raises(Invalid) as caught:
        preferences.set_preferences(world.amina, {"reply": "loud", "bogus": "app"})
    assert set(caught.value.fields) == {"kind_reply", "kind_bogus"}
    preferences.set_preferences(world.amina, {"reply": "email", "new_thread": "off"},
                                digest="off")
    stored = dict(db.session.execute(select(NotificationPreference.kind,
                                            NotificationPreference.delivery)).all())
    assert stored == {"new_thread": "off", "digest": "off"}  # reply=email is the default
    prefs = preferences.get_preferences(world.amina)
    assert prefs.kinds["new_thread"] == "off" and prefs.digest == "off"
    assert {c.category.slug for c in prefs.categories} >= {"alpha-lounge", "general"}
    assert "bravo-lounge" not in {c.category.slug for c in prefs.categories}


# --------------------------------------------------------------------------- chat


@pytest.fixture
def chat_world(make, app):
    """The chat setting of tests/chat_helpers.py, inside a request context."""
    with app.test_request_context("/"):
        cohort = make.cohort("geneva-2026", name="Geneva 2026")
        other = make.cohort("nairobi-2026", name="Nairobi 2026")
        yield chat_helpers.ChatWorld(
            cohort=cohort, other_cohort=other,
            channel=chat_helpers.channel("general", cohort),
            other_channel=chat_helpers.channel("general", other),
            lobby=chat_helpers.channel("lobby"),
            amina=make.user("amina", cohorts=[cohort]),
            bruno=make.user("bruno", cohorts=[cohort]),
            carla=make.user("carla", cohorts=[other]), mod=make.user("mod", role="moderator"),
        )


_client_ids = itertools.count(1)


def _send(user, channel, body):
    return chat.send_message(user, channel.id, body, f"c{next(_client_ids)}")


def test_direct_message_notifies_the_other_member_and_collapses(chat_world):
    w = chat_world
    dm = chat.open_direct_channel(w.amina, ["bruno"])
    _send(w.amina, dm, "Hi Bruno")
    _send(w.amina, dm, "Are you there?")
    [row] = _rows()
    assert (row.user_id, row.kind, row.count) == (w.bruno.id, "direct_message", 2)
    assert svc.describe(row) == "2 new direct messages, the latest from Amina"
    assert row.url == f"/chat/{dm.id}"


def test_chat_mention_reaches_channel_readers_only_and_respects_mutes(chat_world):
    w = chat_world
    _send(w.amina, w.channel, "@bruno @carla @amina look")
    assert _who() == {"bruno"}  # carla cannot read the cohort channel; amina is the author
    db.session.add(ChannelMute(user_id=w.bruno.id, channel_id=w.channel.id))
    db.session.commit()
    _send(w.amina, w.channel, "@bruno again")
    assert [r.count for r in _rows(w.bruno)] == [1]
    _send(w.amina, w.lobby, "@carla in the lobby")
    assert _who() == {"bruno", "carla"}


def test_muted_direct_conversation_is_silent(chat_world):
    w = chat_world
    dm = chat.open_direct_channel(w.amina, ["bruno"])
    preferences.set_channel_mute(w.bruno, dm.id, True)
    _send(w.amina, dm, "Hello?")
    assert _rows() == []
    with pytest.raises(NotFound):
        preferences.set_channel_mute(w.carla, dm.id, True)


def test_retried_chat_send_notifies_once(chat_world):
    w = chat_world
    dm = chat.open_direct_channel(w.amina, ["bruno"])
    chat.send_message(w.amina, dm.id, "Once", "same-id")
    chat.send_message(w.amina, dm.id, "Once", "same-id")
    assert [r.count for r in _rows()] == [1]



def test_query_count_of_a_new_thread_does_not_grow_with_watchers(world, make, queries):
    from flask import g

    def watchers(n: int) -> None:
        for _ in range(n):
            person = make.user(cohorts=[world.cohort_a])
            db.session.add(CategoryWatch(user_id=person.id, category_id=world.lounge_a.id,
                                         level="watch"))
        db.session.commit()

    counts = []
    for n in (3, 30):
        watchers(n)
        db.session.execute(Notification.__table__.update().values(read_at=utcnow()))
        db.session.commit()  # earlier rows read: every watcher gets a new row each round
        g.pop("_memberships", None)
        with queries() as statements:
            _thread(world)
        counts.append(len(statements))
    assert len(_rows(kind="new_thread")) == 3 + 33  # the first 3 watchers are told twice
    assert counts[0] == counts[1], counts


def test_chat_edit_notifies_only_newly_mentioned_readers(chat_world):
    w = chat_world
    message = _send(w.amina, w.channel, "Hello @bruno")
    chat.edit_message(w.amina, message.id, "Hello @bruno and @carla and @mod")
    assert _who() == {"bruno", "mod"}  # carla cannot read the channel; bruno told once
    assert [r.count for r in _rows(w.bruno)] == [1]


# --------------------------------------------------------------------------- quoted words


def test_hiding_a_post_takes_its_words_out_of_notifications_and_restoring_brings_them_back(
        world, app):
    from forum.services.moderation import content

    thread = _thread(world)
    post = discussions.reply(world.bilal, thread.id, "Call me on +41 22 555 0101 tonight")
    [row] = _rows(world.amina)
    assert "555 0101" in row.excerpt
    page = discussions_helpers.login(app, world.amina)
    assert "555 0101" in page.get("/notifications").text

    content.hide(world.facilitator, "post", post.id, "Private number")

    db.session.expire_all()
    [row] = _rows(world.amina)
    assert row.excerpt == "" and row.kind == "reply"  # the line stays, the words go
    listing = page.get("/notifications").text
    assert "555 0101" not in listing and "Packing for Geneva" in listing
    assert "555 0101" not in page.get("/api/v1/notifications").text

    content.restore(world.facilitator, "post", post.id)
    db.session.expire_all()
    assert "555 0101" in _rows(world.amina)[0].excerpt


def test_an_edit_or_a_delete_by_the_author_reaches_the_quoted_words(world):
    thread = _thread(world)
    post = discussions.reply(world.bilal, thread.id, "My flat is at Rue de Lausanne 12")
    discussions.edit_post(world.bilal, post.id, "Ask me for the address privately")
    db.session.expire_all()
    assert _rows(world.amina)[0].excerpt == "Ask me for the address privately"

    discussions.delete_post(world.bilal, post.id)
    db.session.expire_all()
    assert _rows(world.amina)[0].excerpt == ""


def test_hiding_a_chat_message_takes_its_words_out_of_the_mention(chat_world):
    from forum.services.moderation import content

    w = chat_world
    message = _send(w.amina, w.channel, "@bruno something abusive")
    [row] = _rows(w.bruno)
    assert row.excerpt == "@bruno something abusive"

    content.hide(w.mod, "message", message.id, "Abuse")

    db.session.expire_all()
    assert _rows(w.bruno)[0].excerpt == ""


def test_a_reply_racing_another_counts_up_the_same_unread_row(world):
    import sqlalchemy.exc

    from forum.services.notifications import core

    thread = _thread(world)
    discussions.reply(world.bilal, thread.id, "First")
    [row] = _rows(world.amina)
    # A second transaction that looked before the first committed finds no unread row and
    # inserts: the unique index turns its insert into a count-up of the same row.
    event = core.Event(kind="reply", target_type="thread", target_id=thread.id,
                       actor_id=world.mentor.id, subject="Packing for Geneva", excerpt="Second")
    fresh = [{"user_id": world.amina.id, "kind": "reply", "target_type": "thread",
              "target_id": thread.id, "cohort_id": world.cohort_a.id, "count": 1,
              "detail": "", "created_at": utcnow(), "read_at": None, "emailed_at": None,
              "digested_at": None, "actor_id": world.mentor.id, "subject": "Packing for Geneva",
              "excerpt": "Second", "url": "/p/1", "updated_at": utcnow(), "source_type": "",
              "source_id": None}]
    [(row_id, user_id)] = db.session.execute(
        core._insert_or_count_up(event, {"excerpt": "Second"}, fresh)).all()
    db.session.commit()
    db.session.expire_all()
    [again] = _rows(world.amina)
    assert (row_id, user_id, again.id, again.count, again.excerpt) == (
        row.id, world.amina.id, row.id, 2, "Second")
    # Without the upsert the database itself refuses a second unread row for the target.
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.session.execute(Notification.__table__.insert().values(fresh))
    db.session.rollback()
    # Moderation notices never collapse: several unread ones about one post are fine.
    for action in ("hide", "restore"):
        svc.notify_moderation(world.amina.id, action=action, reason="", target_type="post",
                              target_id=1, url="/p/1", actor_id=world.moderator.id)
    db.session.commit()
    assert len(_rows(world.amina, kind="moderation")) == 2


def test_hiding_a_thread_takes_its_title_and_opening_words_out_of_notifications(world):
    from forum.services.moderation import content

    db.session.add(CategoryWatch(user_id=world.bilal.id, category_id=world.lounge_a.id,
                                 level="watch"))
    db.session.commit()
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Insulting title",
                                       "@mona insulting words")
    discussions.reply(world.mentor, thread.id, "A calm answer")
    [reply] = _rows(world.amina, kind="reply")
    assert svc.describe(reply).endswith("replied in “Insulting title”")
    [new_thread] = _rows(world.bilal, kind="new_thread")
    [mention] = _rows(world.mentor, kind="mention")
    assert "Insulting title" in svc.describe(new_thread)
    assert "insulting words" in mention.excerpt

    content.hide(world.facilitator, "thread", thread.id, "Abuse")

    db.session.expire_all()
    [new_thread] = _rows(world.bilal, kind="new_thread")
    assert new_thread.excerpt == "" and "Insulting" not in svc.describe(new_thread)
    assert svc.describe(new_thread) == "1 new thread in Alpha lounge"
    assert _rows(world.mentor, kind="mention")[0].excerpt == ""
    replied = svc.describe(_rows(world.amina, kind="reply")[0])
    assert "Insulting" not in replied and "(removed by a moderator)" in replied

    content.restore(world.facilitator, "thread", thread.id)
    db.session.expire_all()
    assert "Insulting title" in svc.describe(_rows(world.amina, kind="reply")[0])
    assert "Insulting title" in svc.describe(_rows(world.bilal, kind="new_thread")[0])
    assert "insulting words" in _rows(world.mentor, kind="mention")[0].excerpt
