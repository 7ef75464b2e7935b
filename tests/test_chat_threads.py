"""Chat reactions, replies in thread and chat-to-thread: services, socket events (who receives
which event) and the JSON API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.extensions import db
from forum.models import Category, Message, MessageReaction, Post, Thread
from forum.services import chat, chat_reactions, chat_threads, chat_to_thread, cohorts
from tests import chat_helpers
from tests.api_helpers import ApiClient, token_for
from tests.chat_helpers import events

world = chat_helpers.world  # the fixture


def _send(user, channel, body: str, key: str, **kw) -> Message:
    return chat.send_message(user, channel.id, body, key, **kw)


def _reactions() -> list[tuple[int, int, str]]:
    return sorted(db.session.execute(select(MessageReaction.message_id, MessageReaction.user_id,
                                            MessageReaction.emoji)).all())


# --------------------------------------------------------------------------- reactions


def test_reaction_set_is_idempotent_toggle_flips_and_payload_carries_it(world):
    message = _send(world.amina, world.channel, "hello", "r1")
    first = chat_reactions.set_reaction(world.bruno, message.id, "👍", True)
    again = chat_reactions.set_reaction(world.bruno, message.id, "👍", True)
    assert first == again == {"message_id": message.id, "channel_id": world.channel.id,
                              "reactions": [{"emoji": "👍", "count": 1,
                                             "user_ids": [world.bruno.id]}]}
    # "❤" without its presentation selector is the same heart.
    chat_reactions.set_reaction(world.amina, message.id, "❤", True)
    assert _reactions() == sorted([(message.id, world.bruno.id, "👍"),
                                   (message.id, world.amina.id, "❤️")])
    flipped = chat_reactions.toggle_reaction(world.bruno, message.id, "👍")
    assert [g["emoji"] for g in flipped["reactions"]] == ["❤️"]
    chat_reactions.set_reaction(world.bruno, message.id, "👍", False)  # twice off: nothing
    payload = chat.message_payload(db.session.get(Message, message.id))
    assert payload["reactions"] == [{"emoji": "❤️", "count": 1, "user_ids": [world.amina.id]}]
    assert 'data-emoji="❤️"' in payload["html"] and f'data-user-ids="{world.amina.id}"' in \
        payload["html"]
    # History (the page) carries them too, loaded in one query for the whole page.
    shown = chat.history(world.bruno, world.channel.id)
    assert shown[-1].reaction_groups == payload["reactions"]
    # Joined in the page's query, reactions never shorten a page (the LIMIT counts messages).
    for n in range(3):
        extra = _send(world.amina, world.channel, f"more {n}", f"r1-{n}")
        for person in (world.amina, world.bruno):
            chat_reactions.set_reaction(person, extra.id, "✅", True)
    page = chat.history(world.bruno, world.channel.id, limit=3)
    assert [m.body_source for m in page] == ["more 0", "more 1", "more 2"]
    assert [g["count"] for g in page[0].reaction_groups] == [2]


def test_reaction_allowlist_access_removed_and_read_only(world, make):
    message = _send(world.amina, world.channel, "hello", "r2")
    with pytest.raises(Invalid) as bad:
        chat_reactions.set_reaction(world.bruno, message.id, "💩", True)
    assert "emoji" in bad.value.fields
    with pytest.raises(NotFound):  # another cohort's channel: as if it did not exist
        chat_reactions.set_reaction(world.carla, message.id, "👍", True)
    with pytest.raises(NotFound):
        chat_reactions.set_reaction(world.bruno, 424242, "👍", True)
    chat.delete_message(world.amina, message.id)
    with pytest.raises(NotFound):
        chat_reactions.set_reaction(world.bruno, message.id, "👍", True)
    other = _send(world.amina, world.channel, "still here", "r3")
    admin = make.user("admin", role="admin")
    cohorts.set_cohort_status(admin, world.cohort.id, archived=True, read_only=True)
    with pytest.raises(Forbidden) as refused:
        chat_reactions.set_reaction(world.bruno, other.id, "👍", True)
    assert refused.value.code == "read_only"
    assert _reactions() == []


def test_reaction_rate_limit(app, world):
    app.config["CHAT_REACTION_RATE_LIMIT"] = (3, 60)
    message = _send(world.amina, world.lobby, "hello", "r4")
    for on in (True, False, True):
        chat_reactions.set_reaction(world.carla, message.id, "🎉", on)
    with pytest.raises(RateLimited):
        chat_reactions.set_reaction(world.carla, message.id, "🎉", False)
    assert _reactions() == [(message.id, world.carla.id, "🎉")]


def test_reaction_event_reaches_the_room_and_never_outsiders(app, world, socket_client):
    message = _send(world.amina, world.channel, "hello", "r5")
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    bruno = chat_helpers.connect(app, socket_client, "bruno@example.org")
    carla = chat_helpers.connect(app, socket_client, "carla@example.org")
    for sock in (amina, bruno):
        assert sock.emit("channel:join", {"channel_id": world.channel.id})["ok"]
    carla.emit("channel:join", {"channel_id": world.channel.id})
    carla.emit("channel:join", {"channel_id": world.lobby.id})
    for sock in (amina, bruno, carla):
        sock.get_received()
    ack = bruno.emit("reaction:toggle", {"message_id": message.id, "emoji": "🙏", "on": True})
    assert ack["ok"] and ack["reactions"] == [{"emoji": "🙏", "count": 1,
                                               "user_ids": [world.bruno.id]}]
    assert [e["reactions"] for e in events(amina, "message:reactions")] == [ack["reactions"]]
    assert events(carla, "message:reactions") == []
    refused = carla.emit("reaction:toggle", {"message_id": message.id, "emoji": "🙏"})
    assert refused["error"]["code"] == "not_found"
    bad = bruno.emit("reaction:toggle", {"message_id": message.id, "emoji": "🙏", "on": "yes"})
    assert bad["error"]["code"] == "invalid"
    # A repeated "on" changes nothing and broadcasts nothing.
    amina.get_received()
    assert bruno.emit("reaction:toggle", {"message_id": message.id, "emoji": "🙏",
                                          "on": True})["ok"]
    assert events(amina, "message:reactions") == []


# --------------------------------------------------------------------------- threads


def test_replies_are_one_level_take_the_channel_seq_and_count_on_the_root(world):
    root = _send(world.amina, world.channel, "question", "t1")
    reply = chat_threads.send_reply(world.bruno, root.id, "answer", "t2")
    also = chat_threads.send_reply(world.amina, root.id, "thanks", "t3", also_to_channel=True)
    retry = chat_threads.send_reply(world.amina, root.id, "thanks", "t3", also_to_channel=True)
    assert retry["id"] == also["id"]  # idempotent by client_id
    after = _send(world.bruno, world.channel, "next topic", "t4")
    assert [reply["seq"], also["seq"], after.seq] == [root.seq + 1, root.seq + 2, root.seq + 3]
    assert (reply["thread_root_id"], reply["in_channel"], also["in_channel"]) == \
        (root.id, False, True)
    assert "data-thread-only" in reply["html"] and "data-thread-only" not in also["html"]
    stored = db.session.get(Message, root.id)
    assert stored.reply_count == 2 and stored.last_reply_at is not None
    with pytest.raises(Invalid):  # one level
        chat_threads.send_reply(world.bruno, reply["id"], "deeper", "t5")
    with pytest.raises(NotFound):  # an outsider
        chat_threads.send_reply(world.carla, root.id, "hi", "t6")
    other = _send(world.carla, world.other_channel, "elsewhere", "t7")
    with pytest.raises(NotFound):  # a root in another channel, through the send path too
        chat.send_message(world.amina, world.channel.id, "x", "t8", thread_root_id=other.id)
    assert db.session.scalar(select(func.count(Message.id))) == 5

    # The channel's catch-up has every seq (the thread-only reply too); the main log does not.
    page = chat.catch_up(world.bruno, world.channel.id, after_seq=0)
    assert [m["id"] for m in page["messages"]] == [root.id, reply["id"], also["id"], after.id]
    assert [m.id for m in chat.history(world.bruno, world.channel.id)] == \
        [root.id, also["id"], after.id]
    # The thread's own history and catch-up by seq; a reply's id opens its root's thread.
    thread = chat_threads.thread_replies(world.bruno, root.id)
    assert thread["root"]["id"] == root.id and thread["root"]["reply_count"] == 2
    assert [m["id"] for m in thread["messages"]] == [reply["id"], also["id"]]
    assert thread["last_seq"] == also["seq"] and not thread["has_more"]
    later = chat_threads.thread_replies(world.bruno, reply["id"], after_seq=reply["seq"])
    assert [m["id"] for m in later["messages"]] == [also["id"]]
    paged = chat_threads.thread_replies(world.bruno, root.id, limit=1)
    assert paged["has_more"] and paged["last_seq"] == reply["seq"]
    with pytest.raises(NotFound):
        chat_threads.thread_replies(world.carla, root.id)


def test_thread_only_replies_do_not_count_as_unread(world):
    root = _send(world.amina, world.channel, "question", "u1")
    chat.mark_read(world.bruno, world.channel.id, root.id)
    chat_threads.send_reply(world.amina, root.id, "detail", "u2")
    assert chat.unread_counts(world.bruno, [world.channel.id]) == {}
    chat_threads.send_reply(world.amina, root.id, "for all", "u3", also_to_channel=True)
    assert chat.unread_counts(world.bruno, [world.channel.id]) == {world.channel.id: 1}


def test_reply_events_reach_the_room_only(app, world, socket_client):
    root = _send(world.amina, world.channel, "question", "s1")
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    bruno = chat_helpers.connect(app, socket_client, "bruno@example.org")
    carla = chat_helpers.connect(app, socket_client, "carla@example.org")
    for sock in (amina, bruno):
        assert sock.emit("channel:join", {"channel_id": world.channel.id})["ok"]
    for sock in (amina, bruno, carla):
        sock.get_received()
    ack = bruno.emit("reply:send", {"root_id": root.id, "body": "answer", "client_id": "s2",
                                    "also_to_channel": False})
    assert ack["ok"] and ack["message"]["thread_root_id"] == root.id
    heard = [(e["name"], e["args"][0]) for e in amina.get_received()]
    assert [(name, p.get("id", p.get("root_id"))) for name, p in heard] == \
        [("message:new", ack["message"]["id"]), ("replies:summary", root.id)]
    assert heard[1][1]["reply_count"] == 1
    assert carla.get_received() == []
    since = amina.emit("replies:since", {"root_id": root.id, "after_seq": 0})
    assert since["ok"] and [m["id"] for m in since["messages"]] == [ack["message"]["id"]]
    assert carla.emit("replies:since", {"root_id": root.id})["error"]["code"] == "not_found"
    refused = carla.emit("reply:send", {"root_id": root.id, "body": "x", "client_id": "s3"})
    assert refused["error"]["code"] == "not_found"


# --------------------------------------------------------------------------- chat → thread


@pytest.fixture
def spaces(world) -> dict[str, Category]:
    """A global category, one of the channel's cohort, one of the other cohort."""
    found = {"global": Category(slug="general", name="General"),
             "cohort": Category(slug="geneva-lounge", name="Geneva lounge",
                                cohort_id=world.cohort.id),
             "other": Category(slug="nairobi-lounge", name="Nairobi lounge",
                               cohort_id=world.other_cohort.id)}
    db.session.add_all(found.values())
    db.session.commit()
    return found


