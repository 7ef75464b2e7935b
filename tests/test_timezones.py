"""Time zones as people name them, unambiguous dates in six languages, and the browser's zone
followed until the member picks one (forum/lib/timezones.py, forum/lib/dates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import refresh
from flask_login import login_user
from sqlalchemy import text

from forum.extensions import db
from forum.lib.dates import format_ago
from forum.lib.timezones import offered_zones, resolve_zone
from forum.models import User
from forum.services import profiles
from tests.accounts_helpers import isolated_requests

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)

MOMENT = datetime(2026, 12, 3, 8, 6, tzinfo=UTC)
FORM = {"display_name": "Amina Diallo", "organisation": "", "duty_station": "",
        "sponsoring_country": "", "expertise": "", "bio": "", "language": "en"}


@pytest.mark.parametrize(("typed", "zone"), [
    ("Geneva", "Europe/Zurich"), ("geneva", "Europe/Zurich"), ("Genève", "Europe/Zurich"),
    ("New York", "America/New_York"), ("new_york", "America/New_York"),
    ("Nairobi", "Africa/Nairobi"), ("BANGKOK", "Asia/Bangkok"), ("Vienna", "Europe/Vienna"),
    ("Rome", "Europe/Rome"), ("Turin", "Europe/Rome"), ("The Hague", "Europe/Amsterdam"),
    ("Addis Ababa", "Africa/Addis_Ababa"), ("Copenhagen", "Europe/Copenhagen"),
    ("  port-au-prince ", "America/Port-au-Prince"), ("Europe/Zurich", "Europe/Zurich"),
    ("europe/paris", "Europe/Paris"), ("UTC", "UTC"), ("Washington DC", "America/New_York"),
])
def test_common_names_resolve_to_an_iana_zone(typed, zone):
    assert resolve_zone(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "Mars/Olympus_Mons", "Atlantis", "x" * 65, None, 3])
def test_unknown_names_resolve_to_nothing(typed):
    assert resolve_zone(typed) is None


def test_offered_zones_are_places_not_legacy_aliases():
    zones = offered_zones()
    assert zones[0] == "UTC" and "Europe/Zurich" in zones and "Asia/Bangkok" in zones
    assert not {"US/Eastern", "GB", "Etc/GMT+3", "posixrules"} & set(zones)


def _render(app, template: str, language: str, user: User | None = None, **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        if user is not None:
            login_user(user)
        refresh()
        return render_template_string(template, **values)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "3 Dec 2026, 08:06"),
    ("fr", "3 déc. 2026, 08:06"),
    ("ar", "3 ديسمبر 2026، 08:06"),
    ("es", "3 dic 2026, 8:06"),
    ("zh", "2026年12月3日 08:06"),
])
def test_datetime_filter_is_unambiguous_in_each_language(app, language, expected):
    for style in ("short", "medium"):
        assert _render(app, f"{{{{ m|datetime('{style}') }}}}", language, m=MOMENT) == expected


def test_date_filter_and_services_messages_use_the_same_form(app):
    assert _render(app, "{{ m|date }}|{{ d|date('short') }}", "en", m=MOMENT,
                   d=date(2026, 3, 9)) == "3 Dec 2026|9 Mar 2026"
    # A pattern or a long style is Babel's own.
    assert _render(app, "{{ m|datetime('yyyy') }}", "fr", m=MOMENT) == "2026"


def test_times_are_in_the_members_zone(app, make):
    user = make.user("kenji", language="en", timezone="Asia/Tokyo")
    assert _render(app, "{{ m|datetime }}", "en", user, m=MOMENT) == "3 Dec 2026, 17:06"
    # Viewer-neutral fragments are not rebased: UTC.
    assert _render(app, "{{ m|datetime('short', rebase=False) }}", "en", user,
                   m=MOMENT) == "3 Dec 2026, 08:06"


@pytest.mark.parametrize(("language", "ago", "expected"), [
    ("en", timedelta(minutes=5), "5 min ago"),
    ("fr", timedelta(minutes=5), "il y a 5\u00a0min"),
    ("ar", timedelta(hours=3), "قبل 3 ساعات"),
    ("en", timedelta(seconds=10), "1 min ago"),
    ("en", timedelta(days=30), "3 Nov 2026"),  # older than a week: the date says more
])
def test_ago_is_relative_for_recent_activity_only(app, language, ago, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        assert format_ago(MOMENT - ago, now=MOMENT) == expected


def test_profile_accepts_a_city_and_records_the_choice(client, auth, make):
    user = make.user("amina")
    assert not user.timezone_chosen
    auth.login("amina@example.org")
    page = client.get("/settings/profile").get_data(as_text=True)
    assert 'list="timezone-names"' in page and '<option value="Europe/Zurich">' in page
    assert 'name="timezone" spellcheck="false" type="text" value=""' in page  # not chosen: empty
    response = client.post("/settings/profile", data={**FORM, "timezone": "Geneva"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.timezone, user.timezone_chosen) == ("Europe/Zurich", True)
    assert 'value="Europe/Zurich"' in client.get("/settings/profile").get_data(as_text=True)
    # Emptied: the browser's zone is followed again (the last zone stays until it reports).
    client.post("/settings/profile", data={**FORM, "timezone": ""})
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone_chosen is False


def test_unknown_zone_name_is_a_clear_form_error(client, auth, make):
    user = make.user("amina", timezone="Africa/Dakar")
    auth.login("amina@example.org")
    response = client.post("/settings/profile", data={**FORM, "timezone": "Gotham City"})
    assert response.status_code == 422
    assert "No time zone is known as “Gotham City”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "Africa/Dakar"


def test_browser_zone_is_followed_until_the_member_chooses(client, auth, make):
    user = make.user("amina")
    auth.login("amina@example.org")
    page = client.get("/settings/sessions").get_data(as_text=True)
    assert 'data-timezone="UTC" data-timezone-auto' in page
    response = client.post("/settings/timezone/browser", json={"timezone": "Asia/Bangkok"})
    assert response.json == {"timezone": "Asia/Bangkok", "changed": True}
    assert 'data-timezone="Asia/Bangkok" data-timezone-auto' in client.get(
        "/settings/sessions").get_data(as_text=True)
    profiles.update_profile(db.session.get(User, user.id), timezone="Nairobi")
    response = client.post("/settings/timezone/browser", json={"timezone": "Asia/Tokyo"})
    assert response.json == {"timezone": "Africa/Nairobi", "changed": False}
    page = client.get("/settings/sessions").get_data(as_text=True)
    assert 'data-timezone="Africa/Nairobi">' in page  # chosen: no data-timezone-auto


@pytest.mark.parametrize("body", [{"timezone": "Geneva"}, {"timezone": ["x"]}, {}, [1], "x"])
def test_browser_zone_must_be_an_exact_zone_name(client, auth, make, body):
    user = make.user("amina")
    auth.login("amina@example.org")
    response = client.post("/settings/timezone/browser", json=body)
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid"
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "UTC"


def test_browser_zone_needs_login_and_guests_follow_their_browser(client, make):
    response = client.post("/settings/timezone/browser", json={"timezone": "Asia/Bangkok"})
    assert response.status_code in (302, 401)
    page = client.get("/login").get_data(as_text=True)
    assert "data-timezone" not in page.split(">", 2)[1]  # <html> names no zone: the browser's


def test_migration_keeps_zones_members_set_and_lets_the_rest_follow(empty_database_url):
    from flask_migrate import upgrade

    from forum import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0014_channel_sequence")
        with db.engine.begin() as conn:
            for n, zone in ((1, "UTC"), (2, "Africa/Nairobi")):
                conn.execute(text(
                    "INSERT INTO users (id, email, username, display_name, password_hash, role, "
                    "session_version, organisation, duty_station, sponsoring_country, bio, "
                    "open_to_mentoring, timezone, created_at) VALUES (:n, :e, :u, 'X', 'x', "
                    "'member', 1, '', '', '', '', false, :z, '2026-01-01')"),
                    {"n": n, "e": f"u{n}@example.org", "u": f"u{n}", "z": zone})
        upgrade(revision="0016_timezone_choice")
        with db.engine.connect() as conn:
            chosen = dict(conn.execute(text("SELECT id, timezone_chosen FROM users")).all())
        assert chosen == {1: False, 2: True}
        db.engine.dispose()
