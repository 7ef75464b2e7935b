"""Login sessions: logout, "end this session" and "log out everywhere" are server-side, so a
replayed session cookie, an old remember-me cookie and a socket of an ended session are dead."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select, update

from forum.extensions import db, socketio
from forum.lib.user_agents import describe
from forum.models import LoginSession, utcnow
from forum.services import login_sessions
from forum.services.moderation import people
from tests.accounts_helpers import isolated_requests

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"


@pytest.fixture
def app_config(app_config, request):
    """Several logins per test: no login throttling here (tests add keys indirectly)."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute",
            **getattr(request, "param", {})}


def _device(app, make, user_agent: str = CHROME_WINDOWS, remember: bool = False):
    """A new browser (test client) logged in through the form, with its own User-Agent."""
    device = app.test_client()
    data = {"email": "amina@example.org", "password": make.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = device.post("/login", data=data, headers={"User-Agent": user_agent})
    assert response.status_code == 302, response.text[:300]
    return device


def _logged_in(client) -> bool:
    return client.get("/settings/profile").status_code == 200


def _replay(app, name: str, value: str):
    """A fresh browser presenting one stolen or kept cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def _socket(app, client):
    g.pop("_login_user", None)  # the test's app context is shared with the handlers
    sc = socketio.test_client(app, flask_test_client=client)
    g.pop("_login_user", None)
    return sc


def _sessions() -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(LoginSession).order_by(LoginSession.id)))


def test_logout_kills_the_session_cookie_everywhere(app, make):
    make.user("amina")
    device = _device(app, make)
    kept = device.get_cookie("session").value
    assert _replay(app, "session", kept).get("/api/v1/me").status_code == 200
    sc = _socket(app, device)
    assert sc.is_connected()
    assert device.post("/logout").status_code == 302
    assert not sc.is_connected()  # this session's live socket was closed at once
    assert _sessions() == []
    thief = _replay(app, "session", kept)
    response = thief.get("/settings/profile")
    assert response.status_code == 302 and "/login" in response.location
    assert thief.get("/api/v1/me").status_code == 401
    replayed_socket = _socket(app, thief)
    assert not replayed_socket.is_connected()


def test_logout_kills_the_remember_cookie(app, make):
    make.user("amina")
    device = _device(app, make, remember=True)
    remember = device.get_cookie("remember_token").value
    assert _logged_in(_replay(app, "remember_token", remember))
    device.post("/logout")
    thief = _replay(app, "remember_token", remember)
    assert not _logged_in(thief)
    assert thief.get("/api/v1/me").status_code == 401
    assert not _socket(app, thief).is_connected()


def test_logout_leaves_other_devices_and_their_sockets(app, make):
    make.user("amina")
    laptop, phone = _device(app, make), _device(app, make, FIREFOX_ANDROID)
    laptop_socket, phone_socket = _socket(app, laptop), _socket(app, phone)
    laptop.post("/logout")
    assert not laptop_socket.is_connected()
    assert phone_socket.is_connected()
    assert _logged_in(phone)
    phone_socket.disconnect()


def test_sessions_page_lists_devices_and_marks_this_one(app, make):
    make.user("amina", timezone="Asia/Tokyo")
    _device(app, make, FIREFOX_ANDROID)
    laptop = _device(app, make)
    page = laptop.get("/settings/sessions").get_data(as_text=True)
    assert "Chrome on Windows" in page and "Firefox on Android" in page
    assert page.count("This device") == 1
    assert re.search(r"Chrome on Windows\s*<span class=\"badge badge-current\">This device", page)
    # Last seen is shown in the member's time zone (Tokyo: UTC+9).
    record = _sessions()[-1]
    tokyo = (record.last_seen_at + timedelta(hours=9)).strftime("%H:%M")  # 24-hour clock
    assert tokyo in page
    assert 'name="csrf_token"' in page
    assert "Log out everywhere else" in page and "Log out everywhere" in page
    profile = laptop.get("/settings/profile").get_data(as_text=True)
    assert 'href="/settings/sessions"' in profile


def test_ending_one_session_kills_its_cookies_and_socket_not_this_one(app, make):
    make.user("amina")
    phone = _device(app, make, FIREFOX_ANDROID, remember=True)
    laptop = _device(app, make)
    phone_remember = phone.get_cookie("remember_token").value
    phone_socket, laptop_socket = _socket(app, phone), _socket(app, laptop)
    phone_id = _sessions()[0].id
    response = laptop.post(f"/settings/sessions/{phone_id}/end")
    assert response.status_code == 302
    assert not phone_socket.is_connected()
    assert laptop_socket.is_connected()
    assert not _logged_in(phone)
    assert not _logged_in(_replay(app, "remember_token", phone_remember))
    assert _logged_in(laptop)
    assert [s.user_agent for s in _sessions()] == [CHROME_WINDOWS]
    laptop_socket.disconnect()


def test_another_persons_session_cannot_be_ended(app, make):
    make.user("amina")
    bilal = make.user("bilal")
    bilal_device = app.test_client()
    bilal_device.post("/login", data={"email": bilal.email, "password": make.PASSWORD})
    laptop = _device(app, make)
    bilal_session = next(s for s in _sessions() if s.user_id == bilal.id)
    assert laptop.post(f"/settings/sessions/{bilal_session.id}/end").status_code == 404
    assert _logged_in(bilal_device)


def test_log_out_everywhere_else(app, make):
    make.user("amina")
    others = [_device(app, make, FIREFOX_ANDROID, remember=True) for _ in range(2)]
    laptop = _device(app, make)
    response = laptop.post("/settings/sessions/end-others", follow_redirects=True)
    assert "2 other sessions were ended." in response.get_data(as_text=True)
    assert _logged_in(laptop)
    for other in others:
        assert not _logged_in(other)
    assert len(_sessions()) == 1


def test_log_out_everywhere(app, make):
    make.user("amina")
    phone = _device(app, make, FIREFOX_ANDROID, remember=True)
    laptop = _device(app, make, remember=True)
    kept = laptop.get_cookie("remember_token").value
    phone_socket = _socket(app, phone)
    response = laptop.post("/settings/sessions/end-all")
    assert response.status_code == 302 and "/login" in response.location
    assert not phone_socket.is_connected()
    assert not _logged_in(laptop) and not _logged_in(phone)
    assert not _logged_in(_replay(app, "remember_token", kept))
    assert _sessions() == []


def test_ending_this_device_from_the_list_logs_out(app, make):
    make.user("amina")
    laptop = _device(app, make)
    [mine] = _sessions()
    response = laptop.post(f"/settings/sessions/{mine.id}/end")
    assert response.status_code == 302 and "/login" in response.location
    assert not _logged_in(laptop)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_session_forms_need_csrf(app, make):
    make.user("amina")
    phone = _device_with_csrf(app, make)
    laptop = _device_with_csrf(app, make)
    phone_id = _sessions()[0].id
    for path in (f"/settings/sessions/{phone_id}/end", "/settings/sessions/end-others",
                 "/settings/sessions/end-all"):
        assert laptop.post(path).status_code == 400
    assert _logged_in(phone) and _logged_in(laptop)


def _device_with_csrf(app, make):
    from tests.accounts_helpers import csrf_token_from

    device = app.test_client()
    g.pop("csrf_token", None)  # Flask-WTF caches the token in the shared `g`
    token = csrf_token_from(device, "/login")
    response = device.post("/login", data={"email": "amina@example.org",
                                           "password": make.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return device


def test_ban_ends_every_session(app, make):
    make.user("amina")
    admin = make.user("root", role="admin")
    device = _device(app, make, remember=True)
    remember = device.get_cookie("remember_token").value
    amina = next(s for s in _sessions()).user_id
    with app.test_request_context():
        people.ban(admin, amina, "spam")
    assert _sessions() == []
    assert not _logged_in(device)
    assert not _logged_in(_replay(app, "remember_token", remember))


def test_password_reset_ends_every_session_and_starts_one(app, make):
    from forum.services import accounts

    user = make.user("amina")
    phone = _device(app, make, remember=True)
    with app.test_request_context():
        token = accounts.password_reset_token(user)
    browser = app.test_client()
    response = browser.post(f"/password/reset/{token}", data={
        "new_password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 302
    assert not _logged_in(phone) and _logged_in(browser)
    assert len(_sessions()) == 1


def test_last_seen_is_written_at_most_once_a_minute(app, make, queries):
    make.user("amina")
    device = _device(app, make)
    device.get("/settings/profile")
    with queries() as statements:
        assert device.get("/settings/profile").status_code == 200
    assert not any("UPDATE login_sessions" in s for s in statements), statements
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(update(LoginSession).values(last_seen_at=an_hour_ago))
    db.session.commit()
    with queries() as statements:
        assert device.get("/settings/profile").status_code == 200
    assert sum("UPDATE login_sessions" in s for s in statements) == 1
    assert _sessions()[0].last_seen_at > an_hour_ago + timedelta(minutes=59)


def test_a_session_idle_longer_than_a_remember_cookie_lives_is_over(app, make):
    make.user("amina")
    device = _device(app, make)
    long_ago = utcnow() - timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"] + 60)
    db.session.execute(update(LoginSession).values(last_seen_at=long_ago))
    db.session.commit()
    assert not _logged_in(device)


@pytest.mark.parametrize("identity", [
    "1:1", "1:1:1", "1:1:1:", "x:1:1:key", "1:1:999:key", "1:2:1:key", ":::",
])
def test_malformed_or_guessed_identities_are_refused(app, make, identity):
    make.user("amina")
    _device(app, make)
    with app.test_request_context():
        assert login_sessions.user_for_identity(identity) is None


def test_a_wrong_key_is_refused(app, make):
    make.user("amina")
    device = _device(app, make)
    [record] = _sessions()
    with app.test_request_context():
        assert login_sessions.user_for_identity(f"{record.user_id}:1:{record.id}:guess") is None
    assert _logged_in(device)


@pytest.mark.parametrize(("user_agent", "browser", "system"), [
    (CHROME_WINDOWS, "Chrome", "Windows"),
    (FIREFOX_ANDROID, "Firefox", "Android"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Safari/605.1.15", "Safari", "macOS"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1", "Chrome", "iOS"),
    (CHROME_WINDOWS + " Edg/131.0.0.0", "Edge", "Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox",
     "Linux"),
    ("python-requests/2.32", None, None),
    ("", None, None),
])
def test_device_summary(user_agent, browser, system):
    assert describe(user_agent) == (browser, system)


# ------------------------------------------------------------ two processes sharing Redis

@pytest.mark.live
def test_ending_a_session_closes_its_socket_held_by_another_process(app, app_config, make,
                                                                    tmp_path):
    """Two gunicorn processes over PostgreSQL and Redis: the sessions page on one ends a
    session whose socket lives on the other; the current device's socket stays."""
    import os

    from tests.chat_helpers import LiveSocket
    from tests.live import LiveServer
    from tests.support import require

    redis_url = os.environ.get("FORUM_TEST_REDIS_URL")
    require(bool(redis_url), "FORUM_TEST_REDIS_URL is not set: cross-process test not run")
    config = {**app_config, "REDIS_URL": redis_url, "LOG_DIR": str(tmp_path)}
    import redis as redis_lib

    redis = redis_lib.Redis.from_url(redis_url)
    user = make.user("amina")
    servers = [LiveServer(config).start() for _ in range(2)]
    one, two = servers
    laptop = phone = None
    try:
        laptop = LiveSocket(one, "amina@example.org")
        phone = LiveSocket(two, "amina@example.org")
        page = laptop.session.get(one.url + "/settings/sessions").text
        phone_id = max(int(n) for n in re.findall(r"/settings/sessions/(\d+)/end", page))
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        response = laptop.session.post(one.url + f"/settings/sessions/{phone_id}/end",
                                       data={"csrf_token": token}, allow_redirects=False)
        assert response.status_code == 302
        phone.wait_for(lambda: not phone.client.connected, timeout=2)
        assert laptop.client.connected
        # The person's live sockets (presence, registry) no longer count the phone's.
        sids = f"{app_config['REDIS_KEY_PREFIX']}sids:{user.id}"
        phone.wait_for(lambda: len(redis.smembers(sids)) == 1, timeout=2)
        assert phone.session.get(two.url + "/api/v1/me").status_code == 401
        # Logging out on process two closes this session's socket held by process one.
        page = laptop.session.get(two.url + "/settings/sessions").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        laptop.session.post(two.url + "/logout", data={"csrf_token": token})
        laptop.wait_for(lambda: not laptop.client.connected, timeout=2)
    finally:
        for sock in (laptop, phone):
            if sock is not None:
                sock.close()
        for server in servers:
            server.stop()
