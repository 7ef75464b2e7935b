"""Fixtures and helpers shared by the chat tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forum.extensions import db
from forum.models import Channel, ChannelKind, Cohort, User


@dataclass
class ChatWorld:
    """Two cohorts, each with a channel, a global channel, and people in each."""

    cohort: Cohort
    other_cohort: Cohort
    channel: Channel
    other_channel: Channel
    lobby: Channel
    amina: User
    bruno: User
    carla: User  # in the other cohort only
    mod: User  # global moderator, in no cohort


def channel(name: str, cohort: Cohort | None = None) -> Channel:
    """Create and commit a cohort channel (or a global one)."""
    obj = Channel(kind=(ChannelKind.COHORT if cohort else ChannelKind.GLOBAL).value,
                  cohort_id=cohort.id if cohort else None, name=name,
                  slug=f"{cohort.slug if cohort else 'global'}-{name}".lower())
    db.session.add(obj)
    db.session.commit()
    return obj


@pytest.fixture
def world(make) -> ChatWorld:
    """The standard chat setting."""
    cohort = make.cohort("geneva-2026", name="Geneva 2026")
    other = make.cohort("nairobi-2026", name="Nairobi 2026")
    return ChatWorld(
        cohort=cohort, other_cohort=other,
        channel=channel("general", cohort), other_channel=channel("general", other),
        lobby=channel("lobby"),
        amina=make.user("amina", cohorts=[cohort]), bruno=make.user("bruno", cohorts=[cohort]),
        carla=make.user("carla", cohorts=[other]), mod=make.user("mod", role="moderator"),
    )


def events(sc, name: str) -> list[dict]:
    """The payloads of the events `name` a Flask-SocketIO test client received."""
    return [e["args"][0] for e in sc.get_received() if e["name"] == name]


def fresh_context() -> None:
    """Forget per-context caches (current user, memberships) before a test-client event.

    The test's app context is shared with socket handlers; real events each get a fresh one.
    """
    from flask import g

    g.pop("_login_user", None)
    g.pop("_memberships", None)


class Sock:
    """A Flask-SocketIO test client whose every emit runs as in a fresh context."""

    def __init__(self, sc) -> None:
        self.sc = sc

    def emit(self, event: str, data=None, callback: bool = True):
        """Emit and return the ack."""
        fresh_context()
        return self.sc.emit(event, data, callback=callback)

    def __getattr__(self, name: str):
        return getattr(self.sc, name)


def connect(app, socket_client, email: str, password: str = "correct horse battery") -> Sock:
    """A socket logged in as `email` through its own Flask client."""
    client = app.test_client()
    fresh_context()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    fresh_context()
    sock = Sock(socket_client(client))
    assert sock.is_connected()
    return sock


class LiveSocket:
    """A real python-socketio client logged in on a live server, recording what it receives."""

    def __init__(self, server, email: str, password: str = "correct horse battery") -> None:
        import socketio

        from tests.live import login_session

        self.session = login_session(server, email, password)
        self.cookie = "; ".join(f"{k}={v}" for k, v in self.session.cookies.items())
        self.received: list[tuple[str, dict]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda event, data=None: self.received.append((event, data)))
        self.client.connect(server.url, transports=["websocket"], wait_timeout=5,
                            headers={"Cookie": self.cookie})

    def call(self, event: str, data: dict, timeout: float = 10) -> dict:
        """Emit and wait for the ack."""
        return self.client.call(event, data, timeout=timeout)

    def events(self, name: str) -> list[dict]:
        """Payloads of the events `name` received so far."""
        return [data for event, data in self.received if event == name]

    def wait_for(self, predicate, timeout: float = 10.0) -> None:
        """Wait until predicate() is true (events arrive on a background thread)."""
        import time

        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received: {self.received[-5:]}")
            time.sleep(0.02)

    def close(self) -> None:
        """Disconnect if still connected."""
        if self.client.connected:
            self.client.disconnect()