def test_to_thread_quotes_links_and_asks_before_a_wider_audience(world, spaces):
    first = _send(world.amina, world.channel, "How do I *apply*?", "q1")
    second = _send(world.bruno, world.channel, "Line one\nline two", "q2")
    choices = chat_to_thread.to_thread_choices(world.amina, world.channel.id, first.id, second.id)
    assert choices.selected == {first.id, second.id}
    assert {c.slug for c in choices.categories} == {"general", "geneva-lounge"}  # postable only
    with pytest.raises(Conflict) as wider:
        chat_to_thread.make_thread(world.amina, world.channel.id, [first.id, second.id],
                                   spaces["global"].id, "Applying")
    assert wider.value.code == "wider_audience" and "Everyone on Commons" in wider.value.message
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    with pytest.raises(NotFound):  # a category the user cannot read
        chat_to_thread.make_thread(world.amina, world.channel.id, [first.id], spaces["other"].id,
                                   "Applying", confirm_wider_audience=True)
    thread = chat_to_thread.make_thread(world.amina, world.channel.id, [second.id, first.id],
                                        spaces["cohort"].id, "Applying")  # same audience
    post = db.session.get(Post, thread.first_post_id)
    assert post.body_source.index("How do I") < post.body_source.index("Line one")
    assert "> **Amina" in post.body_source and "> line two" in post.body_source
    assert f"/chat/{world.channel.id}#m-{first.id}" in post.body_source
    assert f'href="/chat/{world.channel.id}#m-{second.id}"' in post.body_html
    confirmed = chat_to_thread.make_thread(world.amina, world.channel.id, [first.id],
                                           spaces["global"].id, "Applying (for everyone)",
                                           confirm_wider_audience=True)
    assert confirmed.category_id == spaces["global"].id
    other = _send(world.carla, world.other_channel, "not yours", "q3")
    with pytest.raises(NotFound):  # a message of another channel is never quoted
        chat_to_thread.make_thread(world.amina, world.channel.id, [first.id, other.id],
                                   spaces["cohort"].id, "Mixed")
    with pytest.raises(NotFound):  # an outsider
        chat_to_thread.to_thread_choices(world.carla, world.channel.id, first.id, first.id)


