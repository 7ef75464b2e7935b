"""Shared setup for the discussions tests: two cohorts, their people, and their categories."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import g

from forum.extensions import db
from forum.models import Category, Cohort, User
from tests import factories


@dataclass
class World:
    """Cohort A and cohort B with members, a mentor and a facilitator, plus categories."""

    cohort_a: Cohort
    cohort_b: Cohort
    amina: User  # member of A
    bilal: User  # member of A
    carla: User  # member of B (the outsider for A's content)
    mentor: User  # mentor of A (cohort role), site role member
    facilitator: User  # cohort moderator of A
    moderator: User  # global moderator, no cohort
    site_mentor: User  # site-wide mentor, no cohort
    general: Category  # global discussion
    qa: Category  # global Q&A
    lounge_a: Category  # cohort A discussion
    qa_a: Category  # cohort A Q&A
    ask_a: Category  # cohort A ask-a-mentor
    lounge_b: Category  # cohort B discussion


def build_world() -> World:
    """Create the world (inside an app context)."""
    a = factories.cohort("cohort-a", name="Cohort Alpha")
    b = factories.cohort("cohort-b", name="Cohort Bravo")
    users = {
        "amina": factories.user("amina", cohorts=[a]),
        "bilal": factories.user("bilal", cohorts=[a]),
        "carla": factories.user("carla", cohorts=[b]),
        "mentor": factories.user("mona", cohorts=[a], cohort_role="mentor"),
        "facilitator": factories.user("fatou", cohorts=[a], cohort_role="moderator"),
        "moderator": factories.user("moderator", role="moderator"),
        "site_mentor": factories.user("sam", role="mentor"),
    }
    cats = {
        "general": Category(slug="general", name="General"),
        "qa": Category(slug="career-qa", name="Career Q&A", mode="qa"),
        "lounge_a": Category(slug="alpha-lounge", name="Alpha lounge", cohort_id=a.id),
        "qa_a": Category(slug="alpha-qa", name="Alpha questions", cohort_id=a.id, mode="qa"),
        "ask_a": Category(slug="alpha-ask", name="Alpha ask a mentor", cohort_id=a.id,
                          mode="ask_mentor"),
        "lounge_b": Category(slug="bravo-lounge", name="Bravo lounge", cohort_id=b.id),
    }
    db.session.add_all(cats.values())
    db.session.commit()
    return World(cohort_a=a, cohort_b=b, **users, **cats)


@pytest.fixture
def world(make, app) -> Iterator[World]:
    """The two-cohort world, inside a request context (services translate their messages)."""
    with app.test_request_context("/"):
        yield build_world()


def login(app, user: User):
    """A new Flask test client logged in as `user` through the real form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email,
                                           "password": factories.PASSWORD})
    assert response.status_code == 302, response.text[:300]
    return client


def events(socket_client, name: str) -> list[dict]:
    """Payloads of the events of one name a Socket.IO test client received."""
    return [e["args"][0] for e in socket_client.get_received() if e["name"] == name]


def joined(socket_client_factory, app, user: User, thread_id: int):
    """A socket client of `user` that joined the thread room; returns (client, ack)."""
    # The test's app context is shared with socket handlers, so Flask-Login's per-context cache
    # would hand the previous socket's user to this one; real events each get a fresh context.
    g.pop("_login_user", None)
    sc = socket_client_factory(login(app, user))
    g.pop("_login_user", None)
    ack = sc.emit("thread:join", {"thread_id": thread_id}, callback=True)
    return sc, ack


class Browser:
    """A logged-in test client whose requests run outside the test's own app context.

    The `make`/`world` fixtures keep an app context pushed; Flask would reuse it (and its `g`,
    where Flask-Login caches the user) for every request. Running each request in an empty
    contextvars.Context gives it a fresh app context, like a real server.
    """

    def __init__(self, app, user: User | None = None) -> None:
        self.client = app.test_client()
        if user is not None:
            response = self.post("/login", data={"email": user.email,
                                                 "password": factories.PASSWORD})
            assert response.status_code == 302, response.text[:300]

    def get(self, *args, **kwargs):
        """GET in a fresh context."""
        return contextvars.Context().run(self.client.get, *args, **kwargs)

    def post(self, *args, **kwargs):
        """POST in a fresh context."""
        return contextvars.Context().run(self.client.post, *args, **kwargs)
