"""Changing a password and resetting it through a mailed, signed, single-use link."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from forum.extensions import db
from forum.lib.mail import outbox
from forum.lib.passwords import verify_password
from forum.models import LoginSession, User, utcnow
from forum.services import accounts
from tests.accounts_helpers import isolated_requests

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)

NEW = "a brand new secret"


@pytest.fixture
def app_config(app_config):
    """A low reset-request limit for this module."""
    return {**app_config, "RATELIMIT_PASSWORD_RESET": "3 per minute"}


@pytest.fixture
def disconnected(monkeypatch) -> list[int]:
    """Record which users had their live sockets closed."""
    from forum.lib import socket_registry as registry

    calls: list[int] = []
    monkeypatch.setattr(registry, "disconnect_user", calls.append)
    return calls


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _logged_in(client) -> bool:
    return client.get("/settings/profile").status_code == 200


def _change(client, current: str, new: str = NEW, confirm: str | None = None):
    return client.post("/settings/password", data={
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm})


# --- change password -------------------------------------------------------------------------

def test_change_password_page_renders_and_needs_login(client, auth, make):
    response = client.get("/settings/password")
    assert response.status_code == 302 and "/login" in response.location
    make.user("amina")
    auth.login("amina@example.org")
    page = client.get("/settings/password").get_data(as_text=True)
    assert 'name="current_password"' in page and 'autocomplete="new-password"' in page


def test_change_password_requires_the_current_one(client, auth, make, disconnected):
    user = make.user("amina")
    auth.login("amina@example.org")
    response = _change(client, "not my password")
    assert response.status_code == 422
    assert "Your current password is not right." in response.get_data(as_text=True)
    user = _fresh(user)
    assert verify_password(user.password_hash, make.PASSWORD)
    assert user.session_version == 1 and disconnected == []


@pytest.mark.parametrize(("new", "confirm", "message"), [
    ("short", None, "Use at least 10 characters."),
    (NEW, "something else entirely", "The two passwords differ."),
])
def test_change_password_rules(client, auth, make, new, confirm, message):
    user = make.user("amina")
    auth.login("amina@example.org")
    response = _change(client, make.PASSWORD, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert verify_password(_fresh(user).password_hash, make.PASSWORD)


def test_change_password_logs_out_other_sessions_but_not_this_one(
        app, client, auth, make, disconnected):
    user = make.user("amina")
    auth.login("amina@example.org", remember=True)
    other = app.test_client()
    other.post("/login", data={"email": "amina@example.org", "password": make.PASSWORD,
                               "remember": "y"})
    old_cookie = other.get_cookie("remember_token").value
    response = _change(client, make.PASSWORD)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Your password was changed. Other devices have been logged out." in page
    assert _logged_in(client)
    # This session and its remember-me cookie stay valid.
    client.delete_cookie("session")
    assert _logged_in(client)
    # The other device: neither its session nor its old remember cookie works any more.
    assert not _logged_in(other)
    other.delete_cookie("session")
    other.set_cookie("remember_token", old_cookie)
    assert not _logged_in(other)
    user = _fresh(user)
    assert verify_password(user.password_hash, NEW)
    # Only this device's login session is left; the other's sockets were closed with it
    # (tests/test_login_sessions.py), this device's sockets stay.
    assert len(db.session.scalars(select(LoginSession)).all()) == 1
    assert disconnected == []
    assert accounts.authenticate("amina@example.org", make.PASSWORD) is None


# --- forgot ----------------------------------------------------------------------------------

NEUTRAL = "If an account exists for that address, we sent a link"


def test_forgot_page_renders(client):
    page = client.get("/password/forgot").get_data(as_text=True)
    assert 'name="email"' in page


def test_forgot_mails_an_absolute_single_use_link(app, client, make):
    make.user("amina")
    response = client.post("/password/forgot", data={"email": " Amina@Example.org "},
                           follow_redirects=True)
    assert NEUTRAL in response.get_data(as_text=True)
    [message] = outbox()
    assert message["To"] == "amina@example.org"
    assert "Reset your Commons password" in message["Subject"]
    body = message.get_content()
    assert re.search(r"http://localhost/password/reset/\S+", body)


@pytest.mark.parametrize("email", ["nobody@example.org", "banned@example.org"])
def test_forgot_does_not_reveal_accounts(client, make, email):
    make.user("banned", banned_at=utcnow())
    response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
    assert response.status_code == 200
    assert NEUTRAL in response.get_data(as_text=True)
    assert outbox() == []


def test_forgot_is_limited_per_address(client, make):
    for n in range(3):
        client.post("/password/forgot", data={"email": f"x{n}@example.org"})
    response = client.post("/password/forgot", data={"email": "y@example.org"})
    assert response.status_code == 429
    assert "Too many reset requests" in response.get_data(as_text=True)


def test_forgot_is_limited_per_email(client, make):
    make.user("amina")
    for n in range(3):
        client.post("/password/forgot", data={"email": "amina@example.org"},
                    environ_base={"REMOTE_ADDR": f"10.1.0.{n}"})
    response = client.post("/password/forgot", data={"email": "AMINA@example.org"},
                           environ_base={"REMOTE_ADDR": "10.1.0.99"})
    assert response.status_code == 429
    assert len(outbox()) == 3


# --- reset -----------------------------------------------------------------------------------

def _link(client, email: str) -> str:
    client.post("/password/forgot", data={"email": email})
    body = outbox()[-1].get_content()
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def _reset(client, path: str, new: str = NEW, confirm: str | None = None):
    return client.post(path, data={"new_password": new,
                                   "confirm": new if confirm is None else confirm})


def test_reset_sets_the_password_logs_in_and_logs_out_elsewhere(
        app, client, make, disconnected):
    user = make.user("amina")
    other = app.test_client()
    other.post("/login", data={"email": "amina@example.org", "password": make.PASSWORD})
    path = _link(client, "amina@example.org")
    page = client.get(path).get_data(as_text=True)
    assert "Choose a new password" in page and 'name="new_password"' in page
    response = _reset(client, path)
    assert response.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(other)
    user = _fresh(user)
    assert verify_password(user.password_hash, NEW)
    assert user.session_version == 2
    assert disconnected == [user.id]


def test_reset_link_works_once(client, make):
    make.user("amina")
    path = _link(client, "amina@example.org")
    assert _reset(client, path).status_code == 302
    client.post("/logout")
    for response in (client.get(path), _reset(client, path, "yet another secret")):
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "already used or is no longer valid" in page
        assert 'href="/password/forgot"' in page
    assert accounts.authenticate("amina@example.org", "yet another secret") is None


def test_reset_link_dies_when_the_password_changes(client, auth, make):
    user = make.user("amina")
    path = _link(client, "amina@example.org")
    accounts.change_password(user, make.PASSWORD, "changed meanwhile")
    assert client.get(path).status_code == 400


def test_reset_link_expires(app, client, make, monkeypatch):
    make.user("amina")
    path = _link(client, "amina@example.org")
    assert client.get(path).status_code == 200
    later = int(time.time()) + app.config["PASSWORD_RESET_MAX_AGE"] + 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = _reset(client, path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This link has expired." in page and 'href="/password/forgot"' in page
    assert accounts.authenticate("amina@example.org", make.PASSWORD) is not None


@pytest.mark.parametrize("token", ["garbage", "eyJ1aWQiOjF9.forged.signature"])
def test_reset_rejects_forged_tokens(client, make, token):
    make.user("amina")
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "This link is not valid." in response.get_data(as_text=True)


def test_reset_token_from_another_salt_is_refused(app, client, make):
    from forum.lib import tokens

    user = make.user("amina")
    token = tokens.make_token({"uid": user.id, "fp": tokens.fingerprint(user.password_hash)},
                              "something-else")
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_reset_keeps_rules_and_the_token_on_a_bad_password(client, make):
    make.user("amina")
    path = _link(client, "amina@example.org")
    response = _reset(client, path, "short")
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert client.get(path).status_code == 200  # nothing was spent
