"""Helpers shared by the accounts, passwords, profile and admin tests."""

from __future__ import annotations

import re

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from forum.models import User


def login_as(client: FlaskClient, user: User) -> None:
    """Put a user in the client's session without the login form (CSRF-free set-up).

    A real login session is started, as the form would, so the cookie names a live one.
    """
    from forum.services import login_sessions

    login_sessions.start_session(user, "test client", "127.0.0.1")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def csrf_token_from(client: FlaskClient, path: str) -> str:
    """The CSRF token a page embeds (the base layout carries one in a meta tag)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def isolated_requests(app: Flask) -> None:
    """Give every test request a fresh `g`, as in production.

    The `make`/`ctx` fixtures keep an app context pushed, and Flask reuses it for test requests,
    so Flask-Login's cached `g._login_user` (and the membership and locale caches) would leak
    from one request to the next and hide a logged-out session.
    """

    @app.before_request
    def _fresh_g() -> None:
        for key in ("_login_user", "_memberships", "_flask_babel"):
            g.pop(key, None)
