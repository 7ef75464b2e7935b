"""Moderation pages without JavaScript: the flag form, the queue, people, audit, the nav link."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Flag, Post, User
from forum.services import discussions
from forum.services.moderation import content, flags
from tests import discussions_helpers
from tests.chat_helpers import channel
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


def _reply(world, text="A reply", category=None, author=None):
    thread = discussions.create_thread(author or world.amina, (category or world.lounge_a).id,
                                       "Thread title here", "Opening")
    return thread, discussions.reply(author or world.bilal, thread.id, text)


def test_flag_form_works_without_javascript(app, world):
    thread, post = _reply(world)
    amina = Browser(app, world.amina)
    page = amina.get(f"/t/{thread.id}").text
    assert f'href="/flag/post/{post.id}"' in page  # the Report link on someone else's post
    form = amina.get(f"/flag/post/{post.id}")
    assert form.status_code == 200 and "Confidential information" in form.text
    assert "direct-report-notice" not in form.text  # only a private conversation says it
    missing = amina.post(f"/flag/post/{post.id}", data={"note": "kept text"})
    assert missing.status_code == 422 and "Choose a reason." in missing.text
    assert "kept text" in missing.text  # nothing typed is lost
    other = amina.post(f"/flag/post/{post.id}", data={"reason": "other"})
    assert other.status_code == 422 and "Tell the moderators what is wrong." in other.text
    done = amina.post(f"/flag/post/{post.id}", data={"reason": "other", "note": "Off-putting"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/p/{post.id}")
    again = amina.post(f"/flag/post/{post.id}", data={"reason": "spam"})
    assert again.status_code == 303
    assert "already flagged" in amina.get(again.headers["Location"], follow_redirects=True).text
    assert db.session.scalar(select(func.count(Flag.id))) == 1
    assert Browser(app, world.carla).get(f"/flag/post/{post.id}").status_code == 404
    assert amina.get("/flag/user/1").status_code == 404


def test_queue_shows_context_oldest_first_filtered_by_cohort(app, world, make):
    carla_friend = make.user("cora", cohorts=[world.cohort_b])
    _t1, first = _reply(world, "First flagged text")
    _t2, second = _reply(world, "Second one", category=world.lounge_b, author=world.carla)
    flags.flag(world.amina, "post", first.id, "harassment")
    flags.flag(world.mentor, "post", first.id, "other", "He insulted me")
    flags.flag(carla_friend, "post", second.id, "spam")
    mod = Browser(app, world.moderator).get("/moderation").text
    assert mod.index(f'id="queue-post-{first.id}"') < mod.index(f'id="queue-post-{second.id}"')
    assert "Thread title here" in mod and "First flagged text" in mod
    assert "Harassment or abuse \u00d7 1" in mod and "He insulted me" in mod and "@mona" in mod
    filtered = Browser(app, world.moderator).get(f"/moderation?cohort={world.cohort_b.id}").text
    assert f"queue-post-{second.id}" in filtered and f"queue-post-{first.id}" not in filtered
    facilitator = Browser(app, world.facilitator).get("/moderation").text
    assert f"queue-post-{first.id}" in facilitator and f"queue-post-{second.id}" not in facilitator
    sneaky = Browser(app, world.facilitator).get(f"/moderation?cohort={world.cohort_b.id}").text
    assert f"queue-post-{second.id}" not in sneaky


def test_queue_actions_from_the_page(app, world):
    _thread, post = _reply(world, "Spammy link")
    flags.flag(world.amina, "post", post.id, "spam")
    mod = Browser(app, world.facilitator)
    empty = mod.post(f"/moderation/post/{post.id}/hide", data={"reason": ""})
    assert empty.status_code == 303
    assert "Give a reason" in mod.get("/moderation").text  # flashed, nothing hidden
    assert db.session.get(Post, post.id).hidden_at is None
    done = mod.post(f"/moderation/post/{post.id}/hide", data={"reason": "Spam",
                                                               "next": "//evil.example/"})
    assert done.status_code == 303 and done.headers["Location"] == "/moderation"
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is not None
    assert "Nothing to review" in mod.get("/moderation").text


def test_queue_page_has_a_constant_number_of_queries(app, world, make, queries):
    room = channel("general", world.cohort_a)
    reporters = [make.user(f"rep{n}", cohorts=[world.cohort_a]) for n in range(2)]
    app.config["MODERATION_FLAG_THRESHOLD"] = 99
    mod = Browser(app, world.moderator)

    def add_items(n: int) -> None:
        from forum.services import chat

        for i in range(n):
            thread, post = _reply(world, f"post {i}")
            message = chat.send_message(world.bilal, room.id, f"msg {i}", f"q{i}-{n}")
            for who in reporters:
                flags.flag(who, "post", post.id, "spam")
                flags.flag(who, "thread", thread.id, "off_topic")
                flags.flag(who, "message", message.id, "harassment")

    add_items(1)
    mod.get("/moderation")  # warm up
    with queries() as few:
        assert mod.get("/moderation").status_code == 200
    add_items(4)
    with queries() as many:
        page = mod.get("/moderation").text
    assert len(re.findall(r'class="card queue-item"', page)) == 15
    assert len(many) == len(few), many


def test_people_page_and_actions(app, world):
    mod = Browser(app, world.facilitator)
    page = mod.get(f"/moderation/people/{world.amina.id}")
    assert page.status_code == 200 and "In good standing." in page.text
    assert "Ban</h2>" not in page.text  # facilitators cannot ban
    bad = mod.post(f"/moderation/people/{world.amina.id}/suspend",
                   data={"days": "0", "hours": "0", "reason": "Cool down"})
    assert bad.status_code == 422 and "Between one hour" in bad.text and "Cool down" in bad.text
    ok = mod.post(f"/moderation/people/{world.amina.id}/suspend",
                  data={"days": "2", "hours": "0", "reason": "Cool down"})
    assert ok.status_code == 303
    page = mod.get(f"/moderation/people/{world.amina.id}").text
    # A facilitator's suspension is a restriction in their cohort, not site-wide.
    assert "Restricted in cohort Cohort Alpha until" in page and "Cool down" in page
    assert "Your account is suspended" not in Browser(app, world.amina).get("/c").text
    assert mod.post(f"/moderation/people/{world.amina.id}/lift",
                    data={"reason": "ok"}).status_code == 303
    assert "In good standing." in mod.get(f"/moderation/people/{world.amina.id}").text
    global_mod = Browser(app, world.moderator)
    assert global_mod.post(f"/moderation/people/{world.amina.id}/suspend",
                           data={"days": "2", "hours": "0", "reason": "Site"}).status_code == 303
    assert "Your account is suspended until" in Browser(app, world.amina).get("/c").text
    assert global_mod.post(f"/moderation/people/{world.amina.id}/lift",
                           data={"reason": "ok"}).status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, world.amina.id).is_suspended()


def test_audit_page_filters_and_pages(app, world):
    thread, _post = _reply(world)
    for n in range(3):
        content.set_thread_state(world.facilitator, thread.id, pinned=n % 2 == 0)
    mod = Browser(app, world.moderator)
    page = mod.get("/moderation/audit?action=pin").text
    assert page.count('data-action="pin"') == 2 and 'data-action="unpin"' not in page
    assert mod.get("/moderation/audit?action=bogus").status_code == 422
    mine = Browser(app, world.facilitator).get("/moderation/audit").text
    assert mine.count('class="audit-entry"') == 3
    assert Browser(app, world.amina).get("/moderation/audit").status_code == 403


def test_nav_link_only_for_moderators(app, world):
    link = 'href="/moderation"'
    assert link in Browser(app, world.facilitator).get("/c").text
    assert link in Browser(app, world.moderator).get("/c").text
    assert link not in Browser(app, world.amina).get("/c").text
    assert link not in Browser(app, world.mentor).get("/c").text


def test_thread_tools_lock_move_for_moderators(app, world):
    thread, _post = _reply(world)
    mod = Browser(app, world.facilitator)
    page = mod.get(f"/t/{thread.id}").text
    assert "Moderate this thread" in page
    assert "Moderate this thread" not in Browser(app, world.amina).get(f"/t/{thread.id}").text
    assert mod.post(f"/moderation/thread/{thread.id}/state",
                    data={"change": "lock"}).status_code == 303
    assert "This thread is locked." in Browser(app, world.amina).get(f"/t/{thread.id}").text
    form = mod.get(f"/moderation/thread/{thread.id}/move").text
    assert "Alpha questions" in form and "Bravo" not in form and "General" not in form
    moved = mod.post(f"/moderation/thread/{thread.id}/move",
                     data={"category_id": str(world.qa_a.id), "reason": "Q&A"})
    assert moved.status_code == 303
    refused = mod.post(f"/moderation/thread/{thread.id}/move",
                       data={"category_id": str(world.general.id)})
    assert refused.status_code == 422  # not a choice this facilitator has


def test_hidden_thread_takes_no_replies_but_from_moderators(app, world):
    thread, _post = _reply(world)
    content.hide(world.facilitator, "thread", thread.id, "Off-topic for this cohort")
    author = Browser(app, world.amina)
    page = author.get(f"/t/{thread.id}").text  # the author may still read it
    assert 'id="reply-form"' not in page
    refused = author.post(f"/t/{thread.id}/reply", data={"body": "Still here?"})
    assert refused.status_code == 403
    assert "hidden by a moderator and takes no replies" in refused.text
    assert db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == thread.id, Post.body_source == "Still here?")) == 0
    moderator = Browser(app, world.facilitator)
    assert 'id="reply-form"' in moderator.get(f"/t/{thread.id}").text
    discussions.reply(db.session.get(User, world.facilitator.id), thread.id, "Moderator note")


def test_locked_notice_and_reply_box(app, world):
    thread, _post = _reply(world)
    content.set_thread_state(world.facilitator, thread.id, locked=True)
    member_page = Browser(app, world.bilal).get(f"/t/{thread.id}").text
    assert 'id="reply-form"' not in member_page
    assert re.search(r'id="locked-notice"(?! hidden)', member_page)
    mod_page = Browser(app, world.facilitator).get(f"/t/{thread.id}").text
    assert 'id="reply-form"' in mod_page and "data-can-moderate" in mod_page
    content.set_thread_state(world.facilitator, thread.id, locked=False)
    unlocked = Browser(app, world.bilal).get(f"/t/{thread.id}").text
    assert 'id="reply-form"' in unlocked and 'id="locked-notice" hidden' in unlocked


def test_a_direct_message_is_reported_from_its_conversation_and_reviewed_in_the_queue(
        app, world):
    from forum.services import chat

    dm = chat.open_direct_channel(world.amina, ["bilal"])
    message = chat.send_message(world.amina, dm.id, "you are worthless", "dm-page-1")
    bilal = Browser(app, world.bilal)
    conversation = bilal.get(f"/chat/{dm.id}").text
    assert f'href="/flag/message/{message.id}"' in conversation
    form = bilal.get(f"/flag/message/{message.id}")
    assert form.status_code == 200 and "Harassment or abuse" in form.text
    assert 'id="direct-report-notice"' in form.text  # who will read it, said before sending
    done = bilal.post(f"/flag/message/{message.id}", data={"reason": "harassment"})
    assert done.status_code == 303

    queue = Browser(app, world.moderator).get("/moderation").text
    item = queue[queue.index(f'id="queue-message-{message.id}"'):]
    assert "you are worthless" in item
    assert f"/chat/{dm.id}" not in queue  # the conversation itself stays closed
    assert f"queue-message-{message.id}" not in Browser(app, world.facilitator).get(
        "/moderation").text
    assert Browser(app, world.moderator).get(f"/chat/{dm.id}").status_code == 404
