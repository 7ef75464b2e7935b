"""A real server process and a real browser: the stack works end to end."""

from __future__ import annotations

import pytest
import socketio
import websocket

from tests.live import login_session

pytestmark = pytest.mark.live


def test_browser_logs_in_on_live_server(live_server, make, new_page):
    make.user("amina", display_name="Amina Diallo")
    page = new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Password").fill(make.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")  # the home page: what's new
    assert "Amina Diallo" in page.content()


def test_socket_connect_needs_login_and_own_origin(live_server, make):
    make.user("amina")
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(live_server.url, transports=["websocket"], wait_timeout=5)

    session = login_session(live_server, "amina@example.org", make.PASSWORD)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())

    foreign = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(live_server.url, transports=["polling"], wait_timeout=5,
                        headers={"Cookie": cookie, "Origin": "https://evil.example"})
    # websocket-client sends its own Origin header; set it explicitly for the foreign case.
    ws_url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url, origin="https://evil.example", cookie=cookie,
                                    timeout=5)

    for transport in ("polling", "websocket"):
        own = socketio.Client(reconnection=False)
        headers = {"Cookie": cookie}
        if transport == "polling":
            headers["Origin"] = live_server.url
        own.connect(live_server.url, transports=[transport], wait_timeout=5, headers=headers)
        assert own.connected
        own.disconnect()
