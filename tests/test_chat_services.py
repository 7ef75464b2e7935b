"""Chat services: policy, idempotent send, history, DMs, rate limit, read state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.extensions import db
from forum.models import Channel, Message, utcnow
from forum.services import chat
from tests import chat_helpers

world = chat_helpers.world  # the fixture


def _count() -> int:
    return db.session.scalar(select(func.count(Message.id)))


def test_read_policy(world):
    w = world
    assert chat.history(w.amina, w.channel.id) == []
    assert chat.history(w.carla, w.lobby.id) == []
    assert chat.history(w.mod, w.channel.id) == []  # global moderators read every cohort
    with pytest.raises(NotFound):
        chat.history(w.carla, w.channel.id)
    with pytest.raises(NotFound):
        chat.send_message(w.carla, w.channel.id, "hi", "c1")
    with pytest.raises(NotFound):
        chat.history(w.amina, 9999)
    assert _count() == 0


def test_send_stores_sanitized_and_is_idempotent(world):
    w = world
    first = chat.send_message(w.amina, w.channel.id, "hi **@bruno** <script>x</script>", "abc-1")
    again = chat.send_message(w.amina, w.channel.id, "different text", "abc-1")
    assert again.id == first.id and _count() == 1
    stored = db.session.get(Message, first.id)
    assert "<script>" not in stored.body_html and 'href="/u/bruno"' in stored.body_html
    assert db.session.get(Channel, w.channel.id).last_message_id == first.id
    with pytest.raises(Conflict):  # a client id reused for another channel is refused
        chat.send_message(w.amina, w.lobby.id, "x", "abc-1")
    # Another author may use the same client id.
    assert chat.send_message(w.bruno, w.channel.id, "yo", "abc-1").id != first.id


@pytest.mark.parametrize("body, client_id, field", [
    ("   ", "c1", "body"), ("x" * 4001, "c1", "body"), ("hi", "", "client_id"),
    ("hi", "x" * 65, "client_id"), ("hi", "bad id!", "client_id"), (None, "c1", "body"),
])
def test_send_validation(world, body, client_id, field):
    with pytest.raises(Invalid) as error:
        chat.send_message(world.amina, world.channel.id, body, client_id)
    assert field in error.value.fields
    assert _count() == 0


def test_suspended_user_reads_but_cannot_send(world):
    world.amina.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert chat.history(world.amina, world.channel.id) == []
    with pytest.raises(Forbidden):
        chat.send_message(world.amina, world.channel.id, "hi", "c1")


def test_rate_limit(app, world):
    app.config["CHAT_RATE_LIMIT"] = (3, 60)
    for n in range(3):
        chat.send_message(world.amina, world.channel.id, f"m{n}", f"c{n}")
    with pytest.raises(RateLimited) as error:
        chat.send_message(world.amina, world.channel.id, "m3", "c3")
    assert "too fast" in error.value.message
    # A retry of an earlier send is not a new message: it is answered, not limited.
    assert chat.send_message(world.amina, world.channel.id, "m0", "c0").body_source == "m0"
    chat.send_message(world.bruno, world.channel.id, "other user", "c0")  # per user
    assert _count() == 4


def test_history_and_catch_up_are_keyset_pages(world):
    ids = [chat.send_message(world.amina, world.channel.id, f"m{n}", f"c{n}").id
           for n in range(7)]
    chat.send_message(world.amina, world.lobby.id, "elsewhere", "other")
    assert [m.id for m in chat.history(world.bruno, world.channel.id, limit=3)] == ids[-3:]
    assert [m.id for m in chat.history(world.bruno, world.channel.id, ids[4], limit=3)] == ids[1:4]
    assert [m.id for m in chat.messages_after(world.bruno, world.channel.id, ids[2])] == ids[3:]
    assert chat.messages_after(world.bruno, world.channel.id, ids[-1]) == []


def test_edit_and_delete_own_messages_only(world):
    message = chat.send_message(world.amina, world.channel.id, "helo", "c1")
    with pytest.raises(NotFound):
        chat.edit_message(world.bruno, message.id, "hacked")
    with pytest.raises(NotFound):
        chat.delete_message(world.bruno, message.id)
    chat.edit_message(world.amina, message.id, "hello *there*")
    stored = db.session.get(Message, message.id)
    assert stored.edited_at is not None and "<em>there</em>" in stored.body_html
    chat.delete_message(world.amina, message.id)
    stored = db.session.get(Message, message.id)
    assert stored.deleted_at is not None and stored.body_source == ""
    with pytest.raises(NotFound):
        chat.edit_message(world.amina, message.id, "again")


def test_direct_channels(world, make):
    w = world
    dm = chat.open_direct_channel(w.amina, ["Carla"])
    assert chat.open_direct_channel(w.carla, ["amina"]).id == dm.id  # 1:1 is reused
    chat.send_message(w.carla, dm.id, "psst", "c1")
    assert [m.body_source for m in chat.history(w.amina, dm.id)] == ["psst"]
    for outsider in (w.bruno, w.mod):  # not even moderators read DMs
        with pytest.raises(NotFound):
            chat.history(outsider, dm.id)
    group = chat.open_direct_channel(w.amina, ["bruno", "carla"])
    assert group.id != dm.id and chat.history(w.bruno, group.id) == []
    with pytest.raises(NotFound):
        chat.open_direct_channel(w.amina, ["nobody"])
    with pytest.raises(Invalid):
        chat.open_direct_channel(w.amina, ["amina"])
    many = [make.user(f"p{n}").username for n in range(20)]
    with pytest.raises(Invalid):
        chat.open_direct_channel(w.amina, many)


def test_channel_list_and_unread_counts(world):
    w = world
    dm = chat.open_direct_channel(w.bruno, ["amina"])
    for n in range(3):
        chat.send_message(w.bruno, w.channel.id, f"m{n}", f"c{n}")
    chat.send_message(w.bruno, dm.id, "dm", "d1")
    chat.send_message(w.carla, w.other_channel.id, "private", "p1")
    items = {i.channel.id: i for i in chat.channel_list(w.amina)}
    assert set(items) == {w.channel.id, w.lobby.id, dm.id}
    assert items[w.channel.id].unread == 3 and items[dm.id].unread == 1
    assert items[dm.id].title == "Bruno"
    assert items[w.channel.id].title == "Geneva 2026 · general"
    chat.mark_read(w.amina, w.channel.id)
    items = {i.channel.id: i for i in chat.channel_list(w.amina)}
    assert items[w.channel.id].unread == 0
    assert {i.channel.id for i in chat.channel_list(w.bruno)} >= {w.channel.id}
    assert {i.channel.id: i.unread for i in chat.channel_list(w.bruno)}[w.channel.id] == 0
