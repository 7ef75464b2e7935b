"""The chat sidebar: one statement for 50 channels with their counts, and `chat:activity`
reaching exactly the sockets that may read the channel."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import ChannelMember, CohortMembership, Message
from forum.services import chat, chat_sidebar, cohorts
from tests import chat_helpers
from tests.chat_helpers import events

world = chat_helpers.world  # the fixture


def test_sidebar_lists_50_channels_with_counts_in_one_statement(app, world, queries):
    for i in range(47):
        chat_helpers.channel(f"extra{i:02d}", world.cohort if i % 2 else None)
    chat.send_message(world.bruno, world.channel.id, "hello @amina", "m1")
    chat.send_message(world.bruno, world.channel.id, "again", "m2")
    chat.send_message(world.bruno, world.lobby.id, "lobby", "m3")
    chat.send_message(world.amina, world.lobby.id, "mine", "m4")  # her own: never unread
    dm = chat.open_direct_channel(world.bruno, ["amina"])
    chat.send_message(world.bruno, dm.id, "psst", "m5")
    db.session.expire_all()
    assert world.amina.is_active  # the user row reloaded (a page has it already)
    with queries() as statements:
        items = chat_sidebar.sidebar(world.amina)
    assert len(statements) == 1, statements
    assert len(items) == 50  # general + 23 cohort, lobby + 24 global, the conversation
    by_id = {item.id: item for item in items}
    assert (by_id[world.channel.id].unread, by_id[world.channel.id].mentions) == (2, 1)
    assert (by_id[world.lobby.id].unread, by_id[world.lobby.id].mentions) == (1, 0)
    assert by_id[dm.id].title == world.bruno.display_name
    assert by_id[dm.id].partner_id == world.bruno.id and by_id[dm.id].unread == 1
    assert world.other_channel.id not in by_id  # another cohort's channel is not listed
    # Reading the channel clears its unread count and its mention badge.
    chat.mark_read(world.amina, world.channel.id)
    item = {i.id: i for i in chat_sidebar.sidebar(world.amina)}[world.channel.id]
    assert (item.unread, item.mentions) == (0, 0)


def test_sidebar_counts_stop_at_99_plus(app, world):
    for i in range(105):
        db.session.add(Message(channel_id=world.lobby.id, author_id=world.bruno.id,
                               client_id=f"b{i}", body_source="x", body_html="<p>x</p>"))
    db.session.commit()
    item = {i.id: i for i in chat_sidebar.sidebar(world.amina)}[world.lobby.id]
    assert item.unread == chat_sidebar.UNREAD_CAP + 1 and item.unread_capped


def test_chat_activity_reaches_readers_only(app, world, socket_client):
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    carla = chat_helpers.connect(app, socket_client, "carla@example.org")
    ack = amina.emit("chat:watch", {})
    assert ack["ok"] and world.channel.id in {c["id"] for c in ack["channels"]}
    carla_ack = carla.emit("chat:watch", {})
    assert world.channel.id not in {c["id"] for c in carla_ack["channels"]}
    amina.get_received()
    carla.get_received()
    message = chat.send_message(world.bruno, world.channel.id, "hi @amina", "a1")
    chat.send_message(world.bruno, world.lobby.id, "hi all", "a2")
    got = events(amina, "chat:activity")
    assert got[0] == {"channel_id": world.channel.id, "seq": message.seq,
                      "message_id": message.id, "author_id": world.bruno.id,
                      "mentions": ["amina"]}
    assert "html" not in got[0] and "body" not in got[0]  # no content
    assert [e["channel_id"] for e in events(carla, "chat:activity")] == [world.lobby.id]


def test_chat_activity_stops_when_access_is_lost(app, world, socket_client, make):
    admin = make.user("root", role="admin")
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    amina.emit("chat:watch", {})
    membership = db.session.scalar(select(CohortMembership).where(
        CohortMembership.user_id == world.amina.id))
    cohorts.remove_member(admin, world.cohort.id, membership.id)
    amina.get_received()
    chat.send_message(world.bruno, world.channel.id, "secret", "s1")
    chat.send_message(world.bruno, world.lobby.id, "public", "p1")
    assert [e["channel_id"] for e in events(amina, "chat:activity")] == [world.lobby.id]


def test_direct_conversation_activity_only_for_its_members(app, world, socket_client):
    dm = chat.open_direct_channel(world.amina, ["bruno"])
    bruno = chat_helpers.connect(app, socket_client, "bruno@example.org")
    carla = chat_helpers.connect(app, socket_client, "carla@example.org")
    bruno.emit("chat:watch", {})
    carla.emit("chat:watch", {})
    bruno.get_received()
    carla.get_received()
    chat.send_message(world.amina, dm.id, "just us", "d1")
    assert [e["channel_id"] for e in events(bruno, "chat:activity")] == [dm.id]
    assert events(carla, "chat:activity") == []
    assert db.session.scalar(select(ChannelMember.id).where(
        ChannelMember.channel_id == dm.id, ChannelMember.user_id == world.carla.id)) is None


def _page_statements(app, queries, user, path: str) -> tuple[int, str]:
    from tests.discussions_helpers import Browser

    browser = Browser(app, user)
    assert browser.get(path).status_code == 200  # the first visit may move the read marker
    with queries() as statements:
        response = browser.get(path)
    assert response.status_code == 200
    return len(statements), response.text


def test_chat_page_with_3_or_50_channels_costs_the_same_statements(app, world, queries):
    """The workspace's sidebar adds no statement per channel: ≤ 8 for the whole page."""
    chat.send_message(world.bruno, world.lobby.id, "hello", "q1")
    few, html = _page_statements(app, queries, world.amina, f"/chat/{world.channel.id}")
    assert "lobby" in html and 'aria-current="page"' in html
    for i in range(47):
        extra = chat_helpers.channel(f"room{i:02d}", world.cohort if i % 2 else None)
        db.session.add(Message(channel_id=extra.id, author_id=world.bruno.id, client_id=f"r{i}",
                               body_source="x", body_html="<p>x</p>"))
    db.session.commit()
    chat.open_direct_channel(world.amina, ["bruno"])
    many, html = _page_statements(app, queries, world.amina, f"/chat/{world.channel.id}")
    assert html.count('class="chat-nav-item') == 50  # general, lobby, 47 rooms, the DM
    assert "room46" in html and "Unread: 1" in html
    assert few == many <= 8, (few, many)


