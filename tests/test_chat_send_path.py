"""The cost and contract of the send path: one rendering, no per-member work, retries answered."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from forum.extensions import db
from forum.models import Message
from forum.services import chat
from tests import chat_helpers
from tests.chat_helpers import events

world = chat_helpers.world  # the fixture


@contextmanager
def statements():
    """Collect the SQL statements the app runs meanwhile."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _joined(app, socket_client, email: str, channel_id: int) -> chat_helpers.Sock:
    sock = chat_helpers.connect(app, socket_client, email)
    assert sock.emit("channel:join", {"channel_id": channel_id})["ok"]
    sock.get_received()
    return sock


def _send(sock, channel_id: int, client_id: str, body: str = "hello room") -> dict:
    return sock.emit("message:send", {"channel_id": channel_id, "body": body,
                                      "client_id": client_id})


def test_ack_is_the_payload_the_room_received(app, world, socket_client, make):
    amina = _joined(app, socket_client, "amina@example.org", world.channel.id)
    bruno = _joined(app, socket_client, "bruno@example.org", world.channel.id)
    ack = _send(amina, world.channel.id, "a-1", "see *this*")
    assert ack["ok"]
    assert events(bruno, "message:new") == [ack["message"]]
    assert "<em>this</em>" in ack["message"]["html"]
    assert ack["message"]["author"]["username"] == "amina"


def test_send_cost_does_not_grow_with_the_room(app, world, socket_client, make):
    """A send in a cohort channel: no notification queries (nobody mentioned), the same
    statements for a room of 2 or of 6, and every member gets exactly one packet."""
    cid = world.channel.id
    amina = _joined(app, socket_client, "amina@example.org", cid)
    bruno = _joined(app, socket_client, "bruno@example.org", cid)
    db.session.expire_all()  # the test shares its session with the handlers: load afresh
    with statements() as small:
        assert _send(amina, cid, "s-1")["ok"]
    others = []
    for n in range(4):
        make.user(f"member{n}", cohorts=[world.cohort])
        others.append(_joined(app, socket_client, f"member{n}@example.org", cid))
    for sock in [amina, bruno, *others]:
        sock.get_received()  # the presence lists of those joins
    db.session.expire_all()
    with statements() as large:
        assert _send(amina, cid, "s-2")["ok"]
    assert len(large) == len(small)
    assert not [s for s in large if "notification" in s.lower()]
    for sock in [bruno, *others]:
        received = sock.get_received()
        assert [e["name"] for e in received] == ["message:new"]


def test_retry_is_answered_even_if_it_would_be_refused_now(app, world, socket_client):
    amina = _joined(app, socket_client, "amina@example.org", world.channel.id)
    bruno = _joined(app, socket_client, "bruno@example.org", world.channel.id)
    first = _send(amina, world.channel.id, "w-1", "hello pineapple")
    app.config["MODERATION_WORDS"] = ["pineapple=block"]  # the word list changed since
    retry = _send(amina, world.channel.id, "w-1", "hello pineapple")
    assert retry == first
    refused = _send(amina, world.channel.id, "w-2", "hello pineapple")
    assert refused["error"]["code"] == "blocked_word"
    assert [m["client_id"] for m in events(bruno, "message:new")] == ["w-1"]  # once
    assert db.session.scalar(select(func.count(Message.id))) == 1


def test_retry_of_a_held_message_stays_hidden(app, world):
    app.config["MODERATION_WORDS"] = ["pineapple=queue"]
    first = chat.send_message(world.amina, world.channel.id, "hello pineapple", "h-1")
    assert first.hidden_at is not None
    again = chat.send_message(world.amina, world.channel.id, "hello pineapple", "h-1")
    assert again.id == first.id
    assert db.session.scalar(select(func.count(Message.id))) == 1


def test_fragment_escapes_what_people_typed(app, world):
    world.amina.display_name = "<b>Amina</b>"
    db.session.commit()
    message = chat.send_message(world.amina, world.channel.id, "<i>hi</i> & bye", "e-1")
    html = chat.message_payload(message)["html"]
    assert "&lt;b&gt;Amina&lt;/b&gt;" in html and "<b>Amina" not in html
    assert "<i>" not in html and "&amp; bye" in html
