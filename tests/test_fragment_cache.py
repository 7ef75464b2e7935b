"""The rendered-post and thread-row cache: every reader still sees exactly their own page.

The cache (forum/web/fragment_cache.py, post_fragments.py) keys each fragment by every value
its template reads, so these tests warm it with one reader and check what the next one sees.
"""

from __future__ import annotations

import re

import jinja2.meta
import pytest

from forum.extensions import db
from forum.services import discussions as svc
from forum.services.moderation import content as moderation
from tests import discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Several people log in per test."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute"}


def _article(html: str, post_id: int) -> str:
    """The <article> of one post on a page."""
    match = re.search(rf'<article [^>]*id="post-{post_id}".*?</article>', html, re.S)
    assert match, f"post {post_id} is not on the page"
    return match.group(0)


def _posts_section(html: str) -> str:
    """Everything from the first post to the end of the replies: what the cache produces.

    CSRF tokens are signed with a timestamp, so two visits differ there; they are compared
    separately (test_each_session_gets_its_own_csrf_token_in_cached_posts).
    """
    section = html[html.index('<article'):html.index('id="live-status"')]
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="-"', section)


def _csrf(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def thread(world):
    """A thread by Amina with a reply by Bilal that Amina liked."""
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Visa paperwork", "Which forms?",
                               "")
    reply = svc.reply(world.bilal, thread.id, "Form B-12, stamped.")
    svc.react(world.amina, reply.id, "like")
    return thread, reply


def test_owner_actions_follow_the_reader_not_the_cache(app, world, thread):
    thread, reply = thread
    # Bilal wrote the reply; the mentor differs from him in nothing else the post shows.
    bilal, mentor = Browser(app, world.bilal), Browser(app, world.mentor)
    for first, second in ((bilal, mentor), (mentor, bilal)):
        app.extensions.get("fragment_cache", {}).clear()
        pages = {id(b): _article(b.get(f"/t/{thread.id}").text, reply.id) for b in (first, second)}
        as_author, as_other = pages[id(bilal)], pages[id(mentor)]
        assert f"/p/{reply.id}/edit" in as_author and f"/p/{reply.id}/edit" not in as_other
        assert f"/flag/post/{reply.id}" in as_other and f"/flag/post/{reply.id}" not in as_author


def test_accept_button_only_for_who_may_accept(app, world):
    thread = svc.create_thread(world.amina, world.qa_a.id, "Which visa?", "Asking.", "")
    reply = svc.reply(world.bilal, thread.id, "The blue one.")
    url = f"/p/{reply.id}/accept"
    # The asker and the space's mentors may accept; another member may not.
    assert url in _article(Browser(app, world.mentor).get(f"/t/{thread.id}").text, reply.id)
    assert url in _article(Browser(app, world.amina).get(f"/t/{thread.id}").text, reply.id)
    assert url not in _article(Browser(app, world.bilal).get(f"/t/{thread.id}").text, reply.id)


def test_pressed_reactions_are_the_readers_own(app, world, thread):
    thread, reply = thread
    amina, mentor = Browser(app, world.amina), Browser(app, world.mentor)
    liked = _article(amina.get(f"/t/{thread.id}").text, reply.id)
    not_liked = _article(mentor.get(f"/t/{thread.id}").text, reply.id)
    like = re.compile(r'aria-pressed="(\w+)" data-kind="like"[^>]*>.*?Like</span>\s*'
                      r'<span class="reaction-count" data-count-for="like">(\d+)</span>')
    assert like.search(liked).groups() == ("true", "1")
    assert like.search(not_liked).groups() == ("false", "1")


def test_each_session_gets_its_own_csrf_token_in_cached_posts(app, world, thread):
    thread, _reply = thread
    pages = [Browser(app, who).get(f"/t/{thread.id}").text
             for who in (world.mentor, world.bilal, world.mentor)]
    for html in pages:
        section = html[html.index('<article'):html.index('id="live-status"')]
        tokens = set(re.findall(r'name="csrf_token" value="([^"]*)"', section))
        assert tokens == {_csrf(html)}, "every form in the posts carries this session's token"
    assert _csrf(pages[0]) != _csrf(pages[1])
    assert "csrf-slot-" not in "".join(pages)


