"""Engine.IO's HTTP answers: no JSONP script gadget, and the security headers pages carry."""

from __future__ import annotations

import pytest
import requests
import socketio

from forum.lib.engineio_guard import ENGINEIO_HEADERS
from tests.api_helpers import token_for

POLLING = "/socket.io/?EIO=4&transport=polling"


def assert_guarded(headers) -> None:
    """The headers every Engine.IO answer carries (whatever the client, whatever the status)."""
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("query", ["&j=0", "&j=1&t=x", "&j=abc", "&j=0&j=1"])
def test_jsonp_polling_is_refused(client, query):
    response = client.get(POLLING + query)
    assert response.status_code == 400
    assert b"___eio" not in response.data
    assert_guarded(response.headers)


def test_jsonp_post_is_refused(client):
    sid = client.get(POLLING).get_data(as_text=True).split('"sid":"')[1].split('"')[0]
    response = client.post(f"{POLLING}&sid={sid}&j=0", data={"d": "4hello"})
    assert response.status_code == 400
    assert b"___eio" not in response.data


def test_polling_answers_carry_the_security_headers(client):
    handshake = client.get(POLLING)
    assert handshake.status_code == 200 and handshake.data.startswith(b'0{"sid":')
    assert_guarded(handshake.headers)
    sid = handshake.get_data(as_text=True).split('"sid":"')[1].split('"')[0]
    # A Socket.IO CONNECT without credentials: the POST is taken, the poll answers the refusal.
    sent = client.post(f"{POLLING}&sid={sid}", data=b"40", content_type="text/plain")
    assert sent.status_code == 200
    assert_guarded(sent.headers)
    polled = client.get(f"{POLLING}&sid={sid}")
    assert polled.status_code == 200 and polled.data.startswith(b"44")
    assert_guarded(polled.headers)
    # Engine.IO's own errors too.
    assert_guarded(client.get(f"{POLLING}&sid=unknown").headers)


def test_pages_keep_their_own_policy(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["Content-Security-Policy"] != dict(ENGINEIO_HEADERS)[
        "Content-Security-Policy"]


@pytest.mark.live
def test_live_server_guards_polling_and_keeps_websockets(live_server, make):
    url = live_server.url
    handshake = requests.get(url + POLLING, timeout=10)
    assert handshake.status_code == 200
    assert_guarded(handshake.headers)
    refused = requests.get(url + POLLING + "&j=0", timeout=10)
    assert refused.status_code == 400 and "___eio" not in refused.text
    assert_guarded(refused.headers)
    # The guard wraps the WSGI app: a WebSocket upgrade through it still works.
    token = token_for(make.user("amina"))
    client = socketio.Client(reconnection=False)
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        assert client.connected and client.transport() == "websocket"
    finally:
        client.disconnect()
