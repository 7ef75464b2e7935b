"""The home page: Latest and Unread across every readable space, the header's unread counts.

Privacy first: a cohort's threads never reach a non-member (not as a row, not in a count),
hidden and deleted threads only reach the space's moderators. Then what the member sees: new
reply counts after reading, "new since your last visit", the cohort strip, the header.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import MemberVisit, Message, Thread, ThreadRead, utcnow
from forum.services import chat, home
from forum.services import discussions as svc
from forum.services.moderation import content as moderation
from tests import chat_helpers, discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Several logins per test: no throttling here."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute", "RATELIMIT_ENABLED": False}


def _titles(page: home.HomePage) -> list[str]:
    return [row.thread.title for row in page.rows]


def _spaces(world):
    """One thread in each space, started by people who may post there."""
    return {
        "general": svc.create_thread(world.bilal, world.general.id, "Global hello", "Hi all"),
        "alpha": svc.create_thread(world.bilal, world.lounge_a.id, "Alpha secret", "Only A"),
        "bravo": svc.create_thread(world.carla, world.lounge_b.id, "Bravo secret", "Only B"),
        "ask": svc.create_thread(world.bilal, world.ask_a.id, "Bilal asks a mentor", "Help"),
    }


# --------------------------------------------------------------------------- privacy


def test_latest_lists_every_readable_space_and_nothing_else(world):
    _spaces(world)
    assert set(_titles(home.home_page(world.amina))) == {"Global hello", "Alpha secret"}
    assert set(_titles(home.home_page(world.carla))) == {"Global hello", "Bravo secret"}
    # Mentors of A see its ask-a-mentor threads; the global moderator sees every space.
    assert "Bilal asks a mentor" in _titles(home.home_page(world.mentor))
    assert set(_titles(home.home_page(world.moderator))) == {
        "Global hello", "Alpha secret", "Bravo secret", "Bilal asks a mentor"}


def test_unread_never_shows_or_counts_another_cohorts_thread(world):
    threads = _spaces(world)
    svc.reply(world.carla, threads["bravo"].id, "More for Bravo only")
    unread = home.home_page(world.amina, "unread")
    assert set(_titles(unread)) == {"Global hello", "Alpha secret"}
    assert home.header_counts(world.amina).threads == 2
    assert home.header_counts(world.carla).threads == 1  # her own Bravo thread is read
    assert "Alpha secret" not in _titles(home.home_page(world.carla, "unread"))


def test_hidden_and_deleted_threads_leave_the_lists_except_for_moderators(world):
    threads = _spaces(world)
    moderation.hide(world.facilitator, "thread", threads["alpha"].id, "Off topic")
    thread = db.session.get(Thread, threads["general"].id)
    thread.deleted_at = utcnow()
    db.session.commit()
    for tab in home.TABS:
        assert _titles(home.home_page(world.amina, tab)) == []
    assert home.header_counts(world.amina).threads == 0
    assert "Alpha secret" in _titles(home.home_page(world.facilitator))
    assert "Global hello" in _titles(home.home_page(world.moderator))


def test_removed_member_loses_the_cohort_threads_at_once(world, app):
    threads = _spaces(world)
    svc.read_thread(world.amina, threads["alpha"].id)
    svc.reply(world.bilal, threads["alpha"].id, "After she left")
    from forum.models import CohortMembership
    from forum.services.access import forget_memberships

    db.session.execute(db.delete(CohortMembership).where(
        CohortMembership.user_id == world.amina.id))
    db.session.commit()
    forget_memberships(world.amina.id)
    assert "Alpha secret" not in _titles(home.home_page(world.amina, "unread"))
    assert "Alpha secret" not in _titles(home.home_page(world.amina))


# --------------------------------------------------------------------------- unread rules


def test_reading_a_thread_clears_it_and_new_replies_are_counted(world):
    thread = svc.create_thread(world.bilal, world.general.id, "Housing", "Where to live?")
    assert _titles(home.home_page(world.amina, "unread")) == ["Housing"]
    row = home.home_page(world.amina, "unread").rows[0]
    assert row.is_new and row.unread and row.new_posts == 0

    svc.read_thread(world.amina, thread.id)
    assert _titles(home.home_page(world.amina, "unread")) == []
    assert home.header_counts(world.amina).threads == 0

    for n in range(3):
        svc.reply(world.bilal, thread.id, f"Reply {n}")
    svc.reply(world.amina, thread.id, "My own reply is no news to me")
    svc.reply(world.mentor, thread.id, "A mentor answers")
    row = home.home_page(world.amina, "unread").rows[0]
    assert not row.is_new and row.unread and row.new_posts == 1  # after her own reply
    svc.read_thread(world.amina, thread.id)
    assert home.header_counts(world.amina).threads == 0
    latest = home.home_page(world.amina).rows[0]
    assert not latest.unread and latest.new_posts == 0


def test_read_marker_is_one_row_that_never_moves_back(world):
    thread = svc.create_thread(world.bilal, world.general.id, "Marker", "Body")
    replies = [svc.reply(world.bilal, thread.id, f"r{n}") for n in range(3)]
    svc.mark_read(world.amina, thread.id, replies[2].id)
    svc.mark_read(world.amina, thread.id, replies[0].id)  # an older tab reports late
    rows = db.session.scalars(db.select(ThreadRead).where(
        ThreadRead.user_id == world.amina.id, ThreadRead.thread_id == thread.id)).all()
    assert [r.last_read_post_id for r in rows] == [replies[2].id]


def test_old_threads_never_opened_are_not_unread(world):
    thread = svc.create_thread(world.bilal, world.general.id, "Ancient", "Body")
    long_ago = utcnow() - timedelta(days=home.NEW_DAYS + 1)
    db.session.get(Thread, thread.id).last_activity_at = long_ago
    db.session.commit()
    assert _titles(home.home_page(world.amina, "unread")) == []
    assert _titles(home.home_page(world.amina)) == ["Ancient"]  # still in Latest


def test_threads_older_than_the_account_are_not_unread(world, make):
    svc.create_thread(world.bilal, world.general.id, "Before you came", "Body")
    newcomer = make.user("newcomer", cohorts=[world.cohort_a])
    newcomer.created_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    assert _titles(home.home_page(newcomer, "unread")) == []


def test_new_since_last_visit(world):
    first = svc.create_thread(world.bilal, world.general.id, "Seen last time", "Body")
    home.home_page(world.amina)  # the first visit
    visit = db.session.get(MemberVisit, world.amina.id)
    visit.last_visit_at = utcnow() - timedelta(hours=3)  # she went away
    db.session.get(Thread, first.id).last_activity_at = utcnow() - timedelta(hours=4)
    db.session.commit()
    svc.create_thread(world.bilal, world.general.id, "While you were away", "Body")
    page = home.home_page(world.amina)
    assert {r.thread.title: r.since_last_visit for r in page.rows} == {
        "While you were away": True, "Seen last time": False}
    # Reloading within the visit keeps the marker where it was.
    again = home.home_page(world.amina)
    assert again.previous_visit == page.previous_visit


def test_pages_follow_each_other_without_gaps(world, monkeypatch):
    monkeypatch.setattr(home, "ROWS_PER_PAGE", 3)
    for n in range(7):
        svc.create_thread(world.bilal, world.general.id, f"Topic {n}", "Body")
    seen, after = [], None
    while True:
        page = home.home_page(world.amina, "unread", after)
        seen += _titles(page)
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [f"Topic {n}" for n in reversed(range(7))]


def test_header_counts_unread_chat_like_the_channel_list(world):
    room = chat_helpers.channel("alpha-room", world.cohort_a)
    bravo = chat_helpers.channel("bravo-room", world.cohort_b)
    for n in range(3):
        chat.send_message(world.bilal, room.id, f"hello {n}", f"h{n}")
        chat.send_message(world.carla, bravo.id, f"bravo {n}", f"b{n}")
    chat.send_message(world.amina, room.id, "mine", "mine")
    assert home.header_counts(world.amina).chat == 3  # not Bravo's, not her own
    listed = sum(item.unread for item in chat.channel_list(world.amina))
    assert listed == 3
    chat.mark_read(world.amina, room.id)
    assert home.header_counts(world.amina).chat == 0


def test_cohort_strip_shows_own_cohort_channels_and_newcomers(world, make):
    room = chat_helpers.channel("alpha-room", world.cohort_a)
    chat_helpers.channel("bravo-room", world.cohort_b)
    chat.send_message(world.bilal, room.id, "hello", "s1")
    make.user("zoe", display_name="Zoe Newcomer", cohorts=[world.cohort_a])
    make.user("yann", display_name="Yann Bravo", cohorts=[world.cohort_b])
    page = home.home_page(world.amina)
    assert [(c.channel.name, c.unread) for c in page.channels] == [("alpha-room", 1)]
    names = [m.user.display_name for m in page.new_members]
    assert names[0] == "Zoe Newcomer" and "Yann Bravo" not in names
    assert home.home_page(world.moderator).channels == []  # no cohort: no strip


def test_a_broken_page_link_is_a_clear_error(world, app):
    reader = Browser(app, world.amina)
    response = reader.get("/?after=not-a-cursor")
    assert response.status_code == 422
    assert "This page link is broken." in response.get_data(as_text=True)


# --------------------------------------------------------------------------- pages


def test_home_page_shows_what_is_new_with_avatars_spaces_and_times(world, app):
    threads = _spaces(world)
    svc.reply(world.mentor, threads["alpha"].id, "A mentor replies")
    reader = Browser(app, world.amina)
    html = reader.get("/").get_data(as_text=True)
    assert "Global hello" in html and "Alpha secret" in html
    assert "Bravo secret" not in html and "Bilal asks a mentor" not in html
    assert 'class="avatar avatar-md avatar-tone-' in html
    assert "Cohort Alpha" in html and "Alpha lounge" in html
    assert "last reply by" in html
    assert '<time datetime="' in html and 'title="' in html
    assert 'aria-current="page">Latest' in html
    # Unread one click away, with its count, on every page.
    assert 'href="/?tab=unread"' in html and "data-unread-threads" in html
    other = reader.get(f"/t/{threads['general'].id}").get_data(as_text=True)
    assert 'href="/?tab=unread"' in other


def test_unread_tab_and_header_count_after_reading(world, app):
    threads = _spaces(world)
    reader = Browser(app, world.amina)
    html = reader.get("/?tab=unread").get_data(as_text=True)
    assert html.count('class="topic-row') == 2
    assert '<span class="badge badge-count" data-unread-threads>2</span>' in html
    reader.get(f"/t/{threads['general'].id}")
    reader.get(f"/t/{threads['alpha'].id}")
    html = reader.get("/?tab=unread").get_data(as_text=True)
    assert "all caught up" in html
    assert 'data-unread-threads hidden' in html
    svc.reply(world.bilal, threads["alpha"].id, "One more")
    svc.reply(world.bilal, threads["alpha"].id, "And another")
    html = reader.get("/?tab=unread").get_data(as_text=True)
    assert "2 new replies in Alpha secret" in html


def test_tab_title_and_header_show_unread_chat(world, app):
    room = chat_helpers.channel("alpha-room", world.cohort_a)
    for n in range(3):
        chat.send_message(world.bilal, room.id, f"hello {n}", f"t{n}")
    html = Browser(app, world.amina).get("/c").get_data(as_text=True)
    assert "<title>(3) Discussions · Commons</title>" in html
    assert '<span class="badge badge-count" data-unread-chat>3</span>' in html
    html = Browser(app, world.carla).get("/c").get_data(as_text=True)
    assert "<title>Discussions · Commons</title>" in html


def test_visitors_still_get_the_welcome_page(app, world):
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Keep talking after the training week" in html
    assert "data-unread-threads" not in html


def test_home_page_in_arabic_is_translated_and_mirrored(world, app):
    from tests.test_i18n_pages import compile_catalogues

    compile_catalogues()
    _spaces(world)
    world.amina.language = "ar"
    db.session.commit()
    html = Browser(app, world.amina).get("/").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert "What's new" not in html and "Latest" not in html


def test_messages_from_others_after_reading_count_again(world):
    room = chat_helpers.channel("alpha-room", world.cohort_a)
    chat.send_message(world.bilal, room.id, "one", "c1")
    chat.mark_read(world.amina, room.id)
    chat.send_message(world.bilal, room.id, "two", "c2")
    hidden = chat.send_message(world.bilal, room.id, "three", "c3")
    db.session.get(Message, hidden.id).hidden_at = utcnow()
    db.session.commit()
    assert home.header_counts(world.amina).chat == 1


def test_a_hidden_last_reply_does_not_name_its_author(world):
    thread = svc.create_thread(world.bilal, world.lounge_a.id, "Quiet thread", "Body")
    post = svc.reply(world.mentor, thread.id, "Something off topic")
    assert home.home_page(world.amina).rows[0].last_poster.id == world.mentor.id
    moderation.hide(world.facilitator, "post", post.id, "Off topic")
    row = home.home_page(world.amina).rows[0]
    assert row.last_poster is None and row.author.id == world.bilal.id


def test_header_counts_over_the_socket_are_the_members_own(world, app, socket_client):
    from flask import g

    _spaces(world)
    room = chat_helpers.channel("alpha-room", world.cohort_a)
    chat.send_message(world.bilal, room.id, "hello", "sock-1")
    g.pop("_login_user", None)
    amina = socket_client(discussions_helpers.login(app, world.amina))
    ack = amina.emit("header:counts", {}, callback=True)
    assert ack == {"ok": True, "threads": 2, "chat": 1, "notifications": 0}
    g.pop("_login_user", None)
    carla = socket_client(discussions_helpers.login(app, world.carla))
    ack = carla.emit("header:counts", {}, callback=True)
    assert ack == {"ok": True, "threads": 1, "chat": 0, "notifications": 0}


def test_page_marks_what_is_new_since_the_last_visit(world, app):
    old = svc.create_thread(world.bilal, world.general.id, "Seen last time", "Body")
    reader = Browser(app, world.amina)
    reader.get("/")  # the first visit
    db.session.get(MemberVisit, world.amina.id).last_visit_at = utcnow() - timedelta(hours=3)
    db.session.get(Thread, old.id).last_activity_at = utcnow() - timedelta(hours=4)
    db.session.commit()
    svc.create_thread(world.bilal, world.general.id, "While you were away", "Body")
    html = reader.get("/").get_data(as_text=True)
    assert html.count("New since your last visit:") == 1
    away, last_visit, seen = (html.index("While you were away"), html.index("Your last visit"),
                              html.index("Seen last time"))
    assert away < last_visit < seen
