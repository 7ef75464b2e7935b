"""Notification pages: the bell, the list (bounded queries), mark read, preferences, CSRF."""

from __future__ import annotations

import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import CategoryWatch, ChannelMute, Notification, NotificationPreference
from forum.services import chat, discussions
from tests import chat_helpers, discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


def _badge(html: str) -> str | None:
    match = re.search(r"<span class=\"badge\" data-unread-count( hidden)?>(\d+)</span>", html)
    assert match, "the bell is missing"
    return None if match.group(1) else match.group(2)


def _mention_bilal(world, n: int) -> None:
    for i in range(n):
        discussions.create_thread(world.amina if i % 2 else world.mentor, world.lounge_a.id,
                                  f"Topic {i}", f"Hello @bilal, number {i}")


def test_bell_shows_unread_count_and_list_shows_items(app, world):
    reader = Browser(app, world.bilal)
    assert _badge(reader.get("/c").text) is None  # hidden at zero
    _mention_bilal(world, 2)
    page = reader.get("/notifications")
    assert page.status_code == 200
    assert _badge(page.text) == "2"
    assert "Mona mentioned you in “Topic 0”" in page.text
    assert "Amina mentioned you in “Topic 1”" in page.text
    assert 'href="/notifications/preferences"' in page.text
    assert Browser(app, world.carla).get("/notifications").text.count("data-notification-id=") == 0


def test_list_page_query_count_does_not_grow_with_notifications(app, world, queries):
    _mention_bilal(world, 5)
    discussions.create_thread(world.mentor, world.general.id, "Hello", "@carla welcome")
    # carla: 1 row; bilal: 5 rows, then 50 rows
    reader = Browser(app, world.bilal)
    counts = []
    with queries() as statements:
        response = reader.get("/notifications")
    assert response.text.count("data-notification-id=") == 5
    counts.append(len(statements))
    _mention_bilal(world, 45)
    app.config["NOTIFICATIONS_PER_PAGE"] = 50
    with queries() as statements:
        response = reader.get("/notifications")
    assert response.text.count("data-notification-id=") == 50
    counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 6, statements  # login user, list, unread count, bell


def test_cursor_paging_shows_every_notification_once(app, world):
    _mention_bilal(world, 25)
    reader = Browser(app, world.bilal)
    seen: list[str] = []
    url = "/notifications"
    while url:
        html = reader.get(url).text
        seen += re.findall(r'data-notification-id="(\d+)"', html)
        more = re.search(r'rel="next" href="([^"]+)"', html)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert len(seen) == len(set(seen)) == 25
    assert reader.get("/notifications?cursor=broken").status_code == 422


def test_mark_one_and_all_read(app, world):
    _mention_bilal(world, 3)
    rows = db.session.scalars(select(Notification.id).order_by(Notification.id)).all()
    reader = Browser(app, world.bilal)
    response = reader.post(f"/notifications/{rows[0]}/read", data={"open": "1"})
    assert response.status_code == 302 and response.location.startswith("/p/")
    assert _badge(reader.get("/notifications").text) == "2"
    assert Browser(app, world.amina).post(f"/notifications/{rows[1]}/read").status_code == 404
    response = reader.post(f"/notifications/{rows[1]}/read",
                           data={"next": "https://evil.example/"})
    assert response.location == "/notifications"  # no open redirect
    unread = reader.get("/notifications?filter=unread").text
    assert unread.count("data-notification-id=") == 1
    reader.post("/notifications/read-all")
    db.session.expire_all()
    assert db.session.scalar(select(Notification.id).where(Notification.read_at.is_(None))) \
        is None
    assert _badge(reader.get("/notifications").text) is None


def test_preferences_page_saves_choices_and_rejects_bad_ones(app, world):
    reader = Browser(app, world.amina)
    page = reader.get("/notifications/preferences")
    assert page.status_code == 200
    assert "Someone mentions you" in page.text and "Alpha lounge" in page.text
    assert "Bravo lounge" not in page.text  # another cohort's category is not even listed
    data = {f"kind_{k}": "app" for k in ("mention", "direct_message", "reply", "accepted",
                                         "mentor_answer", "new_thread", "moderation")}
    data.update(kind_reply="off", digest="off")
    response = reader.post("/notifications/preferences", data=data)
    assert response.status_code == 302
    stored = dict(db.session.execute(select(NotificationPreference.kind,
                                            NotificationPreference.delivery)).all())
    assert stored["reply"] == "off" and stored["digest"] == "off"
    assert stored["mention"] == "app"
    bad = reader.post("/notifications/preferences", data={**data, "kind_reply": "loud"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.text


def test_watch_category_and_mute_channel_from_the_preferences_page(app, world):
    reader = Browser(app, world.bilal)
    response = reader.post(f"/notifications/categories/{world.lounge_a.id}",
                           data={"level": "watch"})
    assert response.status_code == 302
    assert db.session.scalar(select(CategoryWatch.level)) == "watch"
    outsider = Browser(app, world.carla)
    assert outsider.post(f"/notifications/categories/{world.lounge_a.id}",
                         data={"level": "watch"}).status_code == 404
    channel = chat_helpers.channel("general", world.cohort_a)
    assert reader.post(f"/notifications/channels/{channel.id}",
                       data={"muted": "1"}).status_code == 302
    assert db.session.scalar(select(ChannelMute.channel_id)) == channel.id
    page = reader.get("/notifications/preferences").text
    assert "Unmute" in page
    assert outsider.post(f"/notifications/channels/{channel.id}",
                         data={"muted": "1"}).status_code == 404
    dm = chat.open_direct_channel(world.amina, ["bilal"])
    assert outsider.post(f"/notifications/channels/{dm.id}",
                         data={"muted": "1"}).status_code == 404


def test_profile_settings_page_links_to_preferences(app, world):
    page = Browser(app, world.amina).get("/settings/profile").text
    assert 'href="/notifications/preferences"' in page


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications/preferences").status_code == 302


def test_mark_all_read_needs_a_csrf_token(app, world):
    _mention_bilal(world, 1)
    reader = Browser(app, world.bilal)
    app.config["WTF_CSRF_ENABLED"] = True
    assert reader.post("/notifications/read-all").status_code == 400
    page = reader.get("/notifications").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert reader.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(Notification.read_at)) is not None