def test_changes_show_at_once(app, world, thread):
    thread, reply = thread
    reader = Browser(app, world.mentor)
    assert "Form B-12, stamped." in reader.get(f"/t/{thread.id}").text
    svc.edit_post(world.bilal, reply.id, "Form B-12, stamped twice.")
    svc.react(world.mentor, reply.id, "helpful")
    world.bilal.display_name = "Bilal the Clerk"
    db.session.commit()
    html = _article(reader.get(f"/t/{thread.id}").text, reply.id)
    assert "Form B-12, stamped twice." in html and "Bilal the Clerk" in html
    assert re.search(r'aria-pressed="true" data-kind="helpful"[^>]*>.*?Helpful</span>\s*'
                     r'<span class="reaction-count" data-count-for="helpful">1</span>', html)


def test_hidden_post_reason_only_for_its_author_and_moderators(app, world, thread):
    thread, reply = thread
    Browser(app, world.mentor).get(f"/t/{thread.id}")  # caches the visible version
    moderation.hide(world.facilitator, "post", reply.id, "Personal data")
    pages = {who.username: _article(Browser(app, who).get(f"/t/{thread.id}").text, reply.id)
             for who in (world.mentor, world.bilal, world.facilitator, world.amina)}
    for name in ("mentor", "amina"):
        page = pages["mona" if name == "mentor" else name]
        assert "Personal data" not in page and "Form B-12" not in page
        assert "hidden by a moderator" in page
    assert "Personal data" in pages["bilal"] and "Form B-12" in pages["bilal"]
    assert "Personal data" in pages["fatou"] and f"/moderation/post/{reply.id}/restore" \
        in pages["fatou"]
    assert "/restore" not in pages["bilal"]


def test_language_is_part_of_the_key(app, world, thread):
    thread, _reply = thread
    world.bilal.language = "fr"
    db.session.commit()
    english, french = Browser(app, world.mentor), Browser(app, world.bilal)
    assert ">Report<" in _article(english.get(f"/t/{thread.id}").text, thread.first_post_id)
    html = _article(french.get(f"/t/{thread.id}").text, thread.first_post_id)
    assert ">Report<" not in html and "Signaler" in html


def test_a_warm_cache_gives_every_reader_the_page_a_cold_one_would(app, world, thread):
    thread, reply = thread
    second = svc.reply(world.mentor, thread.id, "Also bring two photos.", parent_id=reply.id)
    svc.react(world.bilal, second.id, "helpful")
    readers = {who.username: Browser(app, who) for who in (
        world.amina, world.bilal, world.mentor, world.facilitator, world.moderator)}
    for browser in readers.values():
        browser.get(f"/t/{thread.id}")  # first visits move read markers
    cache = app.extensions.get("fragment_cache")
    for name, browser in readers.items():
        cache.clear()
        cold = _posts_section(browser.get(f"/t/{thread.id}").text)
        for other in readers.values():
            other.get(f"/t/{thread.id}")
        warm = _posts_section(browser.get(f"/t/{thread.id}").text)
        assert warm == cold, f"{name} sees a different page once the cache is warm"


def test_thread_rows_keep_each_readers_unread_state(app, world, thread):
    thread, _reply = thread
    amina, mentor = Browser(app, world.amina), Browser(app, world.mentor)
    amina.get(f"/t/{thread.id}")  # Amina has read everything; the mentor has not

    def row(html: str) -> str:
        return re.search(rf'<li class="thread-row[^"]*">(?:(?!</li>).)*?/t/{thread.id}"'
                         r'.*?</li>', html, re.S).group(0)

    assert "is-unread" not in row(amina.get(f"/c/{world.lounge_a.slug}").text)
    assert "is-unread" in row(mentor.get(f"/c/{world.lounge_a.slug}").text)
    svc.reply(world.bilal, thread.id, "One more thing.")
    assert "2 replies" in row(mentor.get(f"/c/{world.lounge_a.slug}").text)
    assert "is-unread" in row(amina.get(f"/c/{world.lounge_a.slug}").text)