def test_a_new_direct_conversation_is_listed_at_once_for_its_members_only(
        app, world, socket_client):
    bruno = chat_helpers.connect(app, socket_client, "bruno@example.org")
    carla = chat_helpers.connect(app, socket_client, "carla@example.org")
    before = bruno.emit("chat:watch", {})
    bruno.get_received()
    carla.get_received()
    dm = chat.open_direct_channel(world.amina, ["bruno"])
    assert events(bruno, "chat:listed") == [{"channel_id": dm.id}]
    assert events(carla, "chat:listed") == []
    assert dm.id not in {c["id"] for c in before["channels"]}
    # The watch it triggers lists the conversation with what a sidebar line needs, and joins
    # its activity room.
    ack = bruno.emit("chat:watch", {})
    [line] = [c for c in ack["channels"] if c["id"] == dm.id]
    assert line == {"id": dm.id, "kind": "direct", "title": world.amina.display_name,
                    "unread": 0, "mentions": 0, "muted": False, "partner_id": world.amina.id}
    bruno.get_received()
    chat.send_message(world.amina, dm.id, "hello", "n1")
    assert [e["channel_id"] for e in events(bruno, "chat:activity")] == [dm.id]
    # Opening the same 1:1 again lists nothing new.
    chat.open_direct_channel(world.bruno, ["amina"])
    assert events(bruno, "chat:listed") == []


def test_presence_dots_answer_for_direct_partners_only_and_follow_them(
        app, world, socket_client):
    chat.open_direct_channel(world.amina, ["bruno"])
    amina = chat_helpers.connect(app, socket_client, "amina@example.org")
    assert amina.emit("presence:partners", {}) == {"ok": True, "online": []}
    bruno = chat_helpers.connect(app, socket_client, "bruno@example.org")
    chat_helpers.connect(app, socket_client, "carla@example.org")  # online, but no DM
    assert amina.emit("presence:partners", {}) == {"ok": True, "online": [world.bruno.id]}
    bruno.disconnect()
    assert amina.emit("presence:partners", {}) == {"ok": True, "online": []}