def test_to_thread_page_works_without_javascript(app, world, spaces):
    from tests.discussions_helpers import Browser

    message = _send(world.amina, world.lobby, "A good question", "p1")
    reader = Browser(app, world.amina)
    url = f"/chat/{world.lobby.id}/to-thread?from={message.id}&to={message.id}"
    page = reader.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{message.id}" id="pick-{message.id}" checked' in html
    assert "Geneva lounge" in html and "Nairobi lounge" not in html
    data = {"title": "A good question", "category_id": str(spaces["global"].id),
            "message_ids": [str(message.id)]}
    done = reader.post(url, data=data)  # global channel → global category: not wider
    assert done.status_code == 303 and "/t/" in done.headers["Location"]
    assert reader.get(f"/chat/{world.lobby.id}/to-thread?from=999999").status_code == 404


def test_to_thread_page_confirmation_step(app, world, spaces):
    from tests.discussions_helpers import Browser

    message = _send(world.amina, world.channel, "Cohort talk", "p2")
    reader = Browser(app, world.amina)
    url = f"/chat/{world.channel.id}/to-thread?from={message.id}"
    data = {"title": "Cohort talk", "category_id": str(spaces["global"].id),
            "message_ids": [str(message.id)]}
    asked = reader.post(url, data=data)
    assert asked.status_code == 409 and "Who will be able to read it" in \
        asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    done = reader.post(url, data={**data, "confirm_wider_audience": "y",
                                  "confirmed_for": str(spaces["global"].id)})
    assert done.status_code == 303


