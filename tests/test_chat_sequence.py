"""A dense per-channel sequence: every message event and ack carries `seq`, catch-up and gap
filling work by it, concurrent senders never share a number, the migration numbers old rows."""

from __future__ import annotations

import threading

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from forum import create_app
from forum.extensions import db
from forum.models import Channel, Message
from forum.services import chat
from forum.services.moderation import content
from tests import chat_helpers
from tests.chat_helpers import events

world = chat_helpers.world  # the fixture


def _seqs(channel_id: int) -> list[int]:
    return list(db.session.scalars(select(Message.seq).where(Message.channel_id == channel_id)
                                   .order_by(Message.id)))


def test_each_channel_counts_its_own_messages_and_every_event_carries_seq(
        app, world, socket_client):
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    bruno = chat_helpers.connect(app, socket_client, "bruno@example.org")
    for sock in (amina, bruno):
        assert sock.emit("channel:join", {"channel_id": world.channel.id})["ok"]
    acks = []
    for n in range(3):
        acks.append(amina.emit("message:send", {"channel_id": world.channel.id,
                                                "body": f"m{n}", "client_id": f"s-{n}"}))
        amina.emit("message:send", {"channel_id": world.lobby.id, "body": "elsewhere",
                                    "client_id": f"l-{n}"})
    retry = amina.emit("message:send", {"channel_id": world.channel.id, "body": "m0",
                                        "client_id": "s-0"})

    assert [a["message"]["seq"] for a in acks] == [1, 2, 3]
    assert retry["message"]["seq"] == 1  # a retry is the stored message: no new number
    live = events(bruno, "message:new")
    assert [(m["seq"], m["id"]) for m in live] == [(a["message"]["seq"], a["message"]["id"])
                                                    for a in acks]
    assert _seqs(world.channel.id) == [1, 2, 3] and _seqs(world.lobby.id) == [1, 2, 3]
    assert db.session.get(Channel, world.channel.id).last_seq == 3
    edited = amina.emit("message:edit", {"message_id": acks[1]["message"]["id"], "body": "b"})
    assert edited["message"]["seq"] == 2
    assert events(bruno, "message:edited")[0]["seq"] == 2


def test_catch_up_by_seq_pages_and_reports_the_position(app, world, socket_client):
    for n in range(5):
        chat.send_message(world.bruno, world.channel.id, f"m{n}", f"c{n}")
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    ack = amina.emit("channel:join", {"channel_id": world.channel.id, "after_seq": 2})
    assert [m["seq"] for m in ack["messages"]] == [3, 4, 5]
    assert ack["last_seq"] == 5 and ack["has_more"] is False
    # A gap seen live (seq 3 arrived, position 1): ask for exactly what is missing.
    since = amina.emit("channel:since", {"channel_id": world.channel.id, "after_seq": 1})
    assert [m["seq"] for m in since["messages"]] == [2, 3, 4, 5] and since["last_seq"] == 5
    nothing = amina.emit("channel:since", {"channel_id": world.channel.id, "after_seq": 5})
    assert nothing["messages"] == [] and nothing["last_seq"] == 5
    bad = amina.emit("channel:since", {"channel_id": world.channel.id})
    assert bad["ok"] is False and bad["error"]["code"] == "invalid"
    carla = chat_helpers.connect(app, socket_client, "carla@example.org")
    refused = carla.emit("channel:since", {"channel_id": world.channel.id, "after_seq": 0})
    assert refused["error"]["code"] == "not_found"  # the same access rule as join


def test_a_held_message_keeps_its_number_and_readers_move_past_it(app, world, socket_client):
    app.config["MODERATION_WORDS"] = ["pineapple=queue"]
    chat.send_message(world.bruno, world.channel.id, "one", "h-1")
    held = chat.send_message(world.bruno, world.channel.id, "pineapple", "h-2")
    chat.send_message(world.bruno, world.channel.id, "three", "h-3")
    assert held.seq == 2 and held.hidden_at is not None
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    ack = amina.emit("channel:since", {"channel_id": world.channel.id, "after_seq": 1})
    assert [m["seq"] for m in ack["messages"]] == [3]
    assert ack["last_seq"] == 3  # the hole at 2 is accounted for: no endless gap filling
    assert db.session.get(Channel, world.channel.id).last_seq == 3


def test_message_hidden_carries_the_seq_of_the_message_that_left(app, world, socket_client):
    app.config["MODERATION_WORDS"] = ["pineapple=queue"]
    edited = chat.send_message(world.bruno, world.channel.id, "one", "x-1")
    removed = chat.send_message(world.bruno, world.channel.id, "two", "x-2")
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    assert amina.emit("channel:join", {"channel_id": world.channel.id})["ok"]
    amina.get_received()
    chat_helpers.fresh_context()
    chat.edit_message(world.bruno, edited.id, "pineapple")  # held for review: leaves the log
    chat_helpers.fresh_context()
    content.remove(world.mod, "message", removed.id, "Spam")  # deleted by a moderator
    assert events(amina, "message:hidden") == [
        {"id": edited.id, "channel_id": world.channel.id, "seq": 1},
        {"id": removed.id, "channel_id": world.channel.id, "seq": 2}]


def test_concurrent_senders_never_share_a_number(app, world):
    """Eight threads (each its own session and connection) send into one channel at once."""
    cid = world.channel.id
    users = [world.amina.id, world.bruno.id]
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def sender(n: int) -> None:
        with app.app_context():
            try:
                from forum.models import User

                user = db.session.get(User, users[n % 2])
                start.wait()
                for k in range(5):
                    chat.send_message(user, cid, f"t{n}-{k}", f"t{n}-{k}")
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    app.config["CHAT_RATE_LIMIT"] = (1000, 1)
    threads = [threading.Thread(target=sender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert _seqs(cid) == list(range(1, 41))  # dense, unique, and in id order
    assert db.session.get(Channel, cid).last_seq == 40


def test_rows_written_outside_the_send_path_are_numbered_too(world):
    db.session.add_all(Message(channel_id=world.lobby.id, author_id=world.amina.id,
                               client_id=f"seed-{n}", body_source="s", body_html="<p>s</p>")
                       for n in range(3))
    db.session.commit()
    sent = chat.send_message(world.amina, world.lobby.id, "after the seed", "after-seed")
    assert _seqs(world.lobby.id) == [1, 2, 3, 4] and sent.seq == 4


def test_migration_numbers_existing_messages_per_channel_in_id_order(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0010_post_count_quote_source")
        with db.engine.begin() as conn:
            for cid in (1, 2, 3):
                conn.execute(text("INSERT INTO channels (id, kind, name, slug, created_at) "
                                  "VALUES (:c, 'global', 'c', :s, '2026-01-01')"),
                             {"c": cid, "s": f"c{cid}"})
            for n, cid in enumerate([1, 2, 1, 1, 2]):
                conn.execute(text("INSERT INTO messages (channel_id, client_id, body_source, "
                                  "body_html, created_at) VALUES (:c, :k, 'b', 'b', "
                                  "'2026-01-01')"), {"c": cid, "k": f"k{n}"})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT channel_id, seq FROM messages ORDER BY id")).all()
            last = dict(conn.execute(text("SELECT id, last_seq FROM channels")).all())
        assert [tuple(r) for r in rows] == [(1, 1), (2, 1), (1, 2), (1, 3), (2, 2)]
        assert last == {1: 3, 2: 2, 3: 0}
        assert db.session.scalar(select(func.count(Message.id))) == 5
        db.engine.dispose()
