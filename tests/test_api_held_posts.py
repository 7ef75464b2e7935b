"""An API write caught by the word filter (MODERATION_WORDS, action "queue") is stored and held:
the answer is 202 with `held: true` (it used to be a 500 for replies, so clients retried and
duplicated), the author gets their text back, and nobody else sees it until it is released."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Message, Post, Thread
from tests import search_helpers as content
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import world  # noqa: F401 - fixture


@pytest.fixture
def app_config(app_config):
    """The word filter holds "casino"; posting limits out of the way."""
    return {**app_config, "MODERATION_WORDS": ["casino"], "MODERATION_WORDS_ACTION": "queue",
            "RATELIMIT_POSTING": "1000 per minute"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_held_thread_is_202_held_and_stored_once(app, world):  # noqa: F811
    amina = ApiClient(app, token_for(world.amina))
    response = amina.post("/threads", json={"category_id": world.general.id,
                                            "title": "Casino night", "body": "Who comes?"})
    assert response.status_code == 202, response.text[:300]
    assert response.json["held"] is True
    assert response.json["title"] == "Casino night"
    assert response.json["first_post"]["body"] == "Who comes?"
    assert _count(Thread) == 1
    thread_id = response.json["id"]
    assert db.session.get(Thread, thread_id).hidden_at is not None
    # Held means invisible to others until a moderator releases it.
    assert ApiClient(app, token_for(world.bilal)).get(f"/threads/{thread_id}").status_code == 404
    fine = amina.post("/threads", json={"category_id": world.general.id, "title": "Book club",
                                        "body": "Who comes?"})
    assert fine.status_code == 201 and fine.json["held"] is False


def test_held_reply_is_202_held_not_500(app, world):  # noqa: F811
    thread = content.thread(world.general, world.bilal, "Weekend plans")
    amina = ApiClient(app, token_for(world.amina))
    response = amina.post(f"/threads/{thread.id}/posts", json={"body": "A casino trip?"})
    assert response.status_code == 202, response.text[:300]
    body = response.json
    assert body["held"] is True and body["deleted"] is False
    assert body["body"] == "A casino trip?" and body["author"]["username"] == "amina"
    assert _count(Post) == 2  # the opening post and the held reply, once
    assert db.session.get(Post, body["id"]).hidden_at is not None
    listed = ApiClient(app, token_for(world.bilal)).get(f"/threads/{thread.id}/posts").json
    held_rows = [p for p in listed["posts"] if p["id"] == body["id"]]
    assert all(p["body"] == "" for p in held_rows)  # others never read its text
    fine = amina.post(f"/threads/{thread.id}/posts", json={"body": "A walk?"})
    assert fine.status_code == 201 and fine.json["held"] is False


def test_held_edit_and_chat_message_are_202_held(app, world):  # noqa: F811
    amina = ApiClient(app, token_for(world.amina))
    made = amina.post("/threads", json={"category_id": world.general.id, "title": "Plans",
                                        "body": "Ideas?"}).json
    edit = amina.patch(f"/posts/{made['first_post']['id']}", json={"body": "Casino ideas?"})
    assert edit.status_code == 202 and edit.json["held"] is True
    assert edit.json["body"] == "Casino ideas?"
    room = content.channel("lobby")
    sent = amina.post(f"/channels/{room.id}/messages",
                      json={"body": "casino tonight", "client_id": "held-1"})
    assert sent.status_code == 202 and sent.json["held"] is True
    again = amina.post(f"/channels/{room.id}/messages",
                       json={"body": "casino tonight", "client_id": "held-1"})
    assert again.status_code == 202 and again.json["id"] == sent.json["id"]
    assert _count(Message) == 1


def test_held_answer_is_in_the_openapi_document(app, world):  # noqa: F811
    spec = app.test_client().get("/api/v1/openapi.json").json
    for path, method in (("/api/v1/threads", "post"), ("/api/v1/threads/{thread_id}/posts", "post"),
                         ("/api/v1/channels/{channel_id}/messages", "post")):
        assert "202" in spec["paths"][path][method]["responses"], path
    assert "held" in spec["components"]["schemas"]["Post"]["properties"]
