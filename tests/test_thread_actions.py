"""The thread page's actions answered in JSON for thread.js, emoji reactions with who reacted,
bookmarks (service, page, API) and what the thread room hears."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import Bookmark, CohortMembership, Flag, ThreadWatch
from forum.services import bookmarks
from forum.services import discussions as svc
from tests import discussions_helpers
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import Browser, events, joined

world = discussions_helpers.world  # the fixture
JSON = {"Accept": "application/json"}


@pytest.fixture
def qa(world):
    """A cohort A Q&A thread by Amina with a reply by the mentor."""
    thread = svc.create_thread(world.amina, world.qa_a.id, "Which visa?", "Asking.", "")
    answer = svc.reply(world.mentor, thread.id, "The **blue** one.")
    return thread, answer


def test_reactions_answer_json_with_the_readers_state_and_who_reacted(app, world, qa):
    _thread, answer = qa
    svc.react(world.bilal, answer.id, "heart")
    amina = Browser(app, world.amina)
    response = amina.post(f"/p/{answer.id}/react", data={"kind": "heart"}, headers=JSON)
    assert response.status_code == 200
    body = response.json
    assert body["counts"] == {"heart": 2} and body["mine"] == ["heart"]
    assert sorted(body["names"]["heart"]) == sorted([world.bilal.display_name,
                                                     world.amina.display_name])
    # Pressed again: taken back.
    assert amina.post(f"/p/{answer.id}/react", data={"kind": "heart"},
                      headers=JSON).json["mine"] == []
    # An unknown reaction is a JSON problem, and nothing is written.
    refused = amina.post(f"/p/{answer.id}/react", data={"kind": "poop"}, headers=JSON)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid"
    # Without JavaScript the same form still redirects back to the post.
    assert amina.post(f"/p/{answer.id}/react", data={"kind": "like"}).status_code == 302


def test_page_shows_emoji_reactions_once_used_and_who_reacted(app, world, qa):
    thread, answer = qa
    svc.react(world.bilal, answer.id, "rocket")
    page = Browser(app, world.amina).get(f"/t/{thread.id}").text
    article = page[page.index(f'id="post-{answer.id}"'):]
    article = article[:article.index("</article>")]
    rocket = article[article.index('data-kind="rocket"'):]
    rocket = rocket[:rocket.index("</button>")]
    assert f'title="{world.bilal.display_name}"' in rocket and " hidden" not in rocket
    heart = article[article.index('data-kind="heart"'):]
    assert heart[:heart.index(">")].endswith(" hidden")  # not used yet: only in the picker
    assert 'data-choice="heart"' in article and 'data-action="like"' in article


def test_reply_answers_the_live_fragment_or_a_json_problem(app, world, qa):
    thread, answer = qa
    bilal = Browser(app, world.bilal)
    posted = bilal.post(f"/t/{thread.id}/reply", headers=JSON,
                        data={"body": "Same *here*", "parent_id": str(answer.id)})
    assert posted.status_code == 201
    body = posted.json
    assert body["parent_id"] == answer.id and body["held"] is False
    assert f'id="post-{body["post_id"]}"' in body["html"] and "<em>here</em>" in body["html"]
    empty = bilal.post(f"/t/{thread.id}/reply", data={"body": "  "}, headers=JSON)
    assert empty.status_code == 422 and "body" in empty.json["error"]["fields"]
    app.config["POST_MAX_LENGTH"] = 10
    long = bilal.post(f"/t/{thread.id}/reply", data={"body": "x" * 11}, headers=JSON)
    assert long.status_code == 422 and "10" in long.json["error"]["fields"]["body"]
    outsider = Browser(app, world.carla).post(f"/t/{thread.id}/reply", data={"body": "Hi"},
                                               headers=JSON)
    assert outsider.status_code == 404 and outsider.json["error"]["code"] == "not_found"


def test_watch_accept_and_flag_answer_json(app, world, qa):
    thread, answer = qa
    amina = Browser(app, world.amina)
    watched = amina.post(f"/t/{thread.id}/watch", data={"level": "mute"}, headers=JSON)
    assert watched.json["level"] == "mute"
    assert db.session.scalar(select(ThreadWatch.level).where(
        ThreadWatch.user_id == world.amina.id, ThreadWatch.thread_id == thread.id)) == "mute"
    accepted = amina.post(f"/p/{answer.id}/accept", data={"accept": "1"}, headers=JSON).json
    assert accepted["post_id"] == answer.id
    assert "Jump to the answer in context" in accepted["html"] and "<button" not in accepted["html"]
    cleared = amina.post(f"/p/{answer.id}/accept", data={"accept": "0"}, headers=JSON).json
    assert cleared["post_id"] is None and cleared["html"] == ""
    assert amina.post(f"/p/{answer.id}/accept", data={"accept": "1"},
                      headers=JSON).json["post_id"] == answer.id
    bilal = Browser(app, world.bilal)
    assert bilal.post(f"/p/{answer.id}/accept", headers=JSON).status_code == 403
    flagged = bilal.post(f"/flag/post/{answer.id}", data={"reason": "spam"}, headers=JSON)
    assert flagged.status_code == 200 and flagged.json["ok"] is True
    again = bilal.post(f"/flag/post/{answer.id}", data={"reason": "spam"}, headers=JSON)
    assert again.status_code == 409 and again.json["error"]["message"]
    missing = bilal.post(f"/flag/thread/{thread.id}", data={}, headers=JSON)
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    assert db.session.scalar(select(Flag.target_id).where(Flag.user_id == world.bilal.id)) \
        == answer.id


def test_thread_room_hears_who_reacted_and_the_accepted_summary(app, world, qa, socket_client):
    thread, answer = qa
    reader, _ack = joined(socket_client, app, world.bilal, thread.id)
    reader.get_received()
    svc.react(world.amina, answer.id, "thanks")
    counts = events(reader, "reaction:counts")[-1]
    assert counts["counts"] == {"thanks": 1}
    assert counts["names"] == {"thanks": [world.amina.display_name]}
    svc.accept_answer(world.amina, answer.id, True)
    accepted = events(reader, "thread:accepted")[-1]
    assert accepted["post_id"] == answer.id and "blue" in accepted["html"]
    assert 'data-i18n="jump_to_answer"' in accepted["html"]


def test_bookmarks_list_only_what_the_reader_can_still_read(app, world):
    lounge = svc.create_thread(world.amina, world.lounge_a.id, "Cohort trip", "Who comes?")
    general = svc.create_thread(world.bilal, world.general.id, "Visa tips", "Read this.")
    reply = svc.reply(world.amina, general.id, "Thanks, saved.")
    gone = svc.reply(world.bilal, general.id, "Soon deleted")
    for post_id in (lounge.first_post_id, reply.id, gone.id):
        assert bookmarks.set_bookmark(world.amina, post_id) is True
    assert bookmarks.set_bookmark(world.amina, reply.id) is True  # twice: still one
    assert db.session.scalar(select(db.func.count()).select_from(Bookmark)) == 3
    svc.delete_post(world.bilal, gone.id)
    with pytest.raises(NotFound):  # another cohort's post cannot be bookmarked
        bookmarks.set_bookmark(world.carla, lounge.first_post_id)
    with pytest.raises(Invalid):
        bookmarks.set_bookmark(world.amina, gone.id)

    page = Browser(app, world.amina).get("/bookmarks").text
    assert "Cohort trip" in page and "Visa tips" in page and "Soon deleted" not in page
    # Amina leaves cohort A: its thread stays bookmarked but is no longer shown anywhere.
    db.session.execute(delete(CohortMembership).where(
        CohortMembership.user_id == world.amina.id))
    db.session.commit()
    page = Browser(app, world.amina).get("/bookmarks").text
    assert "Cohort trip" not in page and "Who comes?" not in page and "Visa tips" in page
    api = ApiClient(app, token_for(world.amina))
    listed = api.get("/bookmarks").json["bookmarks"]
    assert [(b["post"]["id"], b["is_thread"]) for b in listed] == [(reply.id, False)]
    assert db.session.scalar(select(db.func.count()).select_from(Bookmark)) == 3  # kept


def test_bookmark_toggle_page_and_api(app, world, qa):
    thread, answer = qa
    amina = Browser(app, world.amina)
    saved = amina.post(f"/p/{answer.id}/bookmark", data={"bookmark": "1"}, headers=JSON)
    assert saved.json == {"post_id": answer.id, "bookmarked": True,
                          "message": "Saved to your bookmarks."}
    page = amina.get(f"/t/{thread.id}").text
    article = page[page.index(f'id="post-{answer.id}"'):]
    assert 'aria-pressed="true" data-action="bookmark"' in article[:article.index("</article>")]
    # Without JavaScript: the bookmarks page's Remove button comes back to the list.
    removed = amina.post(f"/p/{answer.id}/bookmark",
                         data={"bookmark": "0", "next": "/bookmarks"})
    assert removed.status_code == 302 and removed.headers["Location"] == "/bookmarks"
    assert "No bookmarks yet." in amina.get("/bookmarks").text

    api = ApiClient(app, token_for(world.amina))
    assert api.put(f"/posts/{thread.first_post_id}/bookmark").json == {
        "post_id": thread.first_post_id, "bookmarked": True}
    listed = api.get("/bookmarks").json
    assert [b["thread_id"] for b in listed["bookmarks"]] == [thread.id]
    assert listed["bookmarks"][0]["is_thread"] is True and listed["next_cursor"] is None
    assert api.delete(f"/posts/{thread.first_post_id}/bookmark").json["bookmarked"] is False
    assert api.get("/bookmarks").json["bookmarks"] == []
    outsider = ApiClient(app, token_for(world.carla))
    assert outsider.put(f"/posts/{answer.id}/bookmark").status_code == 404
    reader = ApiClient(app, token_for(world.amina, "read"))
    assert reader.put(f"/posts/{answer.id}/bookmark").status_code == 403


def test_bookmark_list_pages_by_cursor(app, world):
    thread = svc.create_thread(world.amina, world.general.id, "Many", "Start")
    posts = [svc.reply(world.bilal, thread.id, f"Reply {n}") for n in range(3)]
    for post in posts:
        bookmarks.set_bookmark(world.amina, post.id)
    api = ApiClient(app, token_for(world.amina))
    first = api.get("/bookmarks?limit=2").json
    assert [b["post"]["id"] for b in first["bookmarks"]] == [posts[2].id, posts[1].id]
    rest = api.get(f"/bookmarks?limit=2&cursor={first['next_cursor']}").json
    assert [b["post"]["id"] for b in rest["bookmarks"]] == [posts[0].id]
    assert rest["next_cursor"] is None


def test_watch_buttons_toggle_without_javascript(app, world, qa):
    thread, _answer = qa
    amina = Browser(app, world.amina)  # the author watches her thread
    page = amina.get(f"/t/{thread.id}").text
    assert ('name="level" value="" class="button small" aria-pressed="true" '
            'data-level="watch"') in page  # pressing the pressed button goes back to default
    assert amina.post(f"/t/{thread.id}/watch", data={"level": ""}).status_code == 302
    page = amina.get(f"/t/{thread.id}").text
    assert "Notification settings reset." in page
    assert 'value="watch" class="button small" aria-pressed="false" data-level="watch"' in page
    assert db.session.scalar(select(ThreadWatch).where(
        ThreadWatch.user_id == world.amina.id, ThreadWatch.thread_id == thread.id)) is None
