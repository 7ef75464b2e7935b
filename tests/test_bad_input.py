"""Bad input gets a clear error, never a 500 and never a half-written row (issue 15, item 8):
JSON nested ~950 levels, lone UTF-16 surrogates, NUL in URLs and fields, ids beyond 64 bits —
through the API, the pages and Socket.IO, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from flask import g
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Message, Post, Thread, User
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import (
    Browser,
    login,
    world,  # noqa: F401 - fixture
)

DEEP = "[" * 950 + "]" * 950


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _raw(client: ApiClient, method: str, path: str, text: str):
    """Send `text` as the JSON body, byte for byte (json.dumps keeps "\\ud800" escaped)."""
    return client.call(method, path, data=text, content_type="application/json")


def test_deeply_nested_json_is_400_not_500(app, world):  # noqa: F811
    client = ApiClient(app, token_for(world.amina))
    for method, path in (("POST", "/threads"), ("PATCH", "/me"),
                         ("POST", f"/threads/{world.general.id}/posts")):
        for body in (DEEP, '{"title": ' + DEEP + "}"):
            response = _raw(client, method, path, body)
            assert response.status_code == 400, (path, response.text[:200])
            assert response.json["error"]["code"] == "bad_request"
            assert "nested too deeply" in response.json["error"]["message"]
    assert _count(Thread) == 0


@pytest.mark.parametrize("field", ["title", "body"])
def test_lone_surrogate_in_a_thread_is_422_and_nothing_is_written(app, world, field):  # noqa: F811
    client = ApiClient(app, token_for(world.amina))
    data = {"category_id": world.general.id, "title": "Hello there", "body": "Body"}
    text = json.dumps(data).replace(f'"{data[field]}"', '"bad \\ud800 text"')
    response = _raw(client, "POST", "/threads", text)
    assert response.status_code == 422, response.text[:300]
    assert response.json["error"]["code"] == "invalid"
    assert field in response.json["error"]["fields"]
    assert _count(Thread) == 0 and _count(Post) == 0
    # A valid pair (an emoji written as two escapes) is text like any other.
    emoji = json.dumps(data).replace(f'"{data[field]}"', '"hi \\ud83d\\ude00 there"')
    assert _raw(client, "POST", "/threads", emoji).status_code == 201


def test_lone_surrogate_in_a_reply_a_chat_message_and_a_display_name(app, world):  # noqa: F811
    from tests import search_helpers as content

    app.config["RATELIMIT_POSTING"] = "1000 per minute"
    client = ApiClient(app, token_for(world.amina))
    thread = content.thread(world.general, world.amina, "Open")
    room = content.channel("lobby")
    posts = _count(Post)
    cases = [("POST", f"/threads/{thread.id}/posts", '{"body": "x\\udfff"}', "body"),
             ("POST", f"/channels/{room.id}/messages",
              '{"body": "x\\ud800", "client_id": "c-1"}', "body"),
             ("PATCH", "/me", '{"display_name": "Am\\ud800ina"}', "display_name"),
             ("PATCH", "/me", '{"bio": "ok", "expertise": ["\\udc00"]}', "expertise")]
    for method, path, text, field in cases:
        response = _raw(client, method, path, text)
        assert response.status_code == 422, (path, response.text[:300])
        assert field in response.json["error"]["fields"], response.json
    db.session.expire_all()
    assert _count(Post) == posts and _count(Message) == 0
    assert db.session.get(User, world.amina.id).display_name == world.amina.display_name


@pytest.mark.parametrize("path", ["/u/ami%00na", "/c/gen%00eral", "/c/gen%00eral/new",
                                  "/cohorts/coh%00ort-a", "/join/co%00de"])
def test_nul_in_a_page_url_is_404(app, world, path):  # noqa: F811
    assert Browser(app, world.amina).get(path).status_code == 404


@pytest.mark.parametrize("path", ["/users/ami%00na", "/categories/gen%00eral/threads",
                                  "/cohorts/coh%00ort-a"])
def test_nul_in_an_api_url_is_a_404_problem(app, world, path):  # noqa: F811
    response = ApiClient(app, token_for(world.amina)).get(path)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_nul_in_a_query_or_form_field_is_400(app, world):  # noqa: F811
    browser = Browser(app, world.amina)
    for path in ("/search?q=a%00b", "/members?name=a%00b", "/search?q=ok&author=am%00ina"):
        assert browser.get(path).status_code == 400, path
    refused = browser.post("/login", data={"email": "amina@example.org\x00", "password": "x"})
    assert refused.status_code == 400
    api = ApiClient(app, token_for(world.amina))
    response = api.get("/search?q=a%00b")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    # NUL inside a JSON text field is dropped like every control character (as before).
    made = api.post("/threads", json={"category_id": world.general.id,
                                      "title": "Nul\x00 inside", "body": "B\x00ody"})
    assert made.status_code == 201 and made.json["title"] == "Nul inside"


def test_ids_beyond_the_database_integer(app, world):  # noqa: F811
    client = ApiClient(app, token_for(world.amina))
    assert client.get("/threads/99999999999999999999").status_code == 404
    assert client.get(f"/threads/{2**31}").status_code == 404
    for value in (2**31, 2**63, 2**70):
        response = client.post("/threads", json={"category_id": value, "title": "Hello there",
                                                 "body": "Body"})
        assert response.status_code == 422 and "category_id" in response.json["error"]["fields"]
    assert _count(Thread) == 0


def test_socket_ids_beyond_64_bits_are_invalid_acks(app, world, socket_client):  # noqa: F811
    from tests import search_helpers as content

    room = content.channel("lobby")
    g.pop("_login_user", None)
    sc = socket_client(login(app, world.amina))
    cases = [("channel:join", {"channel_id": room.id, "last_id": 2**63}, "last_id"),
             ("channel:join", {"channel_id": 2**70}, "channel_id"),
             ("channel:join", {"channel_id": "²"}, "channel_id"),
             ("channel:history", {"channel_id": room.id, "before_id": 2**64}, "before_id"),
             ("message:send", {"channel_id": 2**63, "body": "hi", "client_id": "c1"},
              "channel_id"),
             ("message:delete", {"message_id": -1}, "message_id"),
             ("flag:create", {"target_type": "post", "target_id": 2**70}, "target_id"),
             ("thread:join", {"thread_id": 2**70}, "thread_id"),
             ("thread:since", {"thread_id": 1, "after_id": 2**63}, "after_id"),
             ("notifications:read", {"id": 2**70}, "id")]
    for event, payload, field in cases:
        g.pop("_login_user", None)
        ack = sc.emit(event, payload, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", (event, ack)
        assert field in ack["error"]["fields"], (event, ack)
    g.pop("_login_user", None)
    assert sc.emit("channel:join", {"channel_id": room.id, "last_id": 0}, callback=True)["ok"]


def test_socket_text_with_a_lone_surrogate_is_an_invalid_ack(app, world, socket_client):  # noqa: F811
    from tests import search_helpers as content

    room = content.channel("lobby")
    g.pop("_login_user", None)
    sc = socket_client(login(app, world.amina))
    deep: list = []
    for _ in range(100):
        deep = [deep]
    cases = [({"channel_id": room.id, "body": "hi \ud800", "client_id": "c1"}, "invalid"),
             ({"channel_id": room.id, "body": deep, "client_id": "c2"}, "bad_request"),
             ({"channel_id": room.id, "body": "hi", "client_id": "c3", "\udfff": 1}, "invalid")]
    for payload, code in cases:
        g.pop("_login_user", None)
        ack = sc.emit("message:send", payload, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == code, ack
    assert _count(Message) == 0


@pytest.mark.parametrize("path", ["/t/{n}", "/p/{n}/edit", "/chat/{n}", "/flag/post/{n}"])
@pytest.mark.parametrize("number", [2**31, 10**20])
def test_page_ids_beyond_the_database_integer_are_404(app, world, path, number):  # noqa: F811
    """Werkzeug's <int:...> takes any size; PostgreSQL's INTEGER does not."""
    browser = Browser(app, world.amina)
    assert browser.get(path.format(n=number)).status_code == 404
    assert browser.post(f"/t/{number}/reply", data={"body": "Hello"}).status_code == 404


def test_socket_packet_nested_past_the_parsers_stack_still_gets_its_ack(app, world):  # noqa: F811
    """python-socketio dropped such a packet unanswered: the client waited for its ack forever."""
    from tests import search_helpers as content

    room = content.channel("lobby")
    browser = login(app, world.amina)
    polling = "/socket.io/?EIO=4&transport=polling"
    handshake = browser.get(polling).get_data(as_text=True)
    sid = handshake.split('"sid":"')[1].split('"')[0]
    assert browser.post(f"{polling}&sid={sid}", data=b"40",
                        content_type="text/plain").status_code == 200
    assert browser.get(f"{polling}&sid={sid}").get_data(as_text=True).startswith("40{")
    depth = 20_000  # far past Python's recursion limit
    packet = (f'427["message:send",{{"channel_id":{room.id},"client_id":"deep","body":'
              + "[" * depth + "]" * depth + "}]")
    assert browser.post(f"{polling}&sid={sid}", data=packet.encode(),
                        content_type="text/plain").status_code == 200
    answer = browser.get(f"{polling}&sid={sid}").get_data(as_text=True)
    assert answer.startswith("437[")
    ack = json.loads(answer[3:])[0]
    assert ack["ok"] is False and ack["error"]["code"] == "bad_request", ack
    assert _count(Message) == 0
