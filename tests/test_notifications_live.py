"""Live badge updates over Socket.IO: the recipient's sockets get the event, nobody else's."""

from __future__ import annotations

from flask import g

from forum.services import chat, discussions
from forum.services import notifications as svc
from tests import discussions_helpers
from tests.discussions_helpers import events, login

world = discussions_helpers.world  # the fixture


def _socket(socket_client, app, user):
    g.pop("_login_user", None)
    g.pop("_memberships", None)
    sc = socket_client(login(app, user))
    g.pop("_login_user", None)
    g.pop("_memberships", None)
    assert sc.is_connected()
    sc.get_received()
    return sc


def test_recipient_socket_gets_the_new_count_a_third_user_does_not(app, world, socket_client):
    amina = _socket(socket_client, app, world.amina)
    bilal = _socket(socket_client, app, world.bilal)
    carla = _socket(socket_client, app, world.carla)
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Visa", "Hi @bilal")
    [first] = events(bilal, "notification:new")
    assert first["unread"] == 1
    assert first["notification"]["kind"] == "mention"
    assert first["notification"]["text"] == "Amina mentioned you in “Visa”"
    assert first["notification"]["url"] == f"/p/{thread.first_post_id}"
    discussions.reply(world.mentor, thread.id, "Hello @bilal")
    [second] = events(bilal, "notification:new")
    assert second["unread"] == 1  # collapsed into the same unread row...
    assert second["notification"]["count"] == 2  # ...that counts up
    assert [e["unread"] for e in events(amina, "notification:new")] == [1]  # reply to her
    assert carla.get_received() == []  # the outsider hears nothing at all


def test_mention_of_an_outsider_sends_no_event_to_them(app, world, socket_client):
    carla = _socket(socket_client, app, world.carla)
    discussions.create_thread(world.amina, world.lounge_a.id, "Private", "Hi @carla")
    assert carla.get_received() == []


def test_marking_read_updates_every_tab_of_the_reader(app, world, socket_client):
    tab1 = _socket(socket_client, app, world.bilal)
    tab2 = _socket(socket_client, app, world.bilal)
    amina = _socket(socket_client, app, world.amina)
    discussions.create_thread(world.amina, world.lounge_a.id, "One", "Hi @bilal")
    discussions.create_thread(world.amina, world.lounge_a.id, "Two", "Hi @bilal")
    assert [e["unread"] for e in events(tab2, "notification:new")] == [1, 2]
    tab1.get_received()
    amina.get_received()
    row_id = svc.list_notifications(world.bilal)["items"][0]["id"]
    g.pop("_login_user", None)
    ack = tab1.emit("notifications:read", {"id": row_id}, callback=True)
    assert ack == {"ok": True, "unread": 1}
    assert events(tab2, "notifications:unread") == [{"unread": 1}]
    g.pop("_login_user", None)
    assert tab1.emit("notifications:read", {"all": True}, callback=True) == {"ok": True,
                                                                            "unread": 0}
    assert events(tab2, "notifications:unread") == [{"unread": 0}]
    assert amina.get_received() == []


def test_socket_cannot_mark_someone_elses_notification(app, world, socket_client):
    discussions.create_thread(world.amina, world.lounge_a.id, "One", "Hi @bilal")
    row_id = svc.list_notifications(world.bilal)["items"][0]["id"]
    carla = _socket(socket_client, app, world.carla)
    ack = carla.emit("notifications:read", {"id": row_id}, callback=True)
    assert ack == {"ok": False, "error": {"code": "not_found", "message": "Not found."}}
    for bad in (None, {"id": "1"}, {"id": True}, {"id": -3}, "x"):
        g.pop("_login_user", None)
        assert carla.emit("notifications:read", bad, callback=True)["ok"] is False
    assert svc.unread_count(world.bilal) == 1


def test_direct_message_pushes_the_badge_to_the_other_member(app, world, socket_client):
    bilal = _socket(socket_client, app, world.bilal)
    carla = _socket(socket_client, app, world.carla)
    dm = chat.open_direct_channel(world.amina, ["bilal"])
    chat.send_message(world.amina, dm.id, "Coffee?", "k1")
    [event] = events(bilal, "notification:new")
    assert event["unread"] == 1 and event["notification"]["kind"] == "direct_message"
    assert event["notification"]["excerpt"] == "Coffee?"
    assert carla.get_received() == []



def test_count_on_reconnect_catches_up_missed_events(app, world, socket_client):
    discussions.create_thread(world.amina, world.lounge_a.id, "One", "Hi @bilal")
    bilal = _socket(socket_client, app, world.bilal)  # connects after the event
    assert bilal.emit("notifications:count", {}, callback=True) == {"ok": True, "unread": 1}
    carla = _socket(socket_client, app, world.carla)
    g.pop("_login_user", None)
    assert carla.emit("notifications:count", {}, callback=True) == {"ok": True, "unread": 0}