# --------------------------------------------------------------------------- API


def test_api_reactions_replies_and_to_thread(app, world, spaces):
    root = _send(world.amina, world.channel, "API root", "a1")
    bruno = ApiClient(app, token_for(world.bruno))
    carla = ApiClient(app, token_for(world.carla))
    added = bruno.call("PUT", f"/messages/{root.id}/reactions/%F0%9F%91%8D")
    assert added.status_code == 200 and added.json["reactions"][0]["user_ids"] == [world.bruno.id]
    assert bruno.call("PUT", f"/messages/{root.id}/reactions/%F0%9F%91%8D").json == added.json
    assert bruno.call("PUT", f"/messages/{root.id}/reactions/x").status_code == 422
    assert carla.call("PUT", f"/messages/{root.id}/reactions/%F0%9F%91%8D").status_code == 404
    removed = bruno.call("DELETE", f"/messages/{root.id}/reactions/%F0%9F%91%8D")
    assert removed.status_code == 200 and removed.json["reactions"] == []

    sent = bruno.post(f"/messages/{root.id}/replies",
                      json={"body": "API reply", "client_id": "a2", "also_to_channel": True})
    assert sent.status_code == 201 and sent.json["thread_root_id"] == root.id
    assert sent.json["in_channel"] is True and sent.json["reactions"] == []
    listed = bruno.get(f"/messages/{root.id}/replies?after=0")
    assert listed.status_code == 200 and [m["id"] for m in listed.json["messages"]] == \
        [sent.json["id"]]
    assert listed.json["root"]["reply_count"] == 1
    assert bruno.get(f"/messages/{root.id}/replies?after={sent.json['seq']}").json[
        "messages"] == []
    assert carla.get(f"/messages/{root.id}/replies").status_code == 404

    body = {"message_ids": [root.id], "category_id": spaces["global"].id, "title": "From chat"}
    wider = bruno.post(f"/channels/{world.channel.id}/to-thread", json=body)
    assert wider.status_code == 409 and wider.json["error"]["code"] == "wider_audience"
    made = bruno.post(f"/channels/{world.channel.id}/to-thread",
                      json={**body, "confirm_wider_audience": True})
    assert made.status_code == 201 and "API root" in made.json["first_post"]["body"]
