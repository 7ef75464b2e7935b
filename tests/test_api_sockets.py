"""Socket.IO with personal access tokens (Flask-SocketIO test client): who may connect, what a
read-only token may do, and that every event re-checks the token."""

from __future__ import annotations

from flask import g
from sqlalchemy import func, select

from forum.extensions import db, socketio
from forum.models import Message
from forum.services import api_tokens
from tests import chat_helpers
from tests.api_helpers import token_for

world = chat_helpers.world  # the fixture


def _connect(app, token):
    g.pop("_login_user", None)  # the test's app context is shared with the handlers
    return socketio.test_client(app, auth={"token": token} if token else None)


def test_token_sockets(app, world):
    assert not _connect(app, None).is_connected()
    assert not _connect(app, "cmn_not-a-token").is_connected()
    writer = _connect(app, token_for(world.amina))
    reader_secret = token_for(world.bruno, scope="read")
    reader = _connect(app, reader_secret)
    assert writer.is_connected() and reader.is_connected()
    cid = world.channel.id
    g.pop("_login_user", None)
    assert reader.emit("channel:join", {"channel_id": cid}, callback=True)["ok"]
    g.pop("_login_user", None)
    assert writer.emit("channel:join", {"channel_id": cid}, callback=True)["ok"]
    g.pop("_login_user", None)
    refused = reader.emit("message:send", {"channel_id": cid, "body": "hi", "client_id": "r1"},
                          callback=True)
    assert not refused["ok"]
    g.pop("_login_user", None)
    sent = writer.emit("message:send", {"channel_id": cid, "body": "hi", "client_id": "w1"},
                       callback=True)
    assert sent["ok"], sent
    assert [e["args"][0]["id"] for e in reader.get_received() if e["name"] == "message:new"] \
        == [sent["message"]["id"]]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    g.pop("_login_user", None)
    outsider = _connect(app, token_for(world.carla))
    g.pop("_login_user", None)
    assert outsider.emit("channel:join", {"channel_id": cid},
                         callback=True)["error"]["code"] == "not_found"
    # A revoked token's socket acts as nobody from the next event on.
    api_tokens.revoke_token(world.bruno, api_tokens.list_tokens(world.bruno)[0].id)
    g.pop("_login_user", None)
    if reader.is_connected():
        assert not reader.emit("channel:history", {"channel_id": cid}, callback=True)["ok"]
    for sc in (writer, reader, outsider):
        if sc.is_connected():
            sc.disconnect()
