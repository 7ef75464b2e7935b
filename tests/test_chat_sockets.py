"""Chat socket events through the Flask-SocketIO test client: who receives which event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import CohortMembership, Message, utcnow
from forum.services import chat, cohorts
from tests import chat_helpers
from tests.chat_helpers import events

world = chat_helpers.world  # the fixture


def _connected(app, socket_client, email: str) -> chat_helpers.Sock:
    return chat_helpers.connect(app, socket_client, email)


def _count() -> int:
    return db.session.scalar(select(func.count(Message.id)))


def test_anonymous_socket_is_refused(socket_client):
    assert not socket_client().is_connected()


def test_join_send_ack_and_broadcast(app, world, socket_client):
    amina = _connected(app, socket_client, "amina@example.org")
    bruno = _connected(app, socket_client, "bruno@example.org")
    carla = _connected(app, socket_client, "carla@example.org")
    assert amina.emit("channel:join", {"channel_id": world.channel.id}, callback=True)["ok"]
    assert bruno.emit("channel:join", {"channel_id": world.channel.id}, callback=True)["ok"]
    refused = carla.emit("channel:join", {"channel_id": world.channel.id}, callback=True)
    assert refused == {"ok": False, "error": {"code": "not_found", "message": "Not found."}}
    missing = carla.emit("channel:join", {"channel_id": 424242}, callback=True)
    assert missing == refused  # a private channel looks exactly like a missing one
    for sc in (amina, bruno, carla):
        sc.get_received()

    payload = {"channel_id": world.channel.id, "body": "hello *all*", "client_id": "k1"}
    ack = amina.emit("message:send", payload, callback=True)
    assert ack["ok"] and ack["message"]["client_id"] == "k1"
    assert "<em>all</em>" in ack["message"]["html"]
    retry = amina.emit("message:send", payload, callback=True)
    assert retry == ack  # the retry gets the same ack
    assert _count() == 1
    received = events(bruno, "message:new")
    assert [m["id"] for m in received] == [ack["message"]["id"]]  # broadcast once
    assert len(events(amina, "message:new")) == 1
    assert events(carla, "message:new") == []


def test_every_event_rechecks_permission(app, world, socket_client):
    amina = _connected(app, socket_client, "amina@example.org")
    bruno = _connected(app, socket_client, "bruno@example.org")
    bruno.emit("channel:join", {"channel_id": world.channel.id}, callback=True)
    amina.emit("channel:join", {"channel_id": world.channel.id}, callback=True)
    # Removed behind the socket's back (no memberships_changed): the next event still refuses.
    db.session.execute(CohortMembership.__table__.delete().where(
        CohortMembership.user_id == world.amina.id))
    db.session.commit()  # Sock.emit drops the cached memberships, as a fresh event would
    ack = amina.emit("message:send", {"channel_id": world.channel.id, "body": "x",
                                      "client_id": "k"}, callback=True)
    assert ack["error"]["code"] == "not_found"
    ack = amina.emit("channel:history", {"channel_id": world.channel.id}, callback=True)
    assert ack["error"]["code"] == "not_found"
    ack = amina.emit("typing", {"channel_id": world.channel.id}, callback=True)
    assert ack["error"]["code"] == "not_found"
    assert _count() == 0


def test_removal_from_cohort_cuts_the_open_socket(app, world, socket_client, make):
    admin = make.user("root", role="admin")
    amina = _connected(app, socket_client, "amina@example.org")
    amina.emit("channel:join", {"channel_id": world.channel.id}, callback=True)
    amina.emit("channel:join", {"channel_id": world.lobby.id}, callback=True)
    membership = db.session.scalar(select(CohortMembership).where(
        CohortMembership.user_id == world.amina.id))
    cohorts.remove_member(admin, world.cohort.id, membership.id)
    amina.get_received()
    chat.send_message(world.bruno, world.channel.id, "secret", "s1")
    chat.send_message(world.bruno, world.lobby.id, "public", "p1")
    bodies = [m["html"] for m in events(amina, "message:new")]
    assert len(bodies) == 1 and "public" in bodies[0]


def test_logout_disconnects_sockets(app, world, socket_client):
    client = app.test_client()
    client.post("/login", data={"email": "amina@example.org", "password": "correct horse battery"})
    chat_helpers.fresh_context()
    sc = socket_client(client)
    other = _connected(app, socket_client, "bruno@example.org")
    assert sc.is_connected()
    chat_helpers.fresh_context()
    client.post("/logout")
    assert not sc.is_connected()
    assert other.is_connected()


def test_edit_delete_typing_presence(app, world, socket_client):
    amina = _connected(app, socket_client, "amina@example.org")
    bruno = _connected(app, socket_client, "bruno@example.org")
    amina.emit("channel:join", {"channel_id": world.channel.id}, callback=True)
    ack = bruno.emit("channel:join", {"channel_id": world.channel.id}, callback=True)
    assert {p["username"] for p in ack["presence"]} == {"amina", "bruno"}
    assert {p["username"] for p in events(amina, "presence")[-1]["users"]} == {"amina", "bruno"}
    sent = amina.emit("message:send", {"channel_id": world.channel.id, "body": "helo",
                                       "client_id": "e1"}, callback=True)["message"]
    assert bruno.emit("message:edit", {"message_id": sent["id"], "body": "x"},
                      callback=True)["error"]["code"] == "not_found"
    bruno.get_received()
    assert amina.emit("message:edit", {"message_id": sent["id"], "body": "hello"},
                      callback=True)["ok"]
    assert "hello" in events(bruno, "message:edited")[0]["html"]
    assert amina.emit("message:delete", {"message_id": sent["id"]}, callback=True)["ok"]
    deleted = events(bruno, "message:deleted")[0]
    assert deleted["deleted"] and "hello" not in deleted["html"]

    amina.get_received()
    assert amina.emit("typing", {"channel_id": world.channel.id}, callback=True)["sent"]
    assert not amina.emit("typing", {"channel_id": world.channel.id}, callback=True)["sent"]
    assert [t["user"]["username"] for t in events(bruno, "typing")] == ["amina"]
    assert events(amina, "typing") == []  # not echoed to the sender

    bruno.emit("channel:leave", {"channel_id": world.channel.id}, callback=True)
    assert [p["username"] for p in events(amina, "presence")[-1]["users"]] == ["amina"]
    bruno.get_received()
    chat.send_message(world.amina, world.channel.id, "after leave", "e2")
    assert events(bruno, "message:new") == []


def test_join_catches_up_after_last_id(app, world, socket_client):
    ids = [chat.send_message(world.bruno, world.channel.id, f"m{n}", f"c{n}").id for n in range(5)]
    amina = _connected(app, socket_client, "amina@example.org")
    ack = amina.emit("channel:join", {"channel_id": world.channel.id, "last_id": ids[1]},
                     callback=True)
    assert [m["id"] for m in ack["messages"]] == ids[2:] and not ack["has_more"]
    older = amina.emit("channel:history", {"channel_id": world.channel.id, "before_id": ids[2]},
                       callback=True)
    assert [m["id"] for m in older["messages"]] == ids[:2]


def test_bad_payloads_and_suspension_give_error_acks(app, world, socket_client):
    amina = _connected(app, socket_client, "amina@example.org")
    assert amina.emit("channel:join", "nope", callback=True)["error"]["code"] == "invalid"
    assert amina.emit("channel:join", {"channel_id": "1; drop"},
                      callback=True)["error"]["code"] == "invalid"
    too_long = amina.emit("message:send", {"channel_id": world.channel.id, "body": "x" * 4001,
                                           "client_id": "l1"}, callback=True)
    assert too_long["error"]["code"] == "too_long"
    world.amina.suspended_until = utcnow() + timedelta(hours=1)
    db.session.commit()
    ack = amina.emit("message:send", {"channel_id": world.channel.id, "body": "x",
                                      "client_id": "s1"}, callback=True)
    assert ack["error"]["code"] == "suspended"


def test_rate_limit_error_ack(app, world, socket_client):
    app.config["CHAT_RATE_LIMIT"] = (2, 60)
    amina = _connected(app, socket_client, "amina@example.org")
    acks = [amina.emit("message:send", {"channel_id": world.channel.id, "body": f"m{n}",
                                        "client_id": f"r{n}"}, callback=True) for n in range(3)]
    assert [a["ok"] for a in acks] == [True, True, False]
    assert acks[2]["error"]["code"] == "rate_limited"
    assert "too fast" in acks[2]["error"]["message"]
