"""Catch-up after a dropped connection never skips a message, however far behind the reader is.

Rule (docs/socket-events.md): `channel:join` with a position returns the OLDEST missed messages
first, at most CATCH_UP_LIMIT per ack; `has_more` means "join again from the last one you got".
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from forum.extensions import db
from forum.models import Message
from forum.services import chat
from tests import chat_helpers

world = chat_helpers.world  # the fixture


def bulk_messages(channel_id: int, author_id: int, count: int, tag: str) -> list[int]:
    """Store `count` messages in one statement (what many sends would store), their ids."""
    rows = [{"channel_id": channel_id, "author_id": author_id, "client_id": f"{tag}-{n}",
             "body_source": f"{tag} {n}", "body_html": f"<p>{tag} {n}</p>"}
            for n in range(count)]
    db.session.execute(insert(Message), rows)
    db.session.commit()
    return list(db.session.scalars(select(Message.id).where(
        Message.channel_id == channel_id, Message.client_id.like(f"{tag}-%"))
        .order_by(Message.id)))


def _catch_up(sock, channel_id: int, last_id: int) -> tuple[list[int], int]:
    """Join from `last_id` and follow `has_more` like a client must: (ids received, joins)."""
    received: list[int] = []
    joins = 0
    position = last_id
    while True:
        joins += 1
        ack = sock.emit("channel:join", {"channel_id": channel_id, "last_id": position})
        assert ack["ok"], ack
        ids = [m["id"] for m in ack["messages"]]
        assert ids == sorted(ids)  # oldest first within a page
        received += ids
        if not ack["has_more"]:
            return received, joins
        position = ids[-1]


@pytest.mark.parametrize("missed", [499, 500, 501, 1200])
def test_catch_up_returns_every_missed_message_in_order(app, world, socket_client, missed):
    seen = chat.send_message(world.bruno, world.channel.id, "seen", "seen-1").id
    expected = bulk_messages(world.channel.id, world.bruno.id, missed, "m")
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")

    received, joins = _catch_up(amina, world.channel.id, seen)

    assert received == expected  # nothing skipped, nothing twice, oldest first
    assert joins == -(-missed // chat.CATCH_UP_LIMIT)  # 500 fit in one ack, 501 need two
    first = amina.emit("channel:join", {"channel_id": world.channel.id, "last_id": seen})
    assert first["messages"][0]["id"] == expected[0]  # the first missed one comes first
    assert first["has_more"] is (missed > chat.CATCH_UP_LIMIT)


def test_catch_up_pages_never_show_hidden_messages_but_keep_going(app, world, socket_client):
    seen = chat.send_message(world.bruno, world.channel.id, "seen", "seen-2").id
    expected = bulk_messages(world.channel.id, world.bruno.id, 600, "h")
    hidden = expected[10]
    db.session.execute(Message.__table__.update().where(Message.id == hidden)
                       .values(hidden_at=db.func.now()))
    db.session.commit()
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")

    received, _joins = _catch_up(amina, world.channel.id, seen)

    assert received == [i for i in expected if i != hidden]
    assert db.session.scalar(select(db.func.count(Message.id))) == 601
