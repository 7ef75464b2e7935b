"""Moderation services: flags, automatic protection, content and people actions, audit rows.

Every action is checked for its database effect, its audit row (same transaction), the author's
notification, and its undo.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.extensions import db
from forum.models import AuditEntry, Flag, Hold, Message, Notification, Post, Thread, User, utcnow
from forum.services import chat, discussions
from forum.services.moderation import audit, content, flags, people, queue
from tests import discussions_helpers
from tests.chat_helpers import channel

world = discussions_helpers.world  # the fixture


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def _notes(user: User) -> list[tuple[str, str]]:
    return [(n.detail, n.excerpt) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.kind == "moderation").order_by(Notification.id))]


def _thread(world, category=None, author=None, title="A question", body="Some text"):
    return discussions.create_thread(author or world.amina, (category or world.lounge_a).id,
                                     title, body)


# --------------------------------------------------------------------------- flags


def test_flag_once_per_member_with_reason_and_note(world):
    thread = _thread(world)
    post = discussions.reply(world.amina, thread.id, "Buy cheap watches")
    result = flags.flag(world.bilal, "post", post.id, "spam")
    assert result.flag.reason == "spam" and result.flag.cohort_id == world.cohort_a.id
    with pytest.raises(Conflict) as again:
        flags.flag(world.bilal, "post", post.id, "harassment")
    assert again.value.code == "already_flagged"
    with pytest.raises(Invalid) as bad:
        flags.flag(world.mentor, "post", post.id, "other")
    assert "note" in bad.value.fields  # "other" needs a note
    with pytest.raises(Invalid):
        flags.flag(world.mentor, "post", post.id, "boring")
    with pytest.raises(Invalid) as own:
        flags.flag(world.amina, "post", post.id, "spam")
    assert own.value.code == "own_content"
    with pytest.raises(NotFound):  # cohort B cannot even see it
        flags.flag(world.carla, "post", post.id, "spam")
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_threshold_hides_pending_review_and_keep_restores(world, app):
    app.config["MODERATION_FLAG_THRESHOLD"] = 2
    thread = _thread(world)
    post = discussions.reply(world.amina, thread.id, "Questionable")
    assert not flags.flag(world.bilal, "post", post.id, "spam").auto_hidden
    assert flags.flag(world.mentor, "post", post.id, "off_topic").auto_hidden
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is not None
    assert [e.actor_id for e in _audit("auto_hide")] == [None]
    assert _notes(world.amina)[0][0] == "hide"
    # Hidden from members now: nobody else can flag it either.
    with pytest.raises(NotFound):
        flags.flag(world.amina, "post", post.id, "spam")
    item = queue.review_queue(world.facilitator).items[0]
    assert (item.target_type, item.target_id, item.flag_count, item.hidden) == (
        "post", post.id, 2, True)
    assert item.reasons == {"spam": 1, "off_topic": 1}
    # "Keep": the flags close and the automatic hide is undone.
    content.dismiss(world.facilitator, "post", post.id)
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is None
    assert queue.review_queue(world.facilitator).items == []
    assert _audit("dismiss")[0].actor_id == world.facilitator.id
    assert _notes(world.amina)[-1][0] == "restore"


# --------------------------------------------------------------------------- content


def test_hide_restore_post_author_sees_reason_others_placeholder(world, app):
    thread = _thread(world)
    post = discussions.reply(world.bilal, thread.id, "Secret salary grid attached")
    flags.flag(world.amina, "post", post.id, "confidential")
    with pytest.raises(Invalid):  # a hide needs a reason
        content.hide(world.facilitator, "post", post.id, "  ")
    content.hide(world.facilitator, "post", post.id, "Confidential document")
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is not None
    assert db.session.scalar(select(Flag.resolution)) == "hidden"
    entry = _audit("hide")[0]
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.cohort_id, entry.reason) \
        == (world.facilitator.id, "post", post.id, world.cohort_a.id, "Confidential document")
    assert _notes(world.bilal) == [("hide", "Confidential document")]

    view = discussions_helpers.Browser(app, world.amina).get(f"/t/{thread.id}").text
    assert "Secret salary grid" not in view and "hidden by a moderator" in view
    mine = discussions_helpers.Browser(app, world.bilal).get(f"/t/{thread.id}").text
    assert "Secret salary grid" in mine and "Confidential document" in mine
    mod = discussions_helpers.Browser(app, world.facilitator).get(f"/t/{thread.id}").text
    assert "Secret salary grid" in mod and "Restore" in mod
    with pytest.raises(Invalid):  # reacting to hidden content
        discussions.react(world.amina, post.id, "like")

    content.restore(world.facilitator, "post", post.id, "Checked: public grid")
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is None
    assert db.session.scalar(select(func.count(Hold.id))) == 0
    assert _notes(world.bilal)[-1] == ("restore", "Checked: public grid")
    view = discussions_helpers.Browser(app, world.amina).get(f"/t/{thread.id}").text
    assert "Secret salary grid" in view
    with pytest.raises(Invalid):  # restoring twice is a clear error
        content.restore(world.facilitator, "post", post.id)


def test_hidden_thread_only_author_and_moderators(world, app):
    thread = _thread(world, title="Gossip about a colleague")
    content.hide(world.moderator, "thread", thread.id, "Personal attack")
    assert discussions_helpers.Browser(app, world.bilal).get(f"/t/{thread.id}").status_code == 404
    page = discussions_helpers.Browser(app, world.amina).get(f"/t/{thread.id}")
    assert page.status_code == 200 and "Personal attack" in page.text
    listing = discussions_helpers.Browser(app, world.bilal).get("/c/alpha-lounge").text
    assert "Gossip" not in listing
    content.restore(world.moderator, "thread", thread.id)
    assert discussions_helpers.Browser(app, world.bilal).get(f"/t/{thread.id}").status_code == 200


def test_delete_edit_lock_pin(world):
    thread = _thread(world)
    post = discussions.reply(world.bilal, thread.id, "My phone is +41 22 555 12 34")
    content.edit_post(world.facilitator, post.id, "My phone is [removed]", "No phone numbers")
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.body_source == "My phone is [removed]"
    _post, revisions = discussions.post_history(world.facilitator, post.id)
    assert revisions[0].body_source.endswith("12 34") and revisions[0].editor_id == \
        world.facilitator.id
    with pytest.raises(Invalid):  # the opening post goes with its thread
        content.remove(world.facilitator, "post", thread.first_post_id, "x")
    content.remove(world.facilitator, "post", post.id, "Spam")
    db.session.expire_all()
    assert db.session.get(Post, post.id).deleted_at is not None
    assert db.session.get(Thread, thread.id).reply_count == 0

    content.set_thread_state(world.facilitator, thread.id, locked=True, pinned=True)
    with pytest.raises(Forbidden):
        discussions.reply(world.bilal, thread.id, "Still here?")
    content.set_thread_state(world.facilitator, thread.id, locked=False, pinned=False)
    discussions.reply(world.bilal, thread.id, "Back again")
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] \
        == ["edit", "delete", "lock", "pin", "unlock", "unpin"]
    content.remove(world.facilitator, "thread", thread.id, "Closed")
    assert db.session.get(Thread, thread.id).deleted_at is not None


def test_move_respects_cohort_privacy(world):
    thread = _thread(world)
    flags.flag(world.bilal, "thread", thread.id, "off_topic")
    with pytest.raises(Forbidden):  # a facilitator cannot move content out to a global space
        content.move_thread(world.facilitator, thread.id, world.general.id)
    with pytest.raises(NotFound):  # ... nor into a cohort they cannot see
        content.move_thread(world.facilitator, thread.id, world.lounge_b.id)
    choices = content.move_categories(world.facilitator, thread.id)[1]
    assert {c.slug for c in choices} == {"alpha-qa", "alpha-ask"}
    content.move_thread(world.facilitator, thread.id, world.qa_a.id, "Belongs in Q&A")
    content.move_thread(world.moderator, thread.id, world.lounge_b.id, "Wrong cohort",
                        confirm_wider_audience=True)  # Bravo's people gain access
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).category_id == world.lounge_b.id
    assert db.session.scalar(select(Flag.cohort_id)) == world.cohort_b.id  # flags follow
    with pytest.raises(NotFound):
        discussions.read_thread(world.amina, thread.id)
    assert queue.review_queue(world.facilitator).items == []  # no longer A's to review
    assert len(queue.review_queue(world.moderator).items) == 1


def test_chat_hide_never_comes_back_in_catch_up(world):
    room = channel("general", world.cohort_a)
    first = chat.send_message(world.amina, room.id, "hello", "c1")
    bad = chat.send_message(world.bilal, room.id, "rude words", "c2")
    content.hide(world.facilitator, "message", bad.id, "Be kind")
    assert [m.id for m in chat.messages_after(world.amina, room.id, first.id)] == []
    assert [m.id for m in chat.history(world.amina, room.id)] == [first.id]
    assert [m.id for m in chat.history(world.facilitator, room.id)] == [first.id, bad.id]
    with pytest.raises(NotFound):  # its author cannot edit it back into view
        chat.edit_message(world.bilal, bad.id, "nice words")
    content.restore(world.facilitator, "message", bad.id)
    assert [m.id for m in chat.messages_after(world.amina, room.id, first.id)] == [bad.id]


# --------------------------------------------------------------------------- automatic


def test_word_list_blocks_or_queues(world, app):
    app.config["MODERATION_WORDS"] = ["scam=block", "crypto"]
    app.config["MODERATION_WORDS_ACTION"] = "queue"
    thread = _thread(world)
    with pytest.raises(Invalid) as blocked:
        discussions.reply(world.bilal, thread.id, "This is a SCAM!")
    assert "body" in blocked.value.fields and blocked.value.code == "blocked_word"
    held = discussions.reply(world.bilal, thread.id, "Invest in crypto now")
    db.session.expire_all()
    assert db.session.get(Post, held.id).hidden_at is not None
    item = queue.review_queue(world.facilitator).items[0]
    assert (item.target_id, item.reasons) == (held.id, {"word_list": 1})
    assert _audit("word_hold")[0].actor_id is None
    room = channel("general", world.cohort_a)
    message = chat.send_message(world.amina, room.id, "crypto tips", "w1")
    assert db.session.get(Message, message.id).hidden_at is not None
    assert chat.history(world.bilal, room.id) == []
    with pytest.raises(Invalid):
        chat.send_message(world.amina, room.id, "scam", "w2")
    assert discussions.reply(world.bilal, thread.id, "cryptography is fine").hidden_at is None


def test_new_members_have_stricter_limits(world, app):
    app.config.update(MODERATION_NEW_MEMBER_DAYS=3, MODERATION_NEW_MEMBER_POST_LIMIT=(2, 60),
                      MODERATION_NEW_MEMBER_CHAT_LIMIT=(2, 60))
    world.bilal.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    thread = _thread(world)  # amina's first post
    discussions.reply(world.amina, thread.id, "one")
    with pytest.raises(RateLimited):
        discussions.reply(world.amina, thread.id, "two")
    for n in range(4):  # an older account keeps the normal limit
        discussions.reply(world.bilal, thread.id, f"reply {n}")
    room = channel("general", world.cohort_a)
    chat.send_message(world.amina, room.id, "a", "n1")
    chat.send_message(world.amina, room.id, "b", "n2")
    with pytest.raises(RateLimited):
        chat.send_message(world.amina, room.id, "c", "n3")


# --------------------------------------------------------------------------- people


def test_suspend_blocks_writing_reacting_flagging_and_lift_undoes(world):
    thread = _thread(world, author=world.bilal)
    with pytest.raises(Invalid):
        people.suspend(world.moderator, world.amina.id, 0, "Cool down")
    people.suspend(world.moderator, world.amina.id, 2, "Cool down")
    db.session.expire_all()
    amina = db.session.get(User, world.amina.id)
    assert amina.is_suspended()
    for attempt in (lambda: discussions.reply(amina, thread.id, "x"),
                    lambda: discussions.react(amina, thread.first_post_id, "like"),
                    lambda: flags.flag(amina, "thread", thread.id, "spam")):
        with pytest.raises(Forbidden) as error:
            attempt()
        assert error.value.code == "suspended"
    assert _notes(amina) == [("suspend", "Cool down")]
    entry = _audit("suspend")[0]
    assert entry.cohort_id is None and "until" in entry.details  # site-wide
    people.lift(world.moderator, amina.id, "Apologised")
    db.session.expire_all()
    amina = db.session.get(User, world.amina.id)
    assert not amina.is_suspended()
    discussions.reply(amina, thread.id, "Sorry")


def test_ban_is_for_global_moderators_and_ends_login(world, app):
    with pytest.raises(Forbidden):
        people.ban(world.facilitator, world.amina.id, "Spammer")
    with pytest.raises(Forbidden):
        people.ban(world.moderator, world.moderator.id, "Me")
    version = world.amina.session_version
    people.ban(world.moderator, world.amina.id, "Spammer")
    db.session.expire_all()
    amina = db.session.get(User, world.amina.id)
    assert amina.banned_at is not None and amina.session_version == version + 1
    response = app.test_client().post("/login", data={"email": amina.email,
                                                      "password": "correct horse battery"})
    assert response.status_code == 422 and "banned" in response.text
    with pytest.raises(Forbidden):  # a facilitator cannot lift a ban
        people.lift(world.facilitator, amina.id)
    people.lift(world.moderator, amina.id, "Appeal granted")
    response = app.test_client().post("/login", data={"email": amina.email,
                                                      "password": "correct horse battery"})
    assert response.status_code == 302


def test_warn_and_who_may_act_on_whom(world):
    people.warn(world.facilitator, world.amina.id, "Please stay on topic")
    assert _notes(world.amina) == [("warn", "Please stay on topic")]
    with pytest.raises(Invalid):
        people.warn(world.facilitator, world.amina.id, "")
    with pytest.raises(Forbidden):  # not in the facilitator's cohort
        people.warn(world.facilitator, world.carla.id, "x")
    with pytest.raises(Forbidden):  # members moderate nobody
        people.warn(world.amina, world.bilal.id, "x")
    with pytest.raises(Forbidden):  # only admins act on global moderators
        people.warn(world.moderator, world.moderator.id, "x")
    with pytest.raises(NotFound):
        people.warn(world.moderator, 424242, "x")
    assert len(_audit("warn")) == 1


# --------------------------------------------------------------------------- audit


def test_admin_actions_are_audited(world, make):
    from forum.services import cohorts, invitations, roles

    admin = make.user("root", role="admin")
    roles.set_role(admin, world.amina.id, "mentor")
    cohort = cohorts.create_cohort(admin, "Bonn 2027", "JPO")
    cohorts.set_cohort_status(admin, cohort.id, archived=True)
    invitation = invitations.create_invitation(admin, world.cohort_a.id)
    invitations.revoke_invitation(admin, world.cohort_a.id, invitation.id)
    membership = cohorts.cohort_admin_view(admin, world.cohort_a.id).memberships[0]
    cohorts.remove_member(admin, world.cohort_a.id, membership.id)
    actions = [(e.action, e.actor_id) for e in db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id))]
    assert [a for a, _ in actions] == ["role_change", "cohort_create", "cohort_archive",
                                       "invitation_create", "invitation_revoke",
                                       "member_remove"]
    assert {actor for _, actor in actions} == {admin.id}


def test_audit_log_is_scoped_filtered_and_paged(world, app):
    app.config["MODERATION_FLAG_THRESHOLD"] = 99
    thread_a = _thread(world)
    thread_b = _thread(world, category=world.lounge_b, author=world.carla)
    content.set_thread_state(world.facilitator, thread_a.id, locked=True)
    content.set_thread_state(world.moderator, thread_b.id, locked=True)
    content.set_thread_state(world.moderator, thread_b.id, pinned=True)
    mine = audit.list_entries(world.facilitator, audit.AuditFilters())
    assert [(e.action, e.target_id) for e in mine.entries] == [("lock", thread_a.id)]
    everything = audit.list_entries(world.moderator, audit.AuditFilters())
    assert [e.action for e in everything.entries] == ["pin", "lock", "lock"]
    by_actor = audit.list_entries(world.moderator, audit.AuditFilters(actor="moderator",
                                                                       action="lock"))
    assert [e.target_id for e in by_actor.entries] == [thread_b.id]
    by_cohort = audit.list_entries(world.moderator, audit.AuditFilters(
        cohort_id=world.cohort_a.id))
    assert [e.target_id for e in by_cohort.entries] == [thread_a.id]
    with pytest.raises(Forbidden):
        audit.list_entries(world.amina, audit.AuditFilters())
    # Cursor paging: PAGE_SIZE per page, no entry twice, none lost.
    for n in range(audit.PAGE_SIZE + 5):
        content.set_thread_state(world.moderator, thread_b.id, pinned=n % 2 == 0)
    first = audit.list_entries(world.moderator, audit.AuditFilters())
    second = audit.list_entries(world.moderator, audit.AuditFilters(), first.next_before)
    ids = [e.id for e in first.entries + second.entries]
    assert len(first.entries) == audit.PAGE_SIZE and len(ids) == len(set(ids)) == \
        db.session.scalar(select(func.count(AuditEntry.id)))
    assert second.next_before is None


def test_audit_has_no_update_or_delete_path():
    import inspect

    from forum.services.moderation import audit as module

    source = inspect.getsource(module)
    assert "delete(" not in source and "update(" not in source and ".reason =" not in source


def test_moderation_settings_from_the_environment(monkeypatch):
    from forum.config import moderation_from_environment

    monkeypatch.setenv("MODERATION_FLAG_THRESHOLD", "5")
    monkeypatch.setenv("MODERATION_WORDS", "scam=block, crypto ,")
    monkeypatch.setenv("MODERATION_WORDS_ACTION", "block")
    assert moderation_from_environment() == {
        "MODERATION_FLAG_THRESHOLD": 5, "MODERATION_WORDS": ["scam=block", "crypto"],
        "MODERATION_WORDS_ACTION": "block"}


def test_word_list_holds_a_new_thread(world, app):
    app.config["MODERATION_WORDS"] = ["lottery"]
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Lottery winners",
                                       "Claim your prize")
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).hidden_at is not None
    with pytest.raises(NotFound):  # others cannot open it until a moderator restores it
        discussions.read_thread(world.bilal, thread.id)
    content.dismiss(world.facilitator, "thread", thread.id, "Harmless")
    assert discussions.read_thread(world.bilal, thread.id).thread.id == thread.id


def _told(user: User, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def test_a_reply_held_on_arrival_is_announced_once_when_a_moderator_releases_it(world, app):
    app.config["MODERATION_WORDS"] = ["crypto"]
    thread = _thread(world)  # amina's thread
    held = discussions.reply(world.bilal, thread.id, "@mona is crypto a career?")
    assert _told(world.amina, "reply") == [] and _told(world.mentor, "mention") == []

    content.restore(world.facilitator, "post", held.id)

    db.session.expire_all()
    [reply] = _told(world.amina, "reply")
    [mention] = _told(world.mentor, "mention")
    assert reply.url == mention.url == f"/p/{held.id}"
    assert "is crypto a career?" in reply.excerpt
    # Shown once, it is ordinary content: hiding and restoring it again tells nobody twice.
    content.hide(world.facilitator, "post", held.id, "Off topic")
    content.restore(world.facilitator, "post", held.id)
    db.session.expire_all()
    assert [n.count for n in _told(world.amina, "reply")] == [1]
    assert len(_told(world.mentor, "mention")) == 1


def test_a_post_hidden_after_it_was_shown_is_not_announced_on_restore(world):
    thread = _thread(world)
    post = discussions.reply(world.bilal, thread.id, "Plain reply")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    content.hide(world.facilitator, "post", post.id, "Checking")
    content.restore(world.facilitator, "post", post.id)
    db.session.expire_all()
    assert _told(world.amina, "reply") == []


def test_a_thread_or_message_held_on_arrival_is_announced_when_kept(world, app):
    from forum.models import CategoryWatch

    app.config["MODERATION_WORDS"] = ["lottery"]
    db.session.add(CategoryWatch(user_id=world.bilal.id, category_id=world.lounge_a.id,
                                 level="watch"))
    db.session.commit()
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Lottery winners",
                                       "Claim your prize")
    room = channel("general", world.cohort_a)
    message = chat.send_message(world.amina, room.id, "@bilal lottery tickets", "held-1")
    assert _told(world.bilal, "new_thread") == [] and _told(world.bilal, "mention") == []

    content.dismiss(world.facilitator, "thread", thread.id, "Harmless")
    content.dismiss(world.facilitator, "message", message.id, "Harmless")

    db.session.expire_all()
    [new_thread] = _told(world.bilal, "new_thread")
    assert new_thread.url == f"/t/{thread.id}"
    [mention] = _told(world.bilal, "mention")
    assert mention.excerpt == "@bilal lottery tickets"
    assert db.session.get(type(room), room.id).last_message_id == message.id


# --------------------------------------------------------------------------- direct messages


def test_a_reported_direct_message_reaches_global_moderators_and_only_that_message(world):
    dm = chat.open_direct_channel(world.amina, ["bilal"])
    earlier = chat.send_message(world.amina, dm.id, "an earlier private line", "dm-1")
    abusive = chat.send_message(world.amina, dm.id, "you are worthless", "dm-2")
    # Before any report, the conversation is the members' alone, moderators included.
    for moderator in (world.moderator, world.facilitator):
        with pytest.raises(NotFound):
            content.hide(moderator, "message", abusive.id, "Abuse")
    assert queue.review_queue(world.moderator).items == []

    result = flags.flag(world.bilal, "message", abusive.id, "harassment", "Every day now")

    assert (result.flag.cohort_id, result.target.channel.id) == (None, dm.id)
    [item] = queue.review_queue(world.moderator).items
    assert (item.target_type, item.target_id, item.url) == ("message", abusive.id, "")
    assert "you are worthless" in item.excerpt and item.notes == [("bilal", "Every day now")]
    assert queue.review_queue(world.facilitator).items == []  # not a cohort's content
    with pytest.raises(NotFound):
        content.hide(world.facilitator, "message", abusive.id, "Abuse")
    with pytest.raises(NotFound):  # the report opens that message, not the conversation
        content.hide(world.moderator, "message", earlier.id, "Curious")
    with pytest.raises(NotFound):
        chat.history(world.moderator, dm.id)

    content.hide(world.moderator, "message", abusive.id, "Harassment")

    db.session.expire_all()
    assert db.session.get(Message, abusive.id).hidden_at is not None
    assert db.session.get(Message, earlier.id).hidden_at is None
    assert _notes(world.amina) == [("hide", "Harassment")]
    assert [m.id for m in chat.history(world.bilal, dm.id) if not m.is_removed] == [earlier.id]


def test_a_direct_message_held_by_the_word_filter_can_be_released(world, app):
    app.config["MODERATION_WORDS"] = ["crypto"]
    dm = chat.open_direct_channel(world.amina, ["bilal"])
    held = chat.send_message(world.amina, dm.id, "crypto tips for you", "dm-held")
    assert db.session.get(Message, held.id).hidden_at is not None

    content.dismiss(world.moderator, "message", held.id, "Harmless")

    db.session.expire_all()
    assert db.session.get(Message, held.id).hidden_at is None
    [told] = db.session.scalars(select(Notification).where(
        Notification.user_id == world.bilal.id, Notification.kind == "direct_message")).all()
    assert told.excerpt == "crypto tips for you"