def test_cache_off_still_serves_pages(app, world, thread):
    thread, _reply = thread
    app.config["FRAGMENT_CACHE_MB"] = 0
    app.extensions.pop("fragment_cache", None)
    html = Browser(app, world.bilal).get(f"/t/{thread.id}").text
    assert "Form B-12, stamped." in html and "fragment_cache" not in app.extensions


@pytest.mark.parametrize(("template", "covered"), [
    ("discussions/_post.html", {
        "post", "thread", "category", "mentors", "counts", "mine", "holds", "viewer", "live",
        "can_accept", "view_can_moderate", "csrf_value", "display_depth", "reply_to",
        "reply_to_id", "id_prefix", "fragment",
        # who reacted and the reader's bookmarks are in the key; the last two are constants
        "reactors", "bookmarked", "reaction_choices", "who_label"}),
    ("discussions/_thread_row.html", {"row", "c", "page"}),
])
def test_cache_keys_cover_every_template_variable(app, template, covered):
    """A variable added to a cached template must be added to its key (post_fragments.py)."""
    source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
    names = jinja2.meta.find_undeclared_variables(app.jinja_env.parse(source))
    names -= set(app.jinja_env.globals) | {"_", "gettext", "ngettext"}
    assert names <= covered, f"{template} reads {names - covered}: add them to the cache key"


def test_cache_is_bounded_by_size_not_entries(app, world):
    """Long posts must not make the cache grow past FRAGMENT_CACHE_MB."""
    app.config["FRAGMENT_CACHE_MB"] = 0.05  # ~52 KB
    app.extensions.pop("fragment_cache", None)
    thread = svc.create_thread(world.amina, world.lounge_a.id, "Long reads", "Opening.", "")
    for n in range(6):
        svc.reply(world.bilal, thread.id, f"Report {n}: " + "lorem ipsum " * 1500)
    html = Browser(app, world.mentor).get(f"/t/{thread.id}").text
    assert html.count("lorem ipsum") >= 6 * 1500
    cache = app.extensions["fragment_cache"]
    assert cache.currsize <= cache.maxsize <= 0.05 * 1024 * 1024
    assert len(cache) < 7, "older long posts were evicted"
    app.config["FRAGMENT_CACHE_MB"] = 0.001  # smaller than one long post: served, not kept
    app.extensions.pop("fragment_cache", None)
    assert Browser(app, world.mentor).get(f"/t/{thread.id}").text.count("lorem ipsum") >= 9000


# The attributes each cached template reads, all of which its key covers (post_fragments.py).
KEYED_ATTRIBUTES = {
    "discussions/_post.html": {
        "post": {"author", "author_id", "body_html", "created_at", "deleted_at", "edited_at",
                 "hidden_at", "id", "is_removed", "parent_id"},
        "post.author": {"username", "display_name"},
        "thread": {"id", "first_post_id", "accepted_post_id"},
        "category": {"is_qa"},
    },
    "discussions/_thread_row.html": {
        "t": {"id", "title", "is_pinned", "is_locked", "accepted_post_id", "author", "author_id",
              "reply_count", "last_activity_at", "tags"},
        "t.author": {"display_name"},
        "row": {"thread", "unread", "new_posts", "is_new", "readers", "posters"},
        "c": {"slug"},
        "page": {"sort"},
    },
}


@pytest.mark.parametrize("template", sorted(KEYED_ATTRIBUTES))
def test_cache_keys_cover_every_attribute_the_template_reads(app, template):
    """An attribute newly read by a cached template must join its key (post_fragments.py)."""
    source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
    code = re.sub(r"\{#.*?#\}", "", source, flags=re.S)  # comments mention names too
    for name, allowed in KEYED_ATTRIBUTES[template].items():
        used = set(re.findall(rf"(?<![\w.]){re.escape(name)}\.(\w+)", code))
        assert used <= allowed, f"{template} reads {name}.{used - allowed}: add to the key"
