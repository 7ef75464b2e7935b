"""Logging in: remember me, throttling, banned accounts, session versions, CSRF on our forms."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import User, utcnow
from forum.services import accounts
from tests.accounts_helpers import csrf_token_from, isolated_requests, login_as

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)


@pytest.fixture
def app_config(app_config, request):
    """A low login limit for this module; tests add keys through indirect parametrisation."""
    return {**app_config, "RATELIMIT_LOGIN": "3 per minute", **getattr(request, "param", {})}


def _logged_in(client) -> bool:
    return client.get("/settings/profile").status_code == 200


def test_remember_cookie_only_when_ticked(client, auth, make):
    make.user("amina")
    auth.login("amina@example.org")
    assert client.get_cookie("remember_token") is None
    assert _logged_in(client)
    auth.logout()
    auth.login("amina@example.org", remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_remember_cookie_logs_in_after_the_session_cookie_is_gone(client, auth, make):
    make.user("amina")
    auth.login("amina@example.org", remember=True)
    client.delete_cookie("session")
    assert _logged_in(client)


def test_login_throttled_per_address_with_a_clear_message(client, auth, make):
    make.user("amina")
    for n in range(3):
        assert auth.login(f"nobody{n}@example.org", "wrong password").status_code == 422
    response = auth.login("amina@example.org")  # even the right password waits
    assert response.status_code == 429
    assert "Too many attempts. Please wait a minute and try again." in response.get_data(
        as_text=True)
    assert not _logged_in(client)


def test_login_throttled_per_account_across_addresses(client, make):
    make.user("amina")
    data = {"email": "Amina@Example.org", "password": "wrong password"}
    for n in range(3):
        response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert response.status_code == 422
    response = client.post("/login", data={**data, "password": make.PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 429
    # Another account from that fresh address is not affected.
    make.user("bilal")
    response = client.post("/login", data={"email": "bilal@example.org",
                                           "password": make.PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 302


def test_banned_user_cannot_log_in(client, auth, make):
    make.user("amina", banned_at=utcnow())
    response = auth.login("amina@example.org")
    assert response.status_code == 422
    assert "This account is banned." in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_ban_ends_an_existing_session(app, client, auth, make):
    user = make.user("amina")
    auth.login("amina@example.org")
    assert _logged_in(client)
    user.banned_at = utcnow()
    db.session.commit()
    assert not _logged_in(client)


def test_bumping_session_version_logs_out_sessions_and_cookies(app, client, auth, make):
    user = make.user("amina")
    auth.login("amina@example.org", remember=True)
    other = app.test_client()
    other.post("/login", data={"email": "amina@example.org", "password": make.PASSWORD})
    assert _logged_in(client) and _logged_in(other)
    accounts.bump_session_version(user)
    db.session.commit()
    assert not _logged_in(other)
    assert not _logged_in(client)  # neither the session nor the remember cookie works
    response = client.get("/settings/profile")
    assert response.status_code == 302 and "/login" in response.location


def test_login_page_links_to_password_reset(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_csrf_is_enforced_on_account_forms(app, client, make):
    admin = make.user("root", role="admin")
    member = make.user("amina")
    token = accounts.password_reset_token(member)
    posts = {
        "/login": {"email": "amina@example.org", "password": make.PASSWORD},
        "/password/forgot": {"email": "amina@example.org"},
        f"/password/reset/{token}": {"new_password": "a brand new secret",
                                     "confirm": "a brand new secret"},
    }
    for path, data in posts.items():
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "Your form expired" in response.get_data(as_text=True)
    login_as(client, admin)
    logged_in_posts = {
        "/settings/password": {"current_password": make.PASSWORD,
                               "new_password": "a brand new secret",
                               "confirm": "a brand new secret"},
        "/settings/profile": {"display_name": "Hacked", "timezone": "UTC", "language": "en"},
        f"/admin/users/{member.id}/role": {"role": "admin"},
    }
    for path, data in logged_in_posts.items():
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "member"
    assert db.session.get(User, admin.id).display_name == "Root"
    # With the page's token the same role change goes through.
    token = csrf_token_from(client, "/admin/users")
    response = client.post(f"/admin/users/{member.id}/role",
                           data={"role": "mentor", "csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "mentor"
