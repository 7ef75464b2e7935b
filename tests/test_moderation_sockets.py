"""Moderation and live sockets: who receives which event, and sockets cut on suspension and ban."""

from __future__ import annotations

from flask import g

from forum.extensions import db
from forum.models import User
from forum.services import chat, discussions
from forum.services.moderation import content, flags, people
from tests import chat_helpers, discussions_helpers
from tests.chat_helpers import events

world = discussions_helpers.world  # the fixture


def _sock(app, socket_client, user: User) -> chat_helpers.Sock:
    return chat_helpers.connect(app, socket_client, user.email)


def test_hidden_message_leaves_every_open_client_and_comes_back_on_restore(
        app, world, socket_client):
    room = chat_helpers.channel("general", world.cohort_a)
    amina, bilal = _sock(app, socket_client, world.amina), _sock(app, socket_client, world.bilal)
    carla = _sock(app, socket_client, world.carla)
    for sock in (amina, bilal):
        assert sock.emit("channel:join", {"channel_id": room.id})["ok"]
    rude = chat.send_message(world.bilal, room.id, "rude remark", "r1")
    for sock in (amina, bilal, carla):
        sock.get_received()

    mod = _sock(app, socket_client, world.facilitator)
    ack = mod.emit("moderation:hide", {"target_type": "message", "target_id": rude.id,
                                       "reason": "Be kind"})
    assert ack == {"ok": True, "target_type": "message", "target_id": rude.id}
    hidden = [{"id": rude.id, "channel_id": room.id, "seq": rude.seq}]
    assert events(amina, "message:hidden") == hidden
    assert events(bilal, "message:hidden") == hidden
    assert carla.get_received() == []  # another cohort hears nothing
    # A reconnecting client's catch-up does not bring it back.
    rejoin = amina.emit("channel:join", {"channel_id": room.id, "last_id": 0})
    assert [m["id"] for m in rejoin["messages"]] == []

    g.pop("_login_user", None)
    content.restore(world.facilitator, "message", rude.id)
    restored = events(amina, "message:restored")
    assert [m["id"] for m in restored] == [rude.id] and "rude remark" in restored[0]["html"]


def test_hidden_post_is_replaced_by_the_placeholder_live(app, world, socket_client):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Topic", "Opening")
    post = discussions.reply(world.bilal, thread.id, "Leaked memo text")
    watcher, ack = discussions_helpers.joined(socket_client, app, world.amina, thread.id)
    assert ack["ok"]
    watcher.get_received()
    g.pop("_login_user", None)
    content.hide(world.facilitator, "post", post.id, "Confidential")
    [event] = discussions_helpers.events(watcher, "post:hidden")
    assert event["post_id"] == post.id and "Leaked memo" not in event["html"]
    assert "hidden by a moderator" in event["html"]


def test_threshold_hide_is_broadcast(app, world, socket_client):
    app.config["MODERATION_FLAG_THRESHOLD"] = 2
    room = chat_helpers.channel("general", world.cohort_a)
    message = chat.send_message(world.bilal, room.id, "buy my course", "s1")
    listener = _sock(app, socket_client, world.mentor)
    assert listener.emit("channel:join", {"channel_id": room.id})["ok"]
    listener.get_received()
    amina = _sock(app, socket_client, world.amina)
    first = amina.emit("flag:create", {"target_type": "message", "target_id": message.id,
                                       "reason": "spam"})
    assert first["ok"] and not first["auto_hidden"]
    again = amina.emit("flag:create", {"target_type": "message", "target_id": message.id,
                                       "reason": "spam"})
    assert again["error"]["code"] == "already_flagged"
    g.pop("_login_user", None)
    assert flags.flag(world.facilitator, "message", message.id, "spam").auto_hidden
    assert events(listener, "message:hidden") == [
        {"id": message.id, "channel_id": room.id, "seq": message.seq}]


def test_suspension_cuts_sockets_and_blocks_live_sending(app, world, socket_client):
    room = chat_helpers.channel("general", world.cohort_a)
    amina = _sock(app, socket_client, world.amina)
    assert amina.emit("channel:join", {"channel_id": room.id})["ok"]
    g.pop("_login_user", None)
    people.suspend(world.moderator, world.amina.id, 1, "Cool down")
    assert not amina.is_connected()  # cut at once
    again = _sock(app, socket_client, db.session.get(User, world.amina.id))  # may still read
    ack = again.emit("message:send", {"channel_id": room.id, "body": "hi", "client_id": "z1"})
    assert ack["ok"] is False and ack["error"]["code"] == "suspended"
    ack = again.emit("flag:create", {"target_type": "message", "target_id": 1,
                                     "reason": "spam"})
    assert ack["ok"] is False and ack["error"]["code"] == "suspended"


def test_ban_cuts_sockets_and_refuses_reconnect(app, world, socket_client):
    amina_client = discussions_helpers.login(app, world.amina)
    g.pop("_login_user", None)
    sock = socket_client(amina_client)
    assert sock.is_connected()
    g.pop("_login_user", None)
    people.ban(world.moderator, world.amina.id, "Spam account")
    assert not sock.is_connected()
    g.pop("_login_user", None)
    assert not socket_client(amina_client).is_connected()  # the old session is dead


def test_moved_thread_room_is_closed_so_nothing_leaks(app, world, socket_client):
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Wrong place", "Text")
    watcher, ack = discussions_helpers.joined(socket_client, app, world.amina, thread.id)
    assert ack["ok"]
    watcher.get_received()
    g.pop("_login_user", None)
    content.move_thread(world.moderator, thread.id, world.lounge_b.id, "Belongs to Bravo",
                        confirm_wider_audience=True)
    # Out of reach now: the socket is taken out of the room and told so (not "moved").
    assert discussions_helpers.events(watcher, "access:lost") == [{"thread_id": thread.id}]
    g.pop("_login_user", None)
    discussions.reply(world.carla, thread.id, "Bravo-only reply")
    assert discussions_helpers.events(watcher, "post:new") == []  # amina's socket left the room
    g.pop("_login_user", None)
    rejoin = watcher.emit("thread:join", {"thread_id": thread.id}, callback=True)
    assert rejoin["ok"] is False and rejoin["error"]["code"] == "not_found"
