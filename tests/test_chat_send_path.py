"""The cost and contract of the send path: one rendering, no per-member work, retries answered."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
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


def test_send_is_four_statements_with_the_permission_check_inside_the_lock(app, world,
                                                                           socket_client):
    """The user (session auth), the channel row with its membership facts and lock, the insert,
    the channel's last id: the access check costs no query of its own, and is made every time."""
    cid = world.channel.id
    amina = _joined(app, socket_client, "amina@example.org", cid)
    db.session.expire_all()  # the test shares its session with the handlers: load afresh
    with statements() as seen:
        assert _send(amina, cid, "q-1")["ok"]
    assert len(seen) == 4, [s[:60] for s in seen]
    assert seen[0].lstrip().upper().startswith("SELECT") and "users" in seen[0]
    lock = seen[1]
    assert "channels" in lock and "cohort_memberships" in lock and "channel_members" in lock
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE OF channels" in lock
    assert seen[2].lstrip().upper().startswith("INSERT INTO MESSAGES")
    assert seen[3].lstrip().upper().startswith("UPDATE CHANNELS")


def test_every_send_decides_access_like_can_read_channel(app, world, make):
    """The one-statement check agrees with the policy for members, outsiders, global moderators
    and direct conversations, and refuses what the policy refuses."""
    from forum.errors import NotFound
    from forum.services import access

    w = world
    dm = chat.open_direct_channel(w.amina, ["carla"])
    outsider = make.user("zoe")
    for person in (w.amina, w.bruno, w.carla, w.mod, outsider):
        for channel in (w.channel, w.other_channel, w.lobby, dm):
            allowed = access.can_read_channel(person, channel)
            try:
                access.lock_channel(person, channel.id)
                locked = True
            except NotFound:
                locked = False
            db.session.rollback()
            assert locked == allowed, (person.username, channel.name)
            client_id = f"{person.username}-{channel.id}"
            if allowed:
                assert chat.send_message(person, channel.id, "hi", client_id).id
            else:
                with pytest.raises(NotFound):
                    chat.send_message(person, channel.id, "hi", client_id)
    assert {(m.author_id, m.channel_id) for m in db.session.scalars(select(Message))} == {
        (w.amina.id, w.channel.id), (w.amina.id, w.lobby.id), (w.amina.id, dm.id),
        (w.bruno.id, w.channel.id), (w.bruno.id, w.lobby.id),
        (w.carla.id, w.other_channel.id), (w.carla.id, w.lobby.id), (w.carla.id, dm.id),
        (w.mod.id, w.channel.id), (w.mod.id, w.other_channel.id), (w.mod.id, w.lobby.id),
        (outsider.id, w.lobby.id),
    }


def test_removed_member_cannot_send_on_an_open_socket(app, world, socket_client, make):
    """Removed through the admin service while the socket stays open: the next send is refused
    and nothing reaches the room."""
    from forum.models import CohortMembership
    from forum.services import cohorts

    admin = make.user("root", role="admin")
    amina = _joined(app, socket_client, "amina@example.org", world.channel.id)
    bruno = _joined(app, socket_client, "bruno@example.org", world.channel.id)
    assert _send(amina, world.channel.id, "r-1")["ok"]
    membership = db.session.scalar(select(CohortMembership).where(
        CohortMembership.user_id == world.amina.id))
    cohorts.remove_member(admin, world.cohort.id, membership.id)
    bruno.get_received()
    ack = _send(amina, world.channel.id, "r-2", "still here?")
    assert ack["error"]["code"] == "not_found"
    assert events(bruno, "message:new") == []
    assert [m.client_id for m in db.session.scalars(select(Message))] == ["r-1"]


def test_retry_raises_no_database_error(app, world, socket_client):
    """A retry's insert does nothing (ON CONFLICT DO NOTHING) instead of failing: no
    duplicate-key error in the database's log, no aborted transaction, the first ack again."""
    errors: list[BaseException] = []

    def record(context) -> None:
        errors.append(context.original_exception)

    amina = _joined(app, socket_client, "amina@example.org", world.channel.id)
    bruno = _joined(app, socket_client, "bruno@example.org", world.channel.id)
    first = _send(amina, world.channel.id, "d-1")
    event.listen(db.engine, "handle_error", record)
    try:
        again = _send(amina, world.channel.id, "d-1")
    finally:
        event.remove(db.engine, "handle_error", record)
    assert again == first and errors == []
    assert [m["client_id"] for m in events(bruno, "message:new")] == ["d-1"]
    elsewhere = _send(amina, world.lobby.id, "d-1")  # the same id in another channel
    assert elsewhere["error"]["code"] == "client_id_reused"
    assert db.session.scalar(select(func.count(Message.id))) == 1
