"""Discussion services: the rows they write and the broadcasts they send (and to whom)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import (
    Post,
    PostRevision,
    Reaction,
    Thread,
    ThreadRead,
    ThreadTag,
    ThreadWatch,
    utcnow,
)
from forum.services import discussions as svc
from tests import discussions_helpers
from tests.discussions_helpers import events, joined

world = discussions_helpers.world  # the fixture


def _thread(world, category=None, author=None) -> Thread:
    return svc.create_thread(author or world.amina, (category or world.lounge_a).id,
                             "A question", "What should I pack?")


def test_create_thread_writes_thread_first_post_tags_watch_and_read(world):
    thread = svc.create_thread(world.amina, world.lounge_a.id, "  Visa questions ",
                               "Anyone renewed a **laissez-passer**?", "visa, Travel, visa")
    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    assert stored.title == "Visa questions"
    assert stored.reply_count == 0
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
    assert [p.id for p in posts] == [stored.first_post_id] == [stored.last_post_id]
    assert "<strong>laissez-passer</strong>" in posts[0].body_html
    tags = db.session.scalars(select(ThreadTag.tag).where(ThreadTag.thread_id == thread.id))
    assert sorted(tags) == ["travel", "visa"]
    watch = db.session.scalar(select(ThreadWatch).where(ThreadWatch.thread_id == thread.id))
    assert (watch.user_id, watch.level) == (world.amina.id, "watch")
    read = db.session.scalar(select(ThreadRead).where(ThreadRead.thread_id == thread.id))
    assert read.last_read_post_id == stored.first_post_id


def test_create_thread_reports_every_bad_field_and_writes_nothing(world, app):
    app.config["POST_MAX_LENGTH"] = 20
    with pytest.raises(Invalid) as caught:
        svc.create_thread(world.amina, world.general.id, "x", "y" * 21, "ok, not/ok")
    assert set(caught.value.fields) == {"title", "body", "tags"}
    assert db.session.scalar(select(Thread.id)) is None


def test_outsider_cannot_post_in_another_cohort(world):
    with pytest.raises(NotFound):
        svc.create_thread(world.carla, world.lounge_a.id, "Hello", "Hi")
    thread = _thread(world)
    with pytest.raises(NotFound):
        svc.reply(world.carla, thread.id, "sneaky")
    assert db.session.scalar(select(Thread.reply_count).where(Thread.id == thread.id)) == 0


def test_suspended_user_cannot_post(world):
    world.bilal.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(Forbidden) as caught:
        svc.create_thread(world.bilal, world.general.id, "Hello", "Hi")
    assert caught.value.code == "suspended"


def test_reply_updates_counters_and_reaches_only_the_room(world, app, socket_client):
    thread = _thread(world)
    reader, ack = joined(socket_client, app, world.bilal, thread.id)
    assert ack == {"ok": True, "thread_id": thread.id}
    outsider, refused = joined(socket_client, app, world.carla, thread.id)
    assert refused == {"ok": False, "error": {"code": "not_found", "message": "Not found."}}
    reader.get_received(), outsider.get_received()

    post = svc.reply(world.amina, thread.id, "Bring a **warm** coat, @bilal")

    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    assert stored.reply_count == 1
    assert stored.last_post_id == post.id
    assert stored.last_activity_at == db.session.get(Post, post.id).created_at
    received = events(reader, "post:new")
    assert len(received) == 1
    message = received[0]
    assert (message["thread_id"], message["post_id"], message["parent_id"]) == (
        thread.id, post.id, None)
    assert f'id="post-{post.id}"' in message["html"]
    assert "<strong>warm</strong>" in message["html"]
    assert 'href="/u/bilal"' in message["html"]
    assert 'name="csrf_token" value=""' in message["html"]  # no token of the author's session
    assert outsider.get_received() == []


def test_reply_to_a_post_builds_the_tree(world):
    thread = _thread(world)
    first = svc.reply(world.bilal, thread.id, "Level 0")
    second = svc.reply(world.amina, thread.id, "Level 1", parent_id=first.id)
    third = svc.reply(world.bilal, thread.id, "Level 2", parent_id=second.id)
    to_thread = svc.reply(world.bilal, thread.id, "Also level 0", parent_id=thread.first_post_id)
    assert (first.depth, second.depth, third.depth) == (0, 1, 2)
    assert (second.parent_id, third.parent_id, to_thread.parent_id) == (first.id, second.id, None)
    other = svc.create_thread(world.amina, world.general.id, "Other", "Elsewhere")
    with pytest.raises(Invalid):
        svc.reply(world.amina, other.id, "Crossing threads", parent_id=first.id)


def test_locked_thread_refuses_replies_except_from_moderators(world):
    thread = _thread(world)
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(Forbidden):
        svc.reply(world.bilal, thread.id, "Hello?")
    assert svc.reply(world.facilitator, thread.id, "Locked for a reason").id


def test_edit_keeps_a_revision_and_broadcasts(world, app, socket_client):
    thread = _thread(world)
    post = svc.reply(world.bilal, thread.id, "First *draft*")
    reader, _ack = joined(socket_client, app, world.amina, thread.id)
    reader.get_received()
    with pytest.raises(Forbidden):
        svc.edit_post(world.amina, post.id, "Not mine")

    svc.edit_post(world.bilal, post.id, "Second version")

    db.session.expire_all()
    stored = db.session.get(Post, post.id)
    assert stored.body_source == "Second version" and stored.edited_at is not None
    revisions = db.session.scalars(select(PostRevision)).all()
    assert [(r.post_id, r.body_source, r.editor_id) for r in revisions] == [
        (post.id, "First *draft*", world.bilal.id)]
    [message] = events(reader, "post:edited")
    assert message["post_id"] == post.id and "Second version" in message["html"]
    assert "edited" in message["html"]


def test_delete_leaves_a_placeholder_keeps_replies_and_fixes_counters(world, app, socket_client):
    thread = _thread(world)
    early = svc.reply(world.bilal, thread.id, "Early")
    answer = svc.reply(world.bilal, thread.id, "Late answer")
    child = svc.reply(world.amina, thread.id, "Thanks", parent_id=answer.id)
    svc.delete_post(world.amina, child.id)
    reader, _ack = joined(socket_client, app, world.amina, thread.id)
    reader.get_received()

    svc.delete_post(world.bilal, answer.id)

    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    assert stored.reply_count == 1
    assert stored.last_post_id == early.id
    assert stored.last_activity_at == db.session.get(Post, early.id).created_at
    deleted = db.session.get(Post, answer.id)
    assert deleted.deleted_at is not None
    assert db.session.get(Post, child.id).parent_id == answer.id  # replies keep their place
    [message] = events(reader, "post:deleted")
    assert "This post was deleted." in message["html"] and "Late answer" not in message["html"]
    with pytest.raises(Forbidden):
        svc.delete_post(world.amina, thread.first_post_id)


def test_reactions_are_unique_per_kind_and_broadcast_counts(world, app, socket_client):
    thread = _thread(world)
    post = svc.reply(world.bilal, thread.id, "Useful tip")
    reader, _ack = joined(socket_client, app, world.bilal, thread.id)
    reader.get_received()

    assert svc.react(world.amina, post.id, "like") == {"like": 1}
    assert svc.react(world.amina, post.id, "like") == {"like": 1}
    assert svc.react(world.mentor, post.id, "helpful") == {"like": 1, "helpful": 1}
    assert svc.toggle_reaction(world.amina, post.id, "like") == {"helpful": 1}
    with pytest.raises(Invalid):
        svc.react(world.amina, post.id, "angry")
    with pytest.raises(NotFound):
        svc.react(world.carla, post.id, "like")

    rows = db.session.execute(select(Reaction.user_id, Reaction.kind)).all()
    assert rows == [(world.mentor.id, "helpful")]
    counts = [m["counts"] for m in events(reader, "reaction:counts")]
    assert counts[-1] == {"helpful": 1} and len(counts) == 4


def test_accept_answer_rules(world):
    question = _thread(world, world.qa_a)
    answer = svc.reply(world.mentor, question.id, "Here is how")
    with pytest.raises(Forbidden):
        svc.accept_answer(world.bilal, answer.id)  # neither author nor mentor
    with pytest.raises(Invalid):
        svc.accept_answer(world.amina, question.first_post_id)
    assert svc.accept_answer(world.amina, answer.id).accepted_post_id == answer.id
    assert svc.accept_answer(world.mentor, answer.id, accept=False).accepted_post_id is None
    assert svc.accept_answer(world.facilitator, answer.id).accepted_post_id == answer.id

    chat = _thread(world, world.lounge_a)
    reply = svc.reply(world.bilal, chat.id, "Not a Q&A space")
    with pytest.raises(Forbidden):
        svc.accept_answer(world.amina, reply.id)
    # Deleting the accepted answer clears it.
    svc.delete_post(world.mentor, answer.id)
    assert db.session.get(Thread, question.id).accepted_post_id is None


def test_unread_counts_and_mark_read(world):
    thread = _thread(world)
    [summary] = [s for s in svc.list_categories(world.bilal)
                 if s.category.id == world.lounge_a.id]
    assert (summary.thread_count, summary.unread_count) == (1, 1)
    page = svc.read_thread(world.bilal, thread.id)
    assert page.first_unread_id == thread.first_post_id
    [summary] = [s for s in svc.list_categories(world.bilal)
                 if s.category.id == world.lounge_a.id]
    assert summary.unread_count == 0
    reply = svc.reply(world.amina, thread.id, "News")
    assert svc.read_thread(world.bilal, thread.id).first_unread_id == reply.id
    svc.mark_read(world.bilal, thread.id, reply.id)
    assert svc.read_thread(world.bilal, thread.id).first_unread_id is None
    # The author's own reply does not count as unread for them.
    [mine] = [s for s in svc.list_categories(world.amina) if s.category.id == world.lounge_a.id]
    assert mine.unread_count == 0


def test_watch_and_mute(world):
    thread = _thread(world)
    assert svc.set_watch(world.bilal, thread.id, "mute") == "mute"
    assert svc.set_watch(world.bilal, thread.id, "watch") == "watch"
    rows = db.session.execute(select(ThreadWatch.user_id, ThreadWatch.level)
                              .order_by(ThreadWatch.user_id)).all()
    assert rows == [(world.amina.id, "watch"), (world.bilal.id, "watch")]
    svc.set_watch(world.amina, thread.id, None)
    assert db.session.scalar(select(ThreadWatch.user_id)) == world.bilal.id
    with pytest.raises(NotFound):
        svc.set_watch(world.carla, thread.id, "watch")
    with pytest.raises(Invalid):
        svc.set_watch(world.bilal, thread.id, "loud")


def test_demo_seed_adds_readable_content(make):
    from forum.services import demo_discussions

    cohort = make.cohort("demo")
    admin = make.user("admin", role="admin")
    mentor = make.user("mentor", cohorts=[cohort], cohort_role="mentor")
    members = [make.user("m1", cohorts=[cohort]), make.user("m2", cohorts=[cohort])]
    demo_discussions.seed(admin=admin, moderator=admin, mentors=[mentor], members=members,
                          cohort=cohort)
    db.session.commit()
    summaries = svc.list_categories(members[1])
    assert {s.category.mode for s in summaries} == {"discussion", "qa", "ask_mentor"}
    ask = next(s for s in summaries if s.category.mode == "ask_mentor")
    assert ask.thread_count == 0  # m2 did not ask anything; m1's question stays private
    assert next(s for s in svc.list_categories(mentor)
                if s.category.mode == "ask_mentor").thread_count == 1


def test_posts_since_lets_a_page_catch_up_but_not_an_outsider(world, app, socket_client):
    thread = _thread(world)
    seen = svc.reply(world.bilal, thread.id, "Seen before the drop")
    missed = [svc.reply(world.amina, thread.id, f"Missed {n}", parent_id=seen.id)
              for n in range(2)]
    reader, _ack = joined(socket_client, app, world.bilal, thread.id)
    ack = reader.emit("thread:since", {"thread_id": thread.id, "after_id": seen.id},
                      callback=True)
    assert ack["ok"] is True
    assert [(p["post_id"], p["parent_id"]) for p in ack["posts"]] == [
        (missed[0].id, seen.id), (missed[1].id, seen.id)]
    assert "Missed 1" in ack["posts"][1]["html"]
    outsider, _refused = joined(socket_client, app, world.carla, thread.id)
    assert outsider.emit("thread:since", {"thread_id": thread.id, "after_id": 0},
                         callback=True) == {"ok": False, "error": {"code": "not_found",
                                                                   "message": "Not found."}}


def test_thread_list_pages_visit_every_thread_once_even_with_equal_times(world):
    """The keyset cursor orders by (activity, id): threads sharing a moment are not skipped."""
    ids = [svc.create_thread(world.amina, world.lounge_a.id, f"Topic {n}", "Body", "").id
           for n in range(2 * svc.THREADS_PER_PAGE + 5)]
    moments = [utcnow() - timedelta(hours=1), utcnow() - timedelta(hours=2)]
    for n, thread in enumerate(db.session.scalars(select(Thread).where(Thread.id.in_(ids)))):
        thread.last_activity_at = moments[n % 2]  # two big groups of equal times
    db.session.commit()
    seen, after = [], None
    while True:
        page = svc.category_page(world.amina, world.lounge_a.slug, after=after)
        seen += [(row.thread.last_activity_at, row.thread.id) for row in page.threads]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(i for _, i in seen) == sorted(ids)
    assert seen == sorted(seen, reverse=True)


def test_post_count_counts_every_post_row_and_sets_the_pages(world):
    thread = _thread(world)
    replies = [svc.reply(world.bilal, thread.id, f"Reply {n}") for n in range(svc.PAGE_SIZE)]
    svc.delete_post(world.bilal, replies[0].id)  # a deleted post keeps its place on the page

    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    rows = db.session.scalar(select(db.func.count()).select_from(Post)
                             .where(Post.thread_id == thread.id))
    assert stored.post_count == rows == svc.PAGE_SIZE + 1
    page = svc.read_thread(world.amina, thread.id, page=2)
    assert page.pages == 2
    assert [item.post.body_source for item in page.items] == [f"Reply {svc.PAGE_SIZE - 1}"]


def test_reply_counts_in_sql_so_a_stale_thread_object_loses_no_reply(world):
    thread = _thread(world)
    stale = db.session.get(Thread, thread.id)
    assert stale.reply_count == 0
    # Another process replies meanwhile: its increment is in the database, not in `stale`.
    db.session.execute(db.update(Thread).where(Thread.id == thread.id)
                       .values(reply_count=Thread.reply_count + 1))
    svc.reply(world.bilal, thread.id, "Mine")

    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 2
