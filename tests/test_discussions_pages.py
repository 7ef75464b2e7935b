"""Discussion pages without JavaScript: lists, thread page, forms, permalinks, query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Post, Thread, utcnow
from forum.services import discussions as svc
from tests import discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Several people log in per test; posting is throttled at 4 a minute to test the limit."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute",
            "RATELIMIT_POSTING": "4 per minute"}


def _articles(html: str) -> list[tuple[int, int]]:
    """(post id, display depth) of the posts in the replies section, in page order."""
    replies = html[html.index('id="post-list"'):]
    return [(int(pid), int(depth)) for pid, depth in re.findall(
        r'<article class="post depth-(?:\d)[^"]*"\s+id="post-(\d+)" data-post-id="\d+" '
        r'data-depth="(\d)"', replies)]


def _build_thread(world, replies: int, category=None) -> Thread:
    """A thread with varied replies: several authors, nesting, reactions, an accepted answer."""
    thread = svc.create_thread(world.amina, (category or world.qa_a).id, "Busy thread",
                               "Opening post", "tag-one, tag-two")
    people = [world.bilal, world.mentor, world.facilitator, world.amina]
    previous = None
    for n in range(replies):
        parent = previous.id if previous is not None and n % 3 else None
        previous = svc.reply(people[n % len(people)], thread.id, f"Reply {n} @amina",
                             parent_id=parent)
        svc.react(world.bilal, previous.id, "like")
    svc.accept_answer(world.amina, previous.id)
    return thread


def test_thread_page_query_count_does_not_grow_with_posts(app, world, queries):
    small = _build_thread(world, 4)
    large = _build_thread(world, 49)
    reader = Browser(app, world.facilitator)  # has read neither thread: both mark read
    counts = []
    for thread_id in (small.id, large.id):
        with queries() as statements:
            response = reader.get(f"/t/{thread_id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert len(_articles(response.text)) == 49
    assert counts[0] == counts[1], counts


def test_thread_lists_query_count_does_not_grow_with_threads(app, world, queries):
    for category, n in ((world.lounge_a, 5), (world.general, 50)):
        for i in range(n):
            thread = svc.create_thread(world.amina if i % 2 else world.mentor, category.id,
                                       f"Thread {i}", "Body", f"t{i % 3}, common")
            thread.is_pinned = i == 0
            if i % 4 == 0:
                svc.reply(world.bilal, thread.id, "Reply")
    db.session.commit()
    reader = Browser(app, world.bilal)
    counts = []
    for slug in ("alpha-lounge", "general"):
        with queries() as statements:
            response = reader.get(f"/c/{slug}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert response.text.count('class="thread-row') == svc.THREADS_PER_PAGE + 1  # + pinned
    assert counts[0] == counts[1], counts
    with queries() as statements:
        assert reader.get("/c").status_code == 200
    assert len(statements) <= 6


def test_thread_page_nests_replies_and_shows_deep_ones_flat(app, world):
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Deep", "Start")
    chain = []
    for level in range(7):
        chain.append(svc.reply(world.bilal if level % 2 else world.amina, thread.id,
                               f"Level {level}", parent_id=chain[-1].id if chain else None))
    sibling = svc.reply(world.mentor, thread.id, "Second top-level reply")
    page = Browser(app, world.amina).get(f"/t/{thread.id}").text
    assert _articles(page) == [(chain[0].id, 0), (chain[1].id, 1), (chain[2].id, 2),
                               (chain[3].id, 3), (chain[4].id, 4), (chain[5].id, 4),
                               (chain[6].id, 4), (sibling.id, 0)]
    article = page[page.index(f'id="post-{chain[5].id}"'):page.index(f'id="post-{chain[6].id}"')]
    assert "in reply to" in article and f'href="/p/{chain[4].id}">@amina' in article
    assert "in reply to" not in page[page.index(f'id="post-{chain[3].id}"'):
                                     page.index(f'id="post-{chain[4].id}"')]


def test_qa_thread_highlights_accepted_answer_and_mentor_badge(app, world):
    thread = svc.create_thread(world.amina, world.qa_a.id, "How to apply?", "Where?")
    svc.reply(world.bilal, thread.id, "No idea")
    answer = svc.reply(world.mentor, thread.id, "Use the **Inspira** portal")
    member = Browser(app, world.amina)
    page = member.get(f"/t/{thread.id}").text
    assert "Accepted answer" not in page
    assert member.post(f"/p/{answer.id}/accept").status_code == 302
    page = member.get(f"/t/{thread.id}").text
    accepted = page[page.index('class="accepted-answer'):page.index('class="replies"')]
    # Under the question: who answered, an excerpt and a link to the answer in context...
    assert "Use the Inspira portal" in accepted and "Mentor" in accepted
    assert f'href="#post-{answer.id}"' in accepted and "Jump to the answer in context" in accepted
    # ...shown once: no second copy of the post, and its buttons only on the post itself.
    assert "<article" not in accepted and "<button" not in accepted
    assert page.count(f'data-post-id="{answer.id}"') == 1
    assert page.count(f"/p/{answer.id}/accept") == 1
    mentor_article = page[page.index(f'id="post-{answer.id}"'):]
    assert 'badge-mentor">Mentor' in mentor_article[:600]
    assert page.index('class="accepted-answer') < page.index('class="replies"')
    listing = member.get("/c/alpha-qa?sort=unanswered").text
    assert "How to apply?" not in listing


def test_reply_form_keeps_the_text_on_errors(app, world):
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Forms", "Start")
    app.config["POST_MAX_LENGTH"] = 30
    browser = Browser(app, world.bilal)
    text = "This reply is far too long for the limit <b>set</b>"
    response = browser.post(f"/t/{thread.id}/reply", data={"body": text})
    assert response.status_code == 422
    assert "At most 30 characters." in response.text
    assert "This reply is far too long for the limit &lt;b&gt;set&lt;/b&gt;" in response.text
    assert 'aria-invalid="true"' in response.text
    empty = browser.post(f"/t/{thread.id}/reply", data={"body": "   "})
    assert empty.status_code == 422
    assert db.session.scalar(select(Thread.reply_count).where(Thread.id == thread.id)) == 0

    bad = browser.post("/c/general/new", data={"title": "Hey there", "body": "Kept body",
                                               "tags": "good, bad tag!"})
    assert bad.status_code == 422
    assert "Kept body" in bad.text and 'value="Hey there"' in bad.text
    assert "Tags use letters" in bad.text


def test_posting_is_rate_limited_with_a_clear_message(app, world):
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Limits", "Start")
    browser = Browser(app, world.bilal)
    statuses = [browser.post(f"/t/{thread.id}/reply", data={"body": f"Reply {n}"}).status_code
                for n in range(4)]
    assert statuses == [302] * 4
    blocked = browser.post(f"/t/{thread.id}/reply", data={"body": "One too many"})
    assert blocked.status_code == 429
    assert "You are posting too fast" in blocked.text
    # Another person is not affected by Bilal's limit.
    assert Browser(app, world.amina).post(f"/t/{thread.id}/reply",
                                          data={"body": "Mine"}).status_code == 302


def test_permalink_redirects_to_the_right_page(app, world, monkeypatch):
    monkeypatch.setattr(svc, "PAGE_SIZE", 3)
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Long", "Start")
    posts = [svc.reply(world.bilal, thread.id, f"Reply {n}") for n in range(6)]
    browser = Browser(app, world.amina)
    response = browser.get(f"/p/{posts[4].id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{thread.id}?page=2#post-{posts[4].id}"
    page2 = browser.get(f"/t/{thread.id}?page=2").text
    assert [pid for pid, _depth in _articles(page2)] == [p.id for p in posts[2:5]]
    assert browser.get(f"/p/{posts[0].id}").headers["Location"] == (
        f"/t/{thread.id}#post-{posts[0].id}")


def test_jump_to_first_unread_and_reactions_and_edit_history(app, world):
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Unread", "Start")
    first = svc.reply(world.bilal, thread.id, "Seen")
    amina = Browser(app, world.amina)
    amina.get(f"/t/{thread.id}")
    fresh = svc.reply(world.bilal, thread.id, "Not seen yet")
    page = amina.get(f"/t/{thread.id}").text
    assert f'href="#post-{fresh.id}" id="jump-unread"' in page
    assert "jump-unread" not in amina.get(f"/t/{thread.id}").text

    assert amina.post(f"/p/{first.id}/react", data={"kind": "helpful"}).status_code == 302
    page = amina.get(f"/t/{thread.id}").text
    article = page[page.index(f'id="post-{first.id}"'):page.index(f'id="post-{fresh.id}"')]
    assert re.search(r'aria-pressed="true" data-kind="helpful"[^>]*>.*?Helpful</span>\s*'
                     r'<span class="reaction-count" data-count-for="helpful">1<', article)

    bilal = Browser(app, world.bilal)
    assert bilal.get(f"/p/{first.id}/edit").status_code == 200
    assert bilal.post(f"/p/{first.id}/edit", data={"body": "Seen (edited)"}).status_code == 302
    assert "(edited" in amina.get(f"/t/{thread.id}").text
    history = bilal.get(f"/p/{first.id}/history")
    assert history.status_code == 200 and "Seen" in history.text
    assert amina.get(f"/p/{first.id}/history").status_code == 404
    assert amina.get(f"/p/{first.id}/edit").status_code == 403
    assert bilal.post(f"/p/{first.id}/delete").status_code == 302
    assert "This post was deleted." in amina.get(f"/t/{thread.id}").text


def test_category_keyset_pagination_sorting_tags_and_pins(app, world, monkeypatch):
    monkeypatch.setattr(svc, "THREADS_PER_PAGE", 2)
    base = utcnow() - timedelta(days=1)
    threads = []
    for n in range(5):
        t = svc.create_thread(world.amina, world.general.id, f"Topic {n}", "Body",
                              "even" if n % 2 == 0 else "odd")
        t.created_at = base + timedelta(minutes=n)
        t.last_activity_at = base + timedelta(minutes=10 - n)  # oldest thread most active
        threads.append(t)
    threads[2].is_pinned = True
    db.session.commit()
    browser = Browser(app, world.bilal)

    def walk(url: str) -> list[list[str]]:
        pages = []
        while url:
            html = browser.get(url).text
            pages.append(re.findall(r'dir="auto">(Topic \d)</a>', html))
            match = re.search(r'rel="next" href="([^"]+)"', html)
            url = match.group(1).replace("&amp;", "&") if match else None
        return pages

    assert walk("/c/general") == [["Topic 2", "Topic 0", "Topic 1"], ["Topic 3", "Topic 4"]]
    assert walk("/c/general?sort=newest") == [["Topic 2", "Topic 4", "Topic 3"],
                                              ["Topic 1", "Topic 0"]]
    assert walk("/c/general?tag=odd") == [["Topic 1", "Topic 3"]]
    svc.reply(world.bilal, threads[4].id, "Answered")
    # Unanswered threads come newest first.
    assert walk("/c/general?sort=unanswered") == [["Topic 2", "Topic 3", "Topic 1"],
                                                  ["Topic 0"]]
    assert browser.get("/c/general?after=garbage").status_code == 422


def test_index_shows_categories_counts_and_unread(app, world):
    svc.create_thread(world.amina, world.lounge_a.id, "One", "Body")
    svc.create_thread(world.amina, world.lounge_a.id, "Two", "Body")
    page = Browser(app, world.bilal).get("/c").text
    block = page[page.index("Alpha lounge"):page.index("Alpha questions")]
    assert "2 threads" in block and "2 unread" in block
    assert "Bravo" not in page
    assert db.session.scalar(select(Post.id).limit(1))


def test_long_threads_link_nearby_pages_not_every_page(app, world, monkeypatch):
    monkeypatch.setattr(svc, "PAGE_SIZE", 2)
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Very long", "Start")
    for n in range(25):  # 26 posts: 13 pages
        svc.reply(world.bilal, thread.id, f"Reply {n}")
    html = Browser(app, world.amina).get(f"/t/{thread.id}?page=7").text
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    linked = [int(n) for n in re.findall(rf'href="/t/{thread.id}\?page=(\d+)">\d+</a>', nav)]
    assert linked == [1, 5, 6, 8, 9, 13]
    assert '<span aria-current="page">7</span>' in nav
    assert nav.count("…") == 2
    assert f'rel="prev" href="/t/{thread.id}?page=6"' in nav
    assert f'rel="next" href="/t/{thread.id}?page=8"' in nav
    first = Browser(app, world.amina).get(f"/t/{thread.id}?page=1").text
    assert 'rel="prev"' not in re.search(r'<nav class="pagination".*?</nav>', first, re.S)[0]
