"""A whole conversation through the JSON API and python-socketio clients authenticated with
personal access tokens, against a real gunicorn + gevent server."""

from __future__ import annotations

import re
import time

import pytest
import requests
import socketio

from forum.extensions import db
from forum.models import Category, Channel, ChannelKind
from tests.api_helpers import token_for

pytestmark = pytest.mark.live


class TokenSocket:
    """A python-socketio client connected with a token (no cookie, no Origin header)."""

    def __init__(self, url: str, token: str) -> None:
        self.received: list[tuple[str, dict]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda event, data=None: self.received.append((event, data)))
        self.client.connect(url, auth={"token": token}, transports=["polling"],
                            wait_timeout=10)

    def call(self, event: str, data: dict) -> dict:
        """Emit and wait for the ack."""
        return self.client.call(event, data, timeout=10)

    def wait_for(self, name: str, predicate=lambda data: True, timeout: float = 10) -> dict:
        """The first `name` event whose payload satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event, data in self.received:
                if event == name and predicate(data):
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {name}; received {self.received[-5:]}")

    def close(self) -> None:
        """Disconnect."""
        if self.client.connected:
            self.client.disconnect()


class Api:
    """requests against /api/v1 with a bearer token."""

    def __init__(self, url: str, token: str) -> None:
        self.base = url + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __getattr__(self, method: str):
        return lambda path, **kw: self.session.request(method.upper(), self.base + path,
                                                       timeout=10, **kw)


def test_conversation_over_api_and_token_sockets(live_server, make):
    cohort = make.cohort("geneva-2026")
    other = make.cohort("nairobi-2026")
    amina = make.user("amina", cohorts=[cohort])
    bruno = make.user("bruno", cohorts=[cohort])
    carla = make.user("carla", cohorts=[other])
    lounge = Category(slug="geneva-lounge", name="Lounge", cohort_id=cohort.id)
    channel = Channel(kind=ChannelKind.COHORT.value, cohort_id=cohort.id, name="general",
                      slug="geneva-general")
    db.session.add_all([lounge, channel])
    db.session.commit()
    tokens = {u.username: token_for(u) for u in (amina, bruno, carla)}
    url = live_server.url
    api_a, api_b = Api(url, tokens["amina"]), Api(url, tokens["bruno"])

    # Refused: no token, a wrong token; accepted without any Origin header.
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(url, auth={"token": "cmn_wrong"},
                                                    transports=["polling"], wait_timeout=5)
    sock_a, sock_b = TokenSocket(url, tokens["amina"]), TokenSocket(url, tokens["bruno"])
    sock_c = TokenSocket(url, tokens["carla"])
    try:
        # Amina starts a thread through the API; Bruno's socket watches it live.
        thread = api_a.post("/threads", json={"category_id": lounge.id, "title": "Housing",
                                              "body": "Where do you live in Geneva?"})
        assert thread.status_code == 201, thread.text
        thread_id = thread.json()["id"]
        assert sock_b.call("thread:join", {"thread_id": thread_id})["ok"]
        assert sock_c.call("thread:join", {"thread_id": thread_id})["error"]["code"] == \
            "not_found"
        reply = api_b.post(f"/threads/{thread_id}/posts", json={"body": "Carouge, **cheap**"})
        assert reply.status_code == 201, reply.text
        assert sock_b.wait_for("post:new")["post_id"] == reply.json()["id"]
        assert api_a.put(f"/posts/{reply.json()['id']}/reactions/helpful").status_code == 200
        counts = sock_b.wait_for("reaction:counts")
        assert counts["counts"] == {"helpful": 1}

        # Chat: both join by socket; Amina sends over the API (retried: still one message),
        # Bruno answers over the socket; each sees the other's message live.
        cid = channel.id
        assert sock_a.call("channel:join", {"channel_id": cid})["ok"]
        assert sock_b.call("channel:join", {"channel_id": cid})["ok"]
        assert sock_c.call("channel:join", {"channel_id": cid})["error"]["code"] == "not_found"
        body = {"body": "Lunch at noon?", "client_id": "api-lunch-1"}
        sent = api_a.post(f"/channels/{cid}/messages", json=body)
        again = api_a.post(f"/channels/{cid}/messages", json=body)
        assert sent.status_code == 201 and again.json()["id"] == sent.json()["id"]
        live = sock_b.wait_for("message:new", lambda m: m["client_id"] == "api-lunch-1")
        assert live["id"] == sent.json()["id"] and live["author"]["username"] == "amina"
        answer = sock_b.call("message:send", {"channel_id": cid, "body": "Yes!",
                                              "client_id": "sock-yes"})
        assert answer["ok"], answer
        assert sock_a.wait_for("message:new",
                               lambda m: m["client_id"] == "sock-yes")["id"] == \
            answer["message"]["id"]
        history = api_a.get(f"/channels/{cid}/messages").json()["messages"]
        assert [m["id"] for m in history] == [sent.json()["id"], answer["message"]["id"]]
        time.sleep(0.3)
        new_ids = [d["id"] for e, d in sock_b.received if e == "message:new"]
        assert new_ids.count(sent.json()["id"]) == 1  # the retry broadcast nothing
        assert not [e for e, _d in sock_c.received if e in ("message:new", "post:new")]

        # Revoking Amina's token on her tokens page closes her token socket at once; the
        # token no longer opens a socket or calls the API.
        from tests.live import login_session

        browser = login_session(live_server, amina.email, "correct horse battery")
        page = browser.get(url + "/settings/tokens").text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        token_id = re.search(r'/settings/tokens/(\d+)/revoke', page).group(1)
        revoked = browser.post(f"{url}/settings/tokens/{token_id}/revoke",
                               data={"csrf_token": csrf}, allow_redirects=False)
        assert revoked.status_code == 302
        deadline = time.monotonic() + 10
        while sock_a.client.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not sock_a.client.connected
        assert api_a.get("/me").status_code == 401
        with pytest.raises(socketio.exceptions.ConnectionError):
            TokenSocket(url, tokens["amina"])
    finally:
        for sock in (sock_a, sock_b, sock_c):
            sock.close()
