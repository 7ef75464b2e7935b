"""Fuzz (Hypothesis) over every text field and id of the API, the forms and the socket events:
whatever arrives — lone surrogates, NUL, 2**70, "²", nested lists, floats — the answer is a
clear 4xx problem, a page or an error ack, never a 500 or a `server_error` ack. On SQLite and
PostgreSQL; bounded example counts keep it fast (FUZZ_EXAMPLES raises them)."""

from __future__ import annotations

import json
import operator
import os
from urllib.parse import quote

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import search_helpers as content
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import (
    Browser,
    login,
    world,  # noqa: F401 - fixture
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

NASTY = ["\ud800", "\udfff", "a\ud83d", "\ud83d\ude00", "\x00", "a\x00b", "%00", "\u202e",
         "\ufeff", "\U0001d54f", "\u00b2", "\u0663", "' OR '1'='1", "<script>x</script>", "\\",
         "\r\n\t", " ", "", "a" * 300, "@amina", "general", "[x](javascript:alert(1))"]
TEXTS = st.one_of(st.text(max_size=40), st.sampled_from(NASTY),
                  st.builds(operator.add, st.text(max_size=12), st.sampled_from(NASTY)))
ODD_IDS = st.one_of(st.integers(min_value=-2**80, max_value=2**80),
                    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, 2**64, 2**70]),
                    st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
                    TEXTS, st.lists(st.integers(), max_size=2))


def ids(*valid: int):
    """An id that is sometimes a real one (so deeper code runs), often anything at all."""
    return st.one_of(st.sampled_from(valid), ODD_IDS) if valid else ODD_IDS


