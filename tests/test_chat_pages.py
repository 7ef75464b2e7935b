"""The chat pages without JavaScript: unread messages render and become read."""

from __future__ import annotations

from forum.services import chat
from tests import chat_helpers

world = chat_helpers.world  # the fixture


def test_channel_page_with_unread_messages_renders_them_and_marks_read(client, auth, world):
    for n in range(3):
        chat.send_message(world.bruno, world.channel.id, f"unread **{n}**", f"c-{n}")
    auth.login(world.amina.email)
    listing = client.get("/chat").get_data(as_text=True)
    assert world.channel.name in listing

    page = client.get(f"/chat/{world.channel.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "unread <strong>2</strong>" in html
    assert world.bruno.display_name in html
    unread = {row.channel.id: row.unread for row in chat.channel_list(world.amina)}
    assert unread[world.channel.id] == 0


def test_profile_offers_a_direct_message_that_opens_one_conversation(client, auth, world):
    auth.login(world.amina.email)
    profile = client.get(f"/u/{world.bruno.username}").get_data(as_text=True)
    assert f'action="/chat/dm/{world.bruno.username}"' in profile
    assert 'action="/chat/dm/' not in client.get(f"/u/{world.amina.username}").get_data(
        as_text=True)
    first = client.post(f"/chat/dm/{world.bruno.username}")
    again = client.post(f"/chat/dm/{world.bruno.username}")
    assert first.status_code == 302 and first.location == again.location
    assert client.get(first.location).status_code == 200
    auth.logout()
    auth.login(world.carla.email)
    assert client.get(first.location).status_code == 404


def test_a_plain_form_send_refused_after_suspension_keeps_the_text(client, auth, world):
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.models import Message
    from forum.services.moderation import people

    auth.login(world.amina.email)
    assert client.get(f"/chat/{world.channel.id}").status_code == 200
    people.suspend(world.mod, world.amina.id, 1, "Cooling off")  # while her page is open
    answer = client.post(f"/chat/{world.channel.id}",
                         data={"body": "Words worth keeping", "client_id": "plain-1"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "Words worth keeping</textarea>" in html  # the text is back in the box
    assert "suspended until" in html and "<main" in html  # said on the chat page itself
    assert db.session.scalar(select(func.count(Message.id)).where(
        Message.author_id == world.amina.id)) == 0
