"""Thread lists as a member reads them: who posted, replies, readers, activity, new and unread.

The rows follow the home page's unread rules (forum/services/thread_lists.py): never opened and
active lately is NEW, opened with later replies by others shows how many, read shows nothing.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.models import Category, Post, Thread, ThreadRead
from forum.services import discussions as svc
from forum.services import thread_lists
from tests import discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture

ROW = re.compile(r'<li class="thread-row[^"]*">.*?</li>', re.S)


@pytest.fixture
def app_config(app_config):
    """Several logins per test: no throttling here."""
    return {**app_config, "RATELIMIT_ENABLED": False}


def rows_by_title(html: str) -> dict[str, str]:
    """Each row's HTML under its thread title."""
    found = {}
    for row in ROW.findall(html):
        title = re.search(r'<a href="/t/\d+" dir="auto">([^<]+)</a>', row).group(1)
        found[title] = row
    return found


@pytest.fixture
def listed(world):
    """Four threads in Career Q&A as amina sees them: new, unread, read, answered."""
    fresh = svc.create_thread(world.mentor, world.qa.id, "Fresh question", "Never opened")
    unread = svc.create_thread(world.amina, world.qa.id, "Busy topic", "Mine, tagged",
                               "visa, housing")
    svc.reply(world.bilal, unread.id, "First answer")
    svc.read_thread(world.amina, unread.id)
    for who in (world.mentor, world.facilitator, world.bilal):
        svc.reply(who, unread.id, f"More from {who.username}")
    read = svc.create_thread(world.bilal, world.qa.id, "Read topic", "Already seen")
    svc.read_thread(world.amina, read.id)
    answered = svc.create_thread(world.amina, world.qa.id, "Solved question", "Which visa?")
    answer = svc.reply(world.mentor, answered.id, "This one")
    svc.accept_answer(world.amina, answer.id)
    svc.read_thread(world.amina, answered.id)
    return {"fresh": fresh, "unread": unread, "read": read, "answered": answered}


def test_rows_show_new_and_unread_markers_only_where_there_is_something_to_read(
        app, world, listed):
    rows = rows_by_title(Browser(app, world.amina).get("/c/career-qa").text)
    assert set(rows) == {"Fresh question", "Busy topic", "Read topic", "Solved question"}
    assert "is-unread" in rows["Fresh question"] and ">New<" in rows["Fresh question"]
    # Three replies by others since she read it: a count, not "New".
    busy = rows["Busy topic"]
    assert "is-unread" in busy and ">New<" not in busy
    assert re.search(r'class="badge badge-count"[^>]*><span aria-hidden="true">3</span>'
                     r'<span class="visually-hidden">3 new replies in Busy topic</span>', busy)
    for title in ("Read topic", "Solved question"):
        assert "is-unread" not in rows[title] and "badge-unread" not in rows[title]
        assert "badge-count" not in rows[title]


def test_rows_show_posters_replies_readers_activity_tags_and_the_solved_badge(
        app, world, listed):
    rows = rows_by_title(Browser(app, world.amina).get("/c/career-qa").text)
    busy = rows["Busy topic"]
    # The original poster first, then the others by their latest post (newest first).
    labels = re.findall(r'class="avatar [^"]*" role="img" aria-label="([^"]+)"', busy)
    assert labels == [f"{world.amina.display_name}, original poster", world.bilal.display_name,
                      world.facilitator.display_name, world.mentor.display_name]
    assert "4 replies" in busy
    readers = db.session.scalar(select(func.count()).select_from(ThreadRead)
                                .where(ThreadRead.thread_id == listed["unread"].id))
    assert readers >= 2 and f"{readers} readers" in busy
    moment = listed["unread"].last_activity_at.isoformat()
    assert f'<time datetime="{moment}" data-format="ago"' in busy
    assert "#housing" in busy and "#visa" in busy
    assert "badge-answered" in rows["Solved question"]
    assert "badge-answered" not in busy and "badge-answered" not in rows["Fresh question"]


def test_a_hidden_reply_does_not_name_its_author_among_the_posters(app, world, listed):
    thread = listed["read"]
    reply = svc.reply(world.facilitator, thread.id, "Soon hidden")
    reply.hidden_at = func.now()
    db.session.commit()
    rows = rows_by_title(Browser(app, world.amina).get("/c/career-qa").text)
    assert world.facilitator.display_name not in rows["Read topic"]
    assert world.bilal.display_name in rows["Read topic"]


def test_posters_are_capped_at_the_original_poster_and_four_others(app, world):
    thread = svc.create_thread(world.amina, world.general.id, "Crowded", "Everyone answers")
    for who in (world.bilal, world.mentor, world.facilitator, world.moderator,
                world.site_mentor, world.amina):
        svc.reply(who, thread.id, f"Hello from {who.username}")
    [row] = svc.category_page(world.amina, "general").threads
    assert len(row.posters) == thread_lists.MAX_POSTERS
    assert row.posters[0].id == world.amina.id  # the original poster, though she wrote last
    assert [p.id for p in row.posters[1:]] == [world.site_mentor.id, world.moderator.id,
                                               world.facilitator.id, world.mentor.id]
    assert row.last_poster.id == world.amina.id


def test_search_rows_show_the_author_avatar_and_a_live_time(app, world, listed):
    if "search.index" not in app.view_functions:
        pytest.skip("search is not built yet")
    html = Browser(app, world.amina).get("/search?q=busy").text
    hit = re.search(r'<li class="card search-hit search-hit-thread">.*?</li>', html, re.S).group(0)
    assert 'class="avatar avatar-xs' in hit
    assert 'data-format="ago"' in hit


def test_discussions_index_costs_the_same_statements_for_few_and_many_categories(
        app, world, queries):
    reader = Browser(app, world.amina)
    counts = []
    for extra in (0, 10):
        for i in range(extra):
            db.session.add(Category(slug=f"more-{i}", name=f"More {i}"))
        db.session.commit()
        reader.get("/c")
        with queries() as statements:
            assert reader.get("/c").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8, counts


def test_posters_query_is_one_statement_whatever_the_rows(app, world, queries):
    for i in range(12):
        thread = svc.create_thread(world.bilal, world.general.id, f"Topic {i}", "Body")
        svc.reply(world.mentor, thread.id, "Reply")
    rows = [thread_lists.ListRow(t) for t in db.session.scalars(
        select(Thread).options(joinedload(Thread.author)))]
    with queries() as statements:
        thread_lists.attach_posters(rows)
    assert len(statements) == 1
    assert all(len(r.posters) == 2 for r in rows)
    assert db.session.scalar(select(func.count()).select_from(Post)) == 24