def _q(value) -> str:
    """Percent-encode as a client may (lone surrogates as their UTF-8-ish bytes)."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def _form(fields: dict) -> str:
    return "&".join(f"{_q(k)}={_q(v)}" for k, v in fields.items())


@pytest.fixture
def app_config(app_config):
    """No limit gets in the way of the fuzzing."""
    return {**app_config, "RATELIMIT_API": "100000 per minute",
            "RATELIMIT_POSTING": "100000 per minute", "RATELIMIT_LOGIN": "100000 per minute",
            "CHAT_RATE_LIMIT": (100000, 1)}


@pytest.fixture
def places(world):  # noqa: F811
    """A thread with a reply, a cohort room with a message, an admin."""
    thread = content.thread(world.lounge_a, world.amina, "Fuzzed", "Opening")
    reply = content.post(thread, world.amina, "A reply")
    room = content.channel("room", world.cohort_a.id)
    said = content.message(room, world.amina, "hello")
    return {"thread": thread.id, "post": reply.id, "first": thread.first_post_id,
            "room": room.id, "message": said.id, "category": world.lounge_a.id,
            "cohort": world.cohort_a.id}


def _api_targets(p: dict) -> dict:
    """name → (method, path strategy, JSON body strategy or None, query strategy or None)."""
    body = st.fixed_dictionaries
    maybe = st.one_of(TEXTS, st.lists(TEXTS, max_size=3), ODD_IDS)
    return {
        "create_thread": ("POST", st.just("/threads"), body(
            {"category_id": ids(p["category"]), "title": TEXTS, "body": TEXTS},
            optional={"tags": maybe}), None),
        "reply": ("POST", st.builds("/threads/{}/posts".format, ids(p["thread"]).map(_q)),
                  body({"body": TEXTS}, optional={"parent_id": ids(p["post"])}), None),
        "edit_post": ("PATCH", st.builds("/posts/{}".format, ids(p["post"]).map(_q)),
                      body({"body": TEXTS}), None),
        "send": ("POST", st.builds("/channels/{}/messages".format, ids(p["room"]).map(_q)),
                 body({"body": TEXTS, "client_id": TEXTS}), None),
        "edit_message": ("PATCH", st.builds("/messages/{}".format, ids(p["message"]).map(_q)),
                         body({"body": TEXTS}), None),
        "read_mark": ("POST", st.builds("/channels/{}/read".format, ids(p["room"]).map(_q)),
                      body({}, optional={"message_id": ids(p["message"])}), None),
        "direct": ("POST", st.just("/direct-channels"),
                   body({"usernames": st.one_of(st.lists(TEXTS, max_size=3), maybe)}), None),
        "profile": ("PATCH", st.just("/me"), body({}, optional={
            "display_name": TEXTS, "organisation": TEXTS, "duty_station": TEXTS,
            "sponsoring_country": TEXTS, "bio": TEXTS, "expertise": maybe, "language": TEXTS,
            "timezone": TEXTS, "open_to_mentoring": maybe}), None),
        "read_paths": ("GET", st.one_of(
            st.builds("/threads/{}".format, ids(p["thread"]).map(_q)),
            st.builds("/posts/{}".format, ids(p["post"]).map(_q)),
            st.builds("/users/{}".format, TEXTS.map(_q)),
            st.builds("/cohorts/{}".format, TEXTS.map(_q)),
            st.builds("/categories/{}/threads".format, TEXTS.map(_q)),
            st.builds("/notifications/{}/read".format, ids().map(_q))), None, None),
        "search": ("GET", st.just("/search"), None, body({"q": TEXTS}, optional={
            "kind": TEXTS, "category_id": ids(p["category"]), "cohort_id": ids(p["cohort"]),
            "channel_id": ids(p["room"]), "author": TEXTS, "date_from": TEXTS,
            "date_to": TEXTS, "cursor": TEXTS, "limit": ids()})),
        "lists": ("GET", st.sampled_from(["/members", "/notifications",
                                          f"/threads/{p['thread']}/posts",
                                          f"/channels/{p['room']}/messages",
                                          "/categories/alpha-lounge/threads"]), None,
                  body({}, optional={"name": TEXTS, "organisation": TEXTS, "expertise": TEXTS,
                                     "cursor": TEXTS, "limit": ids(), "tag": TEXTS,
                                     "sort": TEXTS, "unread_only": TEXTS})),
        "admin_cohort": ("POST", st.just("/admin/cohorts"), body(
            {"name": TEXTS}, optional={"slug": TEXTS, "programme": TEXTS,
                                       "description": TEXTS, "starts_on": TEXTS}), None),
        "admin_member": ("POST", st.builds("/admin/cohorts/{}/members".format,
                                           ids(p["cohort"]).map(_q)),
                         body({"identifier": TEXTS}, optional={"role": TEXTS}), None),
        "admin_invite": ("POST", st.builds("/admin/cohorts/{}/invitations".format,
                                           ids(p["cohort"]).map(_q)),
                         body({}, optional={"email": TEXTS, "name": TEXTS,
                                            "max_uses": ids(), "role": TEXTS}), None),
    }


def _assert_problem(response) -> None:
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert response.is_json and response.json["error"]["code"], response.text[:300]


@pytest.mark.parametrize("target", sorted(_api_targets({k: 1 for k in (
    "thread", "post", "room", "message", "category", "cohort")})))
def test_api_never_answers_500(app, world, places, target):  # noqa: F811
    from forum.extensions import db
    from forum.models import User

    admin = User(username="root", email="root@example.org", display_name="Root",
                 password_hash="x", role="admin")
    db.session.add(admin)
    db.session.commit()
    clients = {False: ApiClient(app, token_for(world.amina)),
               True: ApiClient(app, token_for(admin))}
    method, paths, bodies, queries = _api_targets(places)[target]
    client = clients[target.startswith("admin")]

    @FUZZ
    @given(data=st.data())
    def run(data) -> None:
        path = data.draw(paths)
        kwargs: dict = {}
        if bodies is not None:
            kwargs = {"data": json.dumps(data.draw(bodies)), "content_type": "application/json"}
        if queries is not None:
            path += "?" + _form(data.draw(queries))
        _assert_problem(client.call(method, path, **kwargs))

    run()


def test_pages_and_forms_never_answer_500(app, world, places):  # noqa: F811
    browser = Browser(app, world.amina)
    anonymous = Browser(app)
    form = {"content_type": "application/x-www-form-urlencoded"}
    targets = [
        (browser, "/c/alpha-lounge/new", {"title": TEXTS, "body": TEXTS, "tags": TEXTS}),
        (browser, f"/t/{places['thread']}/reply", {"body": TEXTS, "parent_id": ids()}),
        (browser, f"/p/{places['post']}/edit", {"body": TEXTS}),
        (browser, "/settings/profile", {"display_name": TEXTS, "organisation": TEXTS,
                                        "duty_station": TEXTS, "sponsoring_country": TEXTS,
                                        "bio": TEXTS, "expertise": TEXTS, "language": TEXTS,
                                        "timezone": TEXTS}),
        (browser, f"/chat/{places['room']}", {"body": TEXTS, "client_id": TEXTS}),
        (browser, f"/flag/post/{places['post']}", {"reason": TEXTS, "note": TEXTS}),
        (anonymous, "/login", {"email": TEXTS, "password": TEXTS}),
        (anonymous, "/register", {"email": TEXTS, "username": TEXTS, "display_name": TEXTS,
                                  "password": TEXTS, "code": TEXTS}),
    ]
    pages = st.one_of(
        st.builds("/search?q={}&author={}&category={}".format, TEXTS.map(_q), TEXTS.map(_q),
                  ids().map(_q)),
        st.builds("/members?name={}&expertise={}".format, TEXTS.map(_q), TEXTS.map(_q)),
        st.builds("/u/{}".format, TEXTS.map(_q)), st.builds("/c/{}".format, TEXTS.map(_q)),
        st.builds("/t/{}".format, ids(places["thread"]).map(_q)),
        st.builds("/chat/{}".format, ids(places["room"]).map(_q)),
        st.builds("/cohorts/{}".format, TEXTS.map(_q)))

    @FUZZ
    @given(data=st.data())
    def run(data) -> None:
        client, path, fields = data.draw(st.sampled_from(targets))
        body = data.draw(st.fixed_dictionaries({}, optional=fields))
        response = client.post(path, data=_form(body), **form)
        assert response.status_code < 500, (path, body)
        page = data.draw(pages)
        assert browser.get(page).status_code < 500, page

    run()


def test_socket_events_never_ack_server_error(app, world, places, socket_client):  # noqa: F811
    g.pop("_login_user", None)
    sc = socket_client(login(app, world.amina))
    p = places
    events = {
        "message:send": {"channel_id": ids(p["room"]), "body": TEXTS, "client_id": TEXTS},
        "message:edit": {"message_id": ids(p["message"]), "body": TEXTS},
        "message:delete": {"message_id": ids()},
        "channel:join": {"channel_id": ids(p["room"]), "last_id": ids(p["message"])},
        "channel:history": {"channel_id": ids(p["room"]), "before_id": ids(p["message"])},
        "channel:read": {"channel_id": ids(p["room"]), "message_id": ids(p["message"])},
        "channel:leave": {"channel_id": ids(p["room"])},
        "typing": {"channel_id": ids(p["room"])},
        "thread:join": {"thread_id": ids(p["thread"])},
        "thread:since": {"thread_id": ids(p["thread"]), "after_id": ids(p["first"])},
        "thread:leave": {"thread_id": ids(p["thread"])},
        "notifications:read": {"id": ids(), "all": ODD_IDS},
        "flag:create": {"target_type": st.one_of(st.sampled_from(["post", "message"]), TEXTS),
                        "target_id": ids(p["post"], p["message"]), "reason": TEXTS,
                        "note": TEXTS},
    }

    @FUZZ
    @given(data=st.data())
    def run(data) -> None:
        event = data.draw(st.sampled_from(sorted(events)))
        payload = data.draw(st.one_of(
            st.fixed_dictionaries({}, optional=events[event]),
            st.fixed_dictionaries({}, optional=events[event]),
            TEXTS, ODD_IDS, st.lists(ODD_IDS, max_size=3)))
        g.pop("_login_user", None)
        g.pop("_memberships", None)
        ack = sc.emit(event, payload, callback=True)
        assert isinstance(ack, dict), (event, payload, ack)
        assert ack["ok"] or ack["error"]["code"] != "server_error", (event, payload, ack)

    run()
    assert sc.is_connected()


def test_socket_connect_with_any_token_is_refused_cleanly(app, world, socket_client):  # noqa: F811
    from forum.extensions import socketio

    @FUZZ
    @given(token=st.one_of(TEXTS.map("cmn_".__add__), TEXTS, ODD_IDS))
    def run(token) -> None:
        g.pop("_login_user", None)
        sc = socketio.test_client(app, auth={"token": token})
        assert not sc.is_connected()

    run()
