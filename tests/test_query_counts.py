"""Constant SQL statements per page: 5 items cost what 50 cost, and no page needs more than 8.

The same pages the benchmarks measure at 1k and 1M posts (bench/growth.py): thread page, thread
list, channel history, channel list (unread counts stop at "99+"), notification list.
"""

from __future__ import annotations

import json
import os

import pytest

from forum.extensions import db
from forum.models import ChannelMember, Message
from forum.services import chat
from forum.services import discussions as svc
from tests import chat_helpers, discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture

MAX_QUERIES = 8


@pytest.fixture
def app_config(app_config):
    """Many logins and posts per test: no throttling here."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute", "RATELIMIT_ENABLED": False}


def _report(page: str, counts: list[int]) -> None:
    """Hand the counts to `make bench` (bench/run.py sets BENCH_QUERY_COUNTS to a file)."""
    path = os.environ.get("BENCH_QUERY_COUNTS")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps({"page": page, "backend": db.engine.dialect.name,
                                  "counts": counts}) + "\n")


def _count(app, queries, browser: Browser, path: str) -> tuple[int, str]:
    """Statements of one GET (after a first visit that may write the read marker)."""
    assert browser.get(path).status_code == 200
    with queries() as statements:
        response = browser.get(path)
    if os.environ.get("DUMP_QUERIES"):
        print("\n---", path, *[str(s)[:150].replace("\n", " ") for s in statements], sep="\n")
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def _thread(world, replies: int):
    """A thread with tags, several authors, nesting and reactions on every reply."""
    thread = svc.create_thread(world.amina, world.general.id, f"Thread of {replies}",
                               "Opening post", "tag-one, tag-two")
    people = [world.bilal, world.mentor, world.facilitator, world.amina]
    previous = None
    for n in range(replies):
        parent = previous.id if previous is not None and n % 3 else None
        previous = svc.reply(people[n % len(people)], thread.id, f"Reply {n}", parent_id=parent)
        svc.react(world.bilal, previous.id, "like")
    svc.set_watch(world.carla, thread.id, "watch")
    return thread


def test_thread_page_5_and_50_posts_same_queries(app, world, queries):
    small, large = _thread(world, 4), _thread(world, 49)  # 5 and 50 posts on the page
    reader = Browser(app, world.carla)
    counts = []
    for thread in (small, large):
        n, html = _count(app, queries, reader, f"/t/{thread.id}")
        counts.append(n)
    assert html.count('class="post depth-') >= 49  # the 49 replies are all on the page
    assert "tag-one" in html
    _report("thread_page", counts)
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def test_thread_list_5_and_50_threads_same_queries(app, world, queries):
    for category, n in ((world.qa, 5), (world.general, 50)):
        for i in range(n):
            thread = svc.create_thread(world.amina if i % 2 else world.mentor, category.id,
                                       f"Topic {i}", "Body", f"t{i % 3}, common")
            thread.is_pinned = i == 0
            if i % 4 == 0:
                svc.reply(world.bilal, thread.id, "Reply")
    db.session.commit()
    reader = Browser(app, world.bilal)
    counts = []
    for slug in ("career-qa", "general"):
        n, html = _count(app, queries, reader, f"/c/{slug}")
        counts.append(n)
    assert html.count('class="thread-row') == svc.THREADS_PER_PAGE + 1  # + the pinned one
    _report("thread_list", counts)
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def _messages(channel, author, n: int, start: int = 0) -> None:
    """Store n messages directly (the page reads them; sending is tested elsewhere)."""
    db.session.add_all(Message(channel_id=channel.id, author_id=author.id,
                               client_id=f"qc-{channel.id}-{start + i}",
                               body_source=f"message {start + i}",
                               body_html=f"<p>message {start + i}</p>") for i in range(n))
    db.session.flush()
    channel.last_message_id = db.session.scalar(
        db.select(db.func.max(Message.id)).where(Message.channel_id == channel.id))
    db.session.commit()


def test_channel_history_5_and_50_messages_same_queries(app, world, queries):
    few, many = (chat_helpers.channel("few", world.cohort_a),
                 chat_helpers.channel("many", world.cohort_a))
    _messages(few, world.bilal, 5)
    _messages(many, world.bilal, 50)
    reader = Browser(app, world.amina)
    counts = []
    for channel in (few, many):
        n, html = _count(app, queries, reader, f"/chat/{channel.id}")
        counts.append(n)
    assert "message 49" in html
    _report("channel_history", counts)
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def test_channel_list_counts_unread_up_to_99_plus_with_same_queries(app, world, queries):
    quiet, busy = chat_helpers.channel("quiet", world.cohort_a), chat_helpers.channel("busy")
    _messages(quiet, world.bilal, 5)
    _messages(busy, world.bilal, 150)
    # amina read the busy channel up to its 20th message: 130 unread, shown as "99+".
    twentieth = db.session.scalars(db.select(Message.id).where(Message.channel_id == busy.id)
                                   .order_by(Message.id).offset(19).limit(1)).one()
    db.session.add(ChannelMember(channel_id=busy.id, user_id=world.amina.id,
                                 last_read_message_id=twentieth))
    db.session.commit()
    unread = {item.channel.id: item for item in chat.channel_list(world.amina)}
    assert unread[quiet.id].unread == 5 and not unread[quiet.id].unread_capped
    assert unread[busy.id].unread == chat.UNREAD_CAP + 1 and unread[busy.id].unread_capped
    # Her own messages and deleted ones never count as unread.
    _messages(quiet, world.amina, 3, start=100)
    db.session.execute(db.update(Message).where(Message.body_source == "message 0",
                                                Message.channel_id == quiet.id)
                       .values(deleted_at=db.func.now()))
    db.session.commit()
    assert {i.channel.id: i.unread for i in chat.channel_list(world.amina)}[quiet.id] == 4

    reader = Browser(app, world.amina)
    n_before, html = _count(app, queries, reader, "/chat")
    assert "99+ unread" in html and "4 unread" in html
    for i in range(5):  # more channels with unread messages: still the same statements
        _messages(chat_helpers.channel(f"more{i}", world.cohort_a), world.bilal, 3)
    n_after, html = _count(app, queries, reader, "/chat")
    assert html.count("3 unread") == 5
    _report("channel_list", [n_before, n_after])
    assert n_before == n_after <= MAX_QUERIES, (n_before, n_after)


def test_notification_list_5_and_50_same_queries(app, world, queries):
    if "notifications.index" not in app.view_functions:
        pytest.skip("the notification list is not built yet")
    counts = []
    for author, n in ((world.amina, 5), (world.bilal, 50)):
        for i in range(n):
            thread = svc.create_thread(author, world.general.id, f"Mine {i}", "Body")
            svc.reply(world.mentor, thread.id, f"An answer {i}")
        reader = Browser(app, author)
        count, html = _count(app, queries, reader, "/notifications")
        assert "An answer" in html or "Mine" in html
        counts.append(count)
    _report("notification_list", counts)
    assert counts[0] == counts[1] <= MAX_QUERIES, counts
    # The list and the bell share one unread COUNT.
    with queries() as statements:
        assert reader.get("/notifications").status_code == 200
    counting = [sql for sql in map(str, statements)
                if "count(" in sql.lower() and "notifications" in sql.lower()]
    assert len(counting) == 1, counting


def test_search_page_one_hit_and_a_full_page_same_queries(app, world, queries):
    if "search.index" not in app.view_functions:
        pytest.skip("search is not built yet")
    from tests import search_helpers

    search_helpers.thread(world.general, world.amina, "Rare kiwi sighting")
    lobby = search_helpers.channel("lobby")
    thread = search_helpers.thread(world.general, world.amina, "Birds")
    for i in range(7):  # 20 hits of every kind on the second search: 6 threads, 7 + 7
        search_helpers.post(thread, world.bilal, f"wombat {i}")
        search_helpers.message(lobby, world.bilal, f"wombat chat {i}")
        if i < 6:
            search_helpers.thread(world.general, world.amina, f"Wombat {i}")
    reader = Browser(app, world.amina)
    counts = []
    for word, hits in (("kiwi", 1), ("wombat", 20)):
        n, html = _count(app, queries, reader, f"/search?q={word}")
        assert html.count('class="card search-hit') == hits
        counts.append(n)
    assert "search-hit-thread" in html and "search-hit-post" in html
    assert "search-hit-message" in html
    _report("search", counts)
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def test_home_page_latest_and_unread_5_and_a_full_page_same_queries(app, world, queries):
    from forum.services import home

    room = chat_helpers.channel("alpha-room", world.cohort_a)
    _messages(room, world.bilal, 5)
    reader = Browser(app, world.amina)
    counts: dict[str, list[int]] = {"latest": [], "unread": []}
    pages: dict[str, str] = {}
    for n in (5, 2 * home.ROWS_PER_PAGE):  # a few threads, then more than a page of each
        for i in range(n):
            category = (world.general, world.lounge_a, world.lounge_b)[i % 3]
            author = world.carla if category is world.lounge_b else world.bilal
            thread = svc.create_thread(author, category.id, f"Home {n} {i}", "Body")
            if i % 2 and category is not world.lounge_b:
                svc.read_thread(world.amina, thread.id)  # opened: unread again after a reply
                svc.reply(world.mentor, thread.id, "News")
        for tab in counts:
            count, html = _count(app, queries, reader, f"/?tab={tab}")
            counts[tab].append(count)
            pages[tab] = html
            assert "Bravo" not in html  # never a thread of the other cohort
            assert 'class="avatar ' in html and "alpha-room" in html
    assert pages["latest"].count('class="topic-row') == home.ROWS_PER_PAGE
    assert 'rel="next"' in pages["latest"] and 'rel="next"' in pages["unread"]
    _report("home", counts["latest"] + counts["unread"])
    for tab, (few, many) in counts.items():
        assert few == many <= MAX_QUERIES, (tab, counts)
