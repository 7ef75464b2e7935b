"""The search page: form, escaped highlighted results, filters, paging, privacy, query count."""

from __future__ import annotations

import re

from forum.models.base import utcnow
from tests import discussions_helpers
from tests import search_helpers as s
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


def test_anonymous_is_sent_to_login(client):
    response = client.get("/search?q=anything")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_query_shows_the_form_and_the_nav_box(app, world):
    page = Browser(app, world.amina).get("/search")
    assert page.status_code == 200
    html = page.text
    assert 'role="search"' in html and 'name="q"' in html and 'id="nav-search-q"' in html
    assert "results-heading" not in html
    # The filter form only offers what the user may read.
    assert "Alpha lounge" in html and "Bravo lounge" not in html


def test_results_are_escaped_and_marked(app, world):
    t = s.thread(world.general, world.amina, "<b>Bold</b> résumé advice")
    s.post(t, world.bilal, "Try `<script>alert(1)</script>` in your resume, then **stop**.")
    page = Browser(app, world.carla).get("/search?q=resume")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html and "<b>Bold" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; <mark>résumé</mark> advice" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in your <mark>resume</mark>" in html
    assert f'href="/t/{t.id}"' in html


def test_outsider_sees_nothing_found(app, world):
    t = s.thread(world.lounge_a, world.amina, "Alpha retreat logistics")
    s.message(s.channel("alpha", world.cohort_a.id), world.amina, "retreat bus at 8")
    inside = Browser(app, world.bilal).get("/search?q=retreat").text
    assert "Alpha <mark>retreat</mark> logistics" in inside and "bus at 8" in inside
    outside = Browser(app, world.carla).get("/search?q=retreat").text
    assert "Nothing found" in outside
    assert "logistics" not in outside and "bus at 8" not in outside
    assert f"/t/{t.id}" not in outside


def test_hidden_content_not_on_the_page(app, world):
    s.thread(world.general, world.amina, "Spoiler thread", hidden_at=utcnow())
    html = Browser(app, world.moderator).get("/search?q=spoiler").text
    assert "Spoiler" not in html.split("</form>", 2)[-1] and "Nothing found" in html


def test_invalid_filters_are_shown_on_the_form(app, world):
    browser = Browser(app, world.amina)
    page = browser.get("/search?q=visa&date_from=2026-02-01&date_to=2026-01-01")
    assert page.status_code == 422
    assert "The start date must not be after the end date." in page.text
    page = browser.get("/search?q=visa&author=nobody-here")
    assert page.status_code == 422 and "No member has that username." in page.text
    page = browser.get("/search?q=visa&date_from=yesterday")
    assert page.status_code == 422 and 'aria-invalid="true"' in page.text
    page = browser.get("/search?q=visa&page=9999")
    assert page.status_code == 422


def test_filters_and_paging_links_keep_the_query(app, world):
    t = s.thread(world.lounge_a, world.amina, "Housing")
    for i in range(25):
        s.post(t, world.bilal, f"apartment listing {i}")
    s.post(s.thread(world.general, world.amina, "Elsewhere"), world.bilal, "apartment abroad")
    browser = Browser(app, world.amina)
    html = browser.get(f"/search?q=apartment&cohort={world.cohort_a.id}").text
    assert html.count('class="card search-hit') == 20 and "apartment abroad" not in html
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"cohort={world.cohort_a.id}" in next_link and "page=2" in next_link
    second = browser.get(next_link).text
    assert second.count('class="card search-hit') == 5 and 'rel="next"' not in second
    assert 'rel="prev"' in second


def test_page_query_count_is_constant(app, world, queries):
    lobby = s.channel("lobby")
    t = s.thread(world.general, world.amina, "Pension questions")
    for i in range(2):
        s.post(t, world.bilal, f"pension {i}")
        s.message(lobby, world.bilal, f"pension chat {i}")
    browser = Browser(app, world.amina)
    browser.get("/search?q=pension")
    with queries() as few:
        assert browser.get("/search?q=pension").status_code == 200
    for i in range(10):
        s.post(t, world.carla, f"pension more {i}")
        s.message(lobby, world.carla, f"pension chat more {i}")
    with queries() as many:
        assert browser.get("/search?q=pension").text.count('class="card search-hit') == 20
    assert len(few) == len(many)
