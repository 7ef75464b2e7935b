"""Refusals a client can act on without parsing a message: why a connect was refused, until when
an account is suspended, how long to wait after a rate limit (docs/socket-events.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from socketio import packet

from forum.extensions import db, socketio
from forum.models import User, utcnow
from forum.services import login_sessions
from tests import chat_helpers
from tests.chat_helpers import events

world = chat_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Two messages per 30 s, so the third is refused with a retry_after."""
    return {**app_config, "CHAT_RATE_LIMIT": (2, 30)}


@pytest.fixture
def refusals(monkeypatch) -> list:
    """The data of every CONNECT_ERROR packet the server sends from now on."""
    seen: list = []

    class Recording(packet.Packet):
        def __init__(self, packet_type=packet.EVENT, data=None, *args, **kwargs):
            if packet_type == packet.CONNECT_ERROR:
                seen.append(data)
            super().__init__(packet_type, data, *args, **kwargs)

    monkeypatch.setattr(socketio.server, "packet_class", Recording)
    return seen


def _logged_in(app, email: str):
    client = app.test_client()
    chat_helpers.fresh_context()
    assert client.post("/login", data={"email": email,
                                       "password": "correct horse battery"}).status_code == 302
    return client


def _socket(app, client=None):
    g.pop("_login_user", None)  # the test's app context is shared with the handlers
    sc = socketio.test_client(app, flask_test_client=client)
    g.pop("_login_user", None)
    return sc


def test_a_refused_connect_says_why(app, world, refusals):
    assert not _socket(app).is_connected()  # nobody logged in
    ended = _logged_in(app, "amina@example.org")
    login_sessions.end_all_sessions(db.session.get(User, world.amina.id))  # ended elsewhere
    db.session.commit()
    assert not _socket(app, ended).is_connected()
    banned = _logged_in(app, "bruno@example.org")
    db.session.get(User, world.bruno.id).banned_at = utcnow()
    db.session.commit()
    assert not _socket(app, banned).is_connected()
    assert refusals == [{"message": "logged_out", "data": {"code": "logged_out"}},
                        {"message": "logged_out", "data": {"code": "logged_out"}},
                        {"message": "banned", "data": {"code": "banned"}}]


def test_a_suspended_socket_hears_until_when_and_its_send_says_so_too(app, world):
    until = utcnow() + timedelta(days=2)
    db.session.get(User, world.amina.id).suspended_until = until
    db.session.commit()
    sock = chat_helpers.Sock(_socket(app, _logged_in(app, "amina@example.org")))
    assert sock.is_connected()  # a suspended member still reads
    assert events(sock, "account:state") == [{"code": "suspended", "until": until.isoformat()}]
    ack = sock.emit("message:send", {"channel_id": world.channel.id, "body": "hi",
                                     "client_id": "c-1"})
    assert ack["ok"] is False and ack["error"]["code"] == "suspended"
    assert ack["error"]["until"] == until.isoformat()
    other = chat_helpers.connect(app, socket_client=lambda c: _socket(app, c),
                                 email="bruno@example.org")
    assert events(other, "account:state") == []  # said only to the suspended


def test_a_rate_limited_send_says_how_long_to_wait(app, world):
    sock = chat_helpers.connect(app, lambda c: _socket(app, c), "amina@example.org")
    acks = [sock.emit("message:send", {"channel_id": world.channel.id, "body": f"m{n}",
                                       "client_id": f"c-{n}"}) for n in range(3)]
    assert [a["ok"] for a in acks] == [True, True, False]
    assert acks[2]["error"]["code"] == "rate_limited" and acks[2]["error"]["retry_after"] == 30


def test_a_lifted_suspension_reaches_the_open_socket_and_sending_works_again(app, world):
    from forum.services.moderation import people

    people.suspend(world.mod, world.amina.id, 1, "Cooling off")
    sock = chat_helpers.Sock(_socket(app, _logged_in(app, "amina@example.org")))
    assert [e["code"] for e in events(sock, "account:state")] == ["suspended"]
    other = chat_helpers.connect(app, socket_client=lambda c: _socket(app, c),
                                 email="bruno@example.org")
    people.lift(db.session.get(User, world.mod.id), world.amina.id, "Talked it through")
    assert events(sock, "account:state") == [{"code": "active"}]
    assert events(other, "account:state") == []  # only the person's own sockets hear it
    ack = sock.emit("message:send", {"channel_id": world.channel.id, "body": "back",
                                     "client_id": "c-back"})
    assert ack["ok"] is True
