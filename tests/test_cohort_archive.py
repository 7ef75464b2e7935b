"""Issue 15 item 6: an archived cohort is read-only or kept writable for its alumni.

Read-only: members read everything but every write path refuses them (forms, /api/v1, Socket.IO
acks with code `read_only`); moderators still write; flags stay open. The pages say so, and
open chat sockets hear `channel:read_only`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Cohort, Flag, Message, Post, Reaction, Thread
from forum.services import chat, cohorts, discussions
from tests import chat_helpers, discussions_helpers
from tests.api_helpers import ApiClient, token_for
from tests.chat_helpers import events
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Several posts per test from the same people: no throttling here."""
    return {**app_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def admin(make):
    """An administrator."""
    return make.user("root", role="admin")


def _archive(admin, cohort: Cohort, read_only: bool) -> None:
    cohorts.set_cohort_status(admin, cohort.id, archived=True, read_only=read_only)
    chat_helpers.fresh_context()


def _counts() -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Thread, Post, Reaction, Message))


def test_admin_page_archives_read_only_or_writable_and_requires_a_choice(app, world, admin):
    browser = Browser(app, admin)
    page = browser.get(f"/admin/cohorts/{world.cohort_a.id}").text
    assert 'value="read_only"' in page and 'value="writable"' in page and " checked" not in page
    missing = browser.post(f"/admin/cohorts/{world.cohort_a.id}/archive", data={})
    assert missing.status_code == 422 and "Choose read-only or kept writable." in missing.text
    db.session.expire_all()
    assert not db.session.get(Cohort, world.cohort_a.id).is_archived
    asked = browser.post(f"/admin/cohorts/{world.cohort_a.id}/archive",
                         data={"mode": "read_only"})
    assert asked.status_code == 200 and "can still post and chat there" in asked.text
    db.session.expire_all()
    assert not db.session.get(Cohort, world.cohort_a.id).is_archived  # asked, nothing changed
    done = browser.post(f"/admin/cohorts/{world.cohort_a.id}/archive",
                        data={"mode": "read_only", "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    cohort = db.session.get(Cohort, world.cohort_a.id)
    assert cohort.is_archived and cohort.read_only
    assert "Alumni (archived: read-only)" in browser.get(f"/admin/cohorts/{cohort.id}").text
    browser.post(f"/admin/cohorts/{cohort.id}/archive", data={"mode": "writable",
                                                              "confirmed": "1"})
    db.session.expire_all()
    assert not db.session.get(Cohort, cohort.id).is_read_only


def test_admin_api_sets_read_only(app, world, admin):
    api = ApiClient(app, token_for(admin))
    both = api.patch(f"/admin/cohorts/{world.cohort_a.id}", json={"archived": True,
                                                                   "read_only": True})
    assert both.status_code == 200 and both.json["status"] == "alumni" and both.json["read_only"]
    again = api.patch(f"/admin/cohorts/{world.cohort_a.id}", json={"archived": True})
    assert again.json["read_only"] is True  # unchanged when not given
    active = api.patch(f"/admin/cohorts/{world.cohort_a.id}", json={"archived": False})
    assert active.json["status"] == "active" and active.json["read_only"] is False
    bad = api.patch(f"/admin/cohorts/{world.cohort_a.id}", json={"read_only": True})
    assert bad.status_code == 422 and "read_only" in bad.json["error"]["fields"]
    writable = api.patch(f"/admin/cohorts/{world.cohort_a.id}", json={"archived": True,
                                                                       "read_only": False})
    assert writable.json["status"] == "alumni" and writable.json["read_only"] is False
    spec = api.get("/openapi.json").json
    assert "read_only" in spec["components"]["schemas"]["CohortPatch"]["properties"]


def test_read_only_archive_refuses_every_page_and_api_write_of_members(app, world, admin):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Alpha topic", "Text")
    post = discussions.reply(world.bilal, thread.id, "A reply")
    _archive(admin, world.cohort_a, read_only=True)
    before = _counts()
    browser = Browser(app, world.amina)
    assert browser.post(f"/t/{thread.id}/reply", data={"body": "Late"}).status_code == 403
    api = ApiClient(app, token_for(world.amina))
    calls = [
        api.post(f"/threads/{thread.id}/posts", json={"body": "Late"}),
        api.post("/threads", json={"category_id": world.lounge_a.id, "title": "New one",
                                   "body": "Text"}),
        api.patch(f"/posts/{thread.first_post_id}", json={"body": "Edited"}),
        api.put(f"/posts/{post.id}/reactions/like"),
    ]
    for answer in calls:
        assert answer.status_code == 403, answer.json
        assert answer.json["error"] == {"code": "read_only",
                                        "message": "This cohort is archived: read-only."}
    assert _counts() == before
    # Reading stays: pages and API.
    assert browser.get(f"/t/{thread.id}").status_code == 200
    assert api.get(f"/threads/{thread.id}/posts").status_code == 200
    # Flags stay open (harm still reaches the moderators); global spaces are unaffected.
    assert api.post(f"/threads/{thread.id}/posts", json={"body": "x"}).status_code == 403
    assert browser.post(f"/flag/post/{post.id}", data={"reason": "spam"}).status_code == 303
    assert db.session.scalar(select(func.count(Flag.id))) == 1
    assert discussions.create_thread(world.amina, world.general.id, "Global", "Text").id
    # The cohort's moderators still write there.
    assert discussions.reply(world.facilitator, thread.id, "Moderator note").id


def test_read_only_archive_is_shown_where_people_act(app, world, admin):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Alpha topic", "Text")
    room = chat_helpers.channel("general", world.cohort_a)
    _archive(admin, world.cohort_a, read_only=True)
    browser = Browser(app, world.amina)
    banner = "This cohort is archived: read-only."
    for path in (f"/cohorts/{world.cohort_a.slug}", f"/c/{world.lounge_a.slug}",
                 f"/t/{thread.id}", f"/chat/{room.id}"):
        page = browser.get(path)
        assert page.status_code == 200 and banner in page.text, path
    assert 'id="reply-form"' not in browser.get(f"/t/{thread.id}").text
    assert "New thread" not in browser.get(f"/c/{world.lounge_a.slug}").text
    chat_page = browser.get(f"/chat/{room.id}").text
    assert 'id="chat-composer" disabled' in chat_page
    moderator_page = Browser(app, world.facilitator).get(f"/t/{thread.id}").text
    assert "As a moderator you can still write here." in moderator_page
    assert 'id="reply-form"' in moderator_page
    assert banner not in browser.get(f"/c/{world.general.slug}").text


def test_read_only_archive_refuses_socket_writes_with_a_clear_ack(app, world, admin,
                                                                   socket_client):
    room = chat_helpers.channel("general", world.cohort_a)
    earlier = chat.send_message(world.amina, room.id, "Before the archive", "e1")
    sock = chat_helpers.connect(app, socket_client, world.amina.email)
    mod = chat_helpers.connect(app, socket_client, world.facilitator.email)
    for s in (sock, mod):
        assert s.emit("channel:join", {"channel_id": room.id})["ok"]
        s.get_received()
    _archive(admin, world.cohort_a, read_only=True)
    assert events(sock, "channel:read_only") == [{"channel_id": room.id, "read_only": True}]
    sent = sock.emit("message:send", {"channel_id": room.id, "body": "hi", "client_id": "s1"})
    assert sent["ok"] is False and sent["error"]["code"] == "read_only"
    edited = sock.emit("message:edit", {"message_id": earlier.id, "body": "changed"})
    assert edited["ok"] is False and edited["error"]["code"] == "read_only"
    flagged = sock.emit("flag:create", {"target_type": "message", "target_id": earlier.id,
                                        "reason": "spam"})
    assert flagged["ok"] is False  # own message: refused for that reason, not read-only
    assert flagged["error"]["code"] != "read_only"
    joined = sock.emit("channel:join", {"channel_id": room.id, "last_id": 0})
    assert joined["ok"] and [m["id"] for m in joined["messages"]] == [earlier.id]  # reads
    assert mod.emit("message:send", {"channel_id": room.id, "body": "Moderator here",
                                     "client_id": "m1"})["ok"]
    db.session.expire_all()
    assert db.session.get(Message, earlier.id).body_source == "Before the archive"
    assert db.session.scalar(select(func.count(Message.id))) == 2
    cohorts.set_cohort_status(admin, world.cohort_a.id, archived=False)
    assert events(sock, "channel:read_only")[-1] == {"channel_id": room.id, "read_only": False}
    chat_helpers.fresh_context()
    assert sock.emit("message:send", {"channel_id": room.id, "body": "back",
                                      "client_id": "s2"})["ok"]


def test_writable_alumni_archive_still_takes_writes(app, world, admin, socket_client):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Alpha topic", "Text")
    room = chat_helpers.channel("general", world.cohort_a)
    _archive(admin, world.cohort_a, read_only=False)
    api = ApiClient(app, token_for(world.amina))
    assert api.post(f"/threads/{thread.id}/posts", json={"body": "Alumni reply"}
                    ).status_code == 201
    sock = chat_helpers.connect(app, socket_client, world.bilal.email)
    assert sock.emit("message:send", {"channel_id": room.id, "body": "hi",
                                      "client_id": "w1"})["ok"]
    page = Browser(app, world.amina).get(f"/t/{thread.id}").text
    assert "read-only" not in page and 'id="reply-form"' in page
