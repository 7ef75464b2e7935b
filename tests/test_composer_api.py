"""The composer's API: preview through the sanitizer, @mention candidates only among readers,
emoji shortcodes (also rendered in posts)."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.lib.emoji import EMOJI
from forum.lib.text import render_chat, render_post
from forum.models import Post
from forum.services import discussions
from tests import factories
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import login, world  # noqa: F401 - fixture


def _names(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {p["username"] for p in response.get_json()["people"]}


# --------------------------------------------------------------------------- preview


def test_preview_renders_through_the_sanitizer(app, world):  # noqa: F811
    api = ApiClient(app, token_for(world.amina))
    response = api.post("/preview", json={
        "body": "**bold** <script>alert(1)</script> [x](javascript:alert(1)) :tada: @bilal"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never a tag
    assert 'href="javascript' not in html
    assert "🎉" in html
    assert 'class="mention"' in html and "@bilal" in html


def test_preview_stores_nothing(app, world, queries):  # noqa: F811
    api = ApiClient(app, token_for(world.amina))
    with queries() as statements:
        assert api.post("/preview", json={"body": "just text"}).status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))
                and "api_tokens" not in s]


def test_preview_too_long_is_a_problem(app, world):  # noqa: F811
    app.config["POST_MAX_LENGTH"] = 100
    api = ApiClient(app, token_for(world.amina))
    response = api.post("/preview", json={"body": "x" * 101})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["body"]
    huge = api.post("/preview", data='{"body": "' + "x" * (3 * 1024 * 1024) + '"}',
                    content_type="application/json")
    assert huge.status_code == 413
    assert huge.get_json()["error"]["code"] == "too_large"


def test_preview_empty_and_anonymous(app, world):  # noqa: F811
    api = ApiClient(app, token_for(world.amina))
    assert api.post("/preview", json={"body": "   "}).status_code == 422
    assert ApiClient(app).post("/preview", json={"body": "hi"}).status_code == 401


def test_preview_session_needs_csrf(app, world):  # noqa: F811
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"email": world.amina.email, "password": factories.PASSWORD,
                                "csrf_token": token})
    refused = client.post("/api/v1/preview", json={"body": "hi"})
    assert refused.status_code == 400
    ok = client.post("/api/v1/preview", json={"body": "hi"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["html"] == "<p>hi</p>"


def test_preview_is_rate_limited(app, world):  # noqa: F811
    app.config["RATELIMIT_COMPOSER"] = "3 per minute"
    api = ApiClient(app, token_for(world.amina))
    statuses = [api.post("/preview", json={"body": "hi"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --------------------------------------------------------------------------- mentions


@pytest.fixture
def threads(world):  # noqa: F811
    """A thread in cohort A's lounge, in A's ask-a-mentor space and in the global space."""
    return {
        "lounge": discussions.create_thread(world.amina, world.lounge_a.id, "Alpha", "Body"),
        "ask": discussions.create_thread(world.amina, world.ask_a.id, "Help", "Body"),
        "general": discussions.create_thread(world.amina, world.general.id, "All", "Body"),
    }


def test_cohort_thread_offers_only_its_readers(app, world, threads):  # noqa: F811
    api = ApiClient(app, token_for(world.bilal))
    lounge = threads["lounge"].id
    # Carla (cohort B) exists and matches "c", but cannot read cohort A's thread.
    assert "carla" not in _names(api.get(f"/mentions?thread_id={lounge}&q=c"))
    assert _names(api.get(f"/mentions?thread_id={lounge}&q=carla")) == set()
    everyone = set()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        everyone |= _names(api.get(f"/mentions?thread_id={lounge}&q={letter}"))
    # Cohort A's people and the global moderator; not the site mentor, not cohort B, not me.
    assert everyone == {"amina", "mona", "fatou", "moderator"}
    # In the global space, Carla is a reader.
    assert "carla" in _names(api.get(f"/mentions?thread_id={threads['general'].id}&q=car"))


def test_ask_a_mentor_thread_offers_author_mentors_and_staff(app, world, threads):  # noqa: F811
    api = ApiClient(app, token_for(world.mentor))
    ask = threads["ask"].id
    everyone = set()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        everyone |= _names(api.get(f"/mentions?thread_id={ask}&q={letter}"))
    assert everyone == {"amina", "fatou", "moderator"}  # Bilal (a member) cannot read it


def test_new_thread_in_a_category(app, world):  # noqa: F811
    api = ApiClient(app, token_for(world.amina))
    assert _names(api.get(f"/mentions?category_id={world.lounge_a.id}&q=bil")) == {"bilal"}
    assert _names(api.get(f"/mentions?category_id={world.lounge_a.id}&q=carla")) == set()
    # Cohort B's category is not Amina's to see: 404, not an empty list.
    assert api.get(f"/mentions?category_id={world.lounge_b.id}&q=c").status_code == 404


def test_outsider_cannot_probe_a_thread(app, world, threads):  # noqa: F811
    api = ApiClient(app, token_for(world.carla))
    response = api.get(f"/mentions?thread_id={threads['lounge'].id}&q=a")
    assert response.status_code == 404
    assert "amina" not in response.get_data(as_text=True)


def test_mentions_bad_input(app, world, threads):  # noqa: F811
    api = ApiClient(app, token_for(world.amina))
    assert api.get("/mentions?q=a").status_code == 422
    both = f"/mentions?q=a&thread_id={threads['lounge'].id}&category_id={world.general.id}"
    assert api.get(both).status_code == 422
    assert api.get(f"/mentions?thread_id={threads['lounge'].id}&q=a%20b").status_code == 422
    assert api.get(f"/mentions?thread_id={threads['lounge'].id}&q=" + "a" * 31).status_code == 422
    # LIKE wildcards are text, not patterns.
    assert _names(api.get(f"/mentions?thread_id={threads['general'].id}&q=%25")) == set()


def test_mentions_limit_and_constant_queries(app, world, threads, queries):  # noqa: F811
    for n in range(12):
        factories.user(f"zed{n:02d}", cohorts=[world.cohort_a])
    api = ApiClient(app, token_for(world.amina))
    url = f"/mentions?thread_id={threads['lounge'].id}&q="
    api.get(url + "zed")  # warm-up (token look-up caches and the like)
    with queries() as one:
        assert _names(api.get(url + "bil")) == {"bilal"}
    with queries() as many:
        found = _names(api.get(url + "zed"))
    assert len(found) == 8
    assert len(one) == len(many)


def test_mentions_rank_exact_username_first(app, world, threads):  # noqa: F811
    factories.user("bil", cohorts=[world.cohort_a], display_name="Bil Short")
    api = ApiClient(app, token_for(world.amina))
    response = api.get(f"/mentions?thread_id={threads['lounge'].id}&q=bil")
    people = response.get_json()["people"]
    assert [p["username"] for p in people] == ["bil", "bilal"]
    assert people[0]["display_name"] == "Bil Short" and people[0]["initials"] == "BS"


# --------------------------------------------------------------------------- emoji


def test_emoji_list_and_rendering(app, world):  # noqa: F811
    api = ApiClient(app, token_for(world.amina))
    listed = api.get("/emoji").get_json()
    assert {"code": "tada", "emoji": "🎉"} in listed
    assert len(listed) == len(EMOJI) >= 60
    assert render_post(":tada: and :thumbsup:").html == "<p>🎉 and 👍</p>"
    assert render_chat("done :white_check_mark:").html == "<p>done ✅</p>"


@pytest.mark.parametrize("source, expected", [
    ("`:tada:`", "<p><code>:tada:</code></p>"),  # code stays as typed
    ("```\n:tada:\n```", "<pre><code>:tada:\n</code></pre>"),
    (":notanemoji:", "<p>:notanemoji:</p>"),
    ("at 10:100:20", "<p>at 10:100:20</p>"),
    ("[:tada:](https://example.org)", '<p><a href="https://example.org" '
     'rel="nofollow ugc noopener noreferrer">:tada:</a></p>'),
    ("<b>:tada:</b>", "<p>&lt;b&gt;🎉&lt;/b&gt;</p>"),  # raw HTML stays text
])
def test_emoji_shortcodes_never_weaken_the_sanitizer(source, expected):
    assert render_post(source).html == expected


def test_a_posted_shortcode_is_stored_as_emoji(app, world):  # noqa: F811
    thread = discussions.create_thread(world.amina, world.general.id, "Party", "We did it :tada:")
    post = db.session.get(Post, thread.first_post_id)
    assert post.body_html == "<p>We did it 🎉</p>"
    assert post.body_source == "We did it :tada:"  # the source keeps what was typed


# --------------------------------------------------------------------------- pages


def test_the_three_forms_carry_the_composer(app, world):  # noqa: F811
    thread = discussions.create_thread(world.amina, world.lounge_a.id, "Alpha", "Body")
    client = login(app, world.amina)
    pages = {
        f"/t/{thread.id}": f'data-thread-id="{thread.id}"',
        f"/c/{world.lounge_a.slug}/new": f'data-category-id="{world.lounge_a.id}"',
        f"/p/{thread.first_post_id}/edit": f'data-thread-id="{thread.id}"',
    }
    for path, where in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert "data-composer" in html and where in html, path
        assert "js/composer.js" in html, path
