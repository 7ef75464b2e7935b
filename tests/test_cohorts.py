"""Cohorts: admin creation and lifecycle, membership management, cohort pages and privacy."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Cohort, CohortMembership, User


@pytest.fixture
def admin(make, auth):
    """A logged-in administrator."""
    user = make.user("ada", role="admin", display_name="Ada Admin")
    auth.login("ada@example.org")
    return user


def _membership(user_id: int, cohort_id: int) -> CohortMembership | None:
    db.session.expire_all()
    return db.session.scalar(select(CohortMembership).where(
        CohortMembership.user_id == user_id, CohortMembership.cohort_id == cohort_id))


def test_admin_creates_cohort_with_unique_slug(client, admin, make):
    make.cohort("jpo-orientation-2026-geneva", name="Old one")
    data = {"name": "JPO Orientation 2026 — Geneva", "programme": "UN JPO Programme",
            "starts_on": "2026-03-09", "ends_on": "2026-03-13", "description": "Week one."}
    response = client.post("/admin/cohorts/new", data=data)
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == data["name"]))
    assert cohort.slug == "jpo-orientation-2026-geneva-2"
    assert (cohort.programme, cohort.starts_on, cohort.ends_on) == (
        "UN JPO Programme", date(2026, 3, 9), date(2026, 3, 13))
    assert response.location.endswith(f"/admin/cohorts/{cohort.id}")
    listing = client.get("/admin/cohorts/").get_data(as_text=True)
    assert "JPO Orientation 2026 — Geneva" in listing and "Old one" in listing


def test_new_cohort_comes_with_a_general_channel_its_members_see(client, admin, auth, make):
    from forum.models import Channel

    client.post("/admin/cohorts/new", data={"name": "Career Booster 2026"})
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Career Booster 2026"))
    channels = db.session.scalars(select(Channel).where(Channel.cohort_id == cohort.id)).all()
    assert [c.name for c in channels] == ["general"]
    make.user("jo", cohorts=[cohort])
    outsider = make.user("max")
    auth.logout()
    auth.login("jo@example.org")
    assert client.get(f"/chat/{channels[0].id}").status_code == 200
    auth.logout()
    auth.login(outsider.email)
    assert client.get(f"/chat/{channels[0].id}").status_code == 404


def test_end_date_before_start_is_refused_and_input_kept(client, admin):
    response = client.post("/admin/cohorts/new", data={
        "name": "Booster", "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end date cannot be before the start date." in page
    assert 'value="Booster"' in page
    assert db.session.scalar(select(Cohort.id)) is None


def test_edit_keeps_slug_and_archive_reactivate(client, admin, make):
    cohort = make.cohort("booster-2025", name="Booster 2025")
    response = client.post(f"/admin/cohorts/{cohort.id}/edit", data={
        "name": "Career Booster 2025", "programme": "JPO", "description": "Renamed"})
    assert response.status_code == 302
    # The first post only asks (what changes); the confirmed one archives.
    asked = client.post(f"/admin/cohorts/{cohort.id}/archive", data={"mode": "writable"})
    assert asked.status_code == 200 and "Nothing else changes" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status == "active"
    client.post(f"/admin/cohorts/{cohort.id}/archive", data={"mode": "writable",
                                                             "confirmed": "1"})
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert (cohort.name, cohort.slug, cohort.status) == ("Career Booster 2025", "booster-2025",
                                                         "alumni")
    client.post(f"/admin/cohorts/{cohort.id}/reactivate")
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status == "alumni"  # asked, not done
    client.post(f"/admin/cohorts/{cohort.id}/reactivate", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status == "active"


def test_admin_pages_are_admin_only(client, auth, make):
    cohort = make.cohort()
    assert client.get("/admin/cohorts/").status_code == 302  # anonymous → login
    assert "/login" in client.get(f"/admin/cohorts/{cohort.id}").location
    make.user("mod", role="moderator")
    auth.login("mod@example.org")
    for url in ("/admin/cohorts/", "/admin/cohorts/new", f"/admin/cohorts/{cohort.id}"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/cohorts/new", data={"name": "Sneaky"}).status_code == 403
    assert client.post(f"/admin/cohorts/{cohort.id}/archive").status_code == 403
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status == "active"
    assert db.session.scalar(select(Cohort.id).where(Cohort.name == "Sneaky")) is None


def test_membership_add_change_remove(client, admin, make, monkeypatch):
    changed: list[int] = []
    monkeypatch.setattr("forum.services.cohorts.memberships_changed", changed.append)
    cohort = make.cohort(name="Geneva 2026")
    kenji = make.user("kenji", display_name="Kenji W")
    nadia = make.user("nadia", display_name="Nadia O")

    assert client.post(f"/admin/cohorts/{cohort.id}/members",
                       data={"identifier": "KENJI", "role": "member"}).status_code == 302
    assert client.post(f"/admin/cohorts/{cohort.id}/members",
                       data={"identifier": "nadia@example.org", "role": "mentor"}
                       ).status_code == 302
    assert _membership(kenji.id, cohort.id).role == "member"
    assert _membership(nadia.id, cohort.id).role == "mentor"
    assert db.session.get(User, nadia.id).role == "mentor"  # mentor badge follows

    again = client.post(f"/admin/cohorts/{cohort.id}/members",
                        data={"identifier": "kenji", "role": "member"})
    assert again.status_code == 422 and "Already in this cohort." in again.get_data(as_text=True)
    missing = client.post(f"/admin/cohorts/{cohort.id}/members",
                          data={"identifier": "nobody", "role": "member"})
    assert missing.status_code == 422
    assert "No user with this username or email." in missing.get_data(as_text=True)

    membership = _membership(kenji.id, cohort.id)
    client.post(f"/admin/cohorts/{cohort.id}/members/{membership.id}/role",
                data={"role": "moderator"})
    assert _membership(kenji.id, cohort.id).role == "moderator"
    page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Kenji W" in page and "Nadia O" in page

    client.post(f"/admin/cohorts/{cohort.id}/members/{membership.id}/remove")
    assert _membership(kenji.id, cohort.id) is None
    assert changed == [kenji.id, nadia.id, kenji.id, kenji.id]


def test_cohort_page_lists_people_for_members(client, auth, make):
    cohort = make.cohort(name="JPO Geneva 2026", programme="UN JPO Programme",
                         description="Orientation week")
    make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    make.user("henrik", display_name="Henrik Larsen", role="mentor", cohorts=[cohort],
              cohort_role="mentor")
    auth.login("amina@example.org")
    response = client.get(f"/cohorts/{cohort.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("JPO Geneva 2026", "UN JPO Programme", "Orientation week", "Amina Diallo",
                 "Henrik Larsen"):
        assert text in page
    mentors_section = page.split('id="mentors-heading"')[1].split("</section>")[0]
    assert "Henrik Larsen" in mentors_section and "Amina Diallo" not in mentors_section
    mine = client.get("/cohorts").get_data(as_text=True)
    assert "JPO Geneva 2026" in mine


def test_cohort_page_shows_who_is_online(app, client, auth, make, socket_client):
    cohort = make.cohort(name="JPO Geneva 2026")
    make.user("amina", display_name="Amina Diallo", cohorts=[cohort])
    make.user("kenji", display_name="Kenji Watanabe", cohorts=[cohort])
    auth.login("amina@example.org")

    def online_people() -> list[str]:
        page = client.get(f"/cohorts/{cohort.slug}").get_data(as_text=True)
        rows = page.split("<li>")[1:]
        return [row.split("</a>")[0].split(">")[-1] for row in rows if "presence-online" in row]

    assert online_people() == []
    from tests.chat_helpers import connect

    live = connect(app, socket_client, "kenji@example.org")
    assert online_people() == ["Kenji Watanabe"]
    live.sc.disconnect()
    assert online_people() == []


def test_other_cohorts_are_invisible(client, auth, make):
    cohort_a = make.cohort("cohort-a", name="Cohort Alpha")
    cohort_b = make.cohort("cohort-b", name="Cohort Beta")
    make.user("secret", display_name="Secret Person", cohorts=[cohort_a])
    make.user("bob", cohorts=[cohort_b])
    auth.login("bob@example.org")
    response = client.get("/cohorts/cohort-a")
    assert response.status_code == 404
    assert "Secret Person" not in response.get_data(as_text=True)
    assert client.get("/cohorts/no-such-cohort").status_code == 404
    mine = client.get("/cohorts").get_data(as_text=True)
    assert "Cohort Beta" in mine and "Cohort Alpha" not in mine and "Secret Person" not in mine
    assert client.get(f"/admin/cohorts/{cohort_a.id}").status_code == 403
    auth.logout()
    assert "/login" in client.get("/cohorts/cohort-a").location


def test_global_moderator_and_admin_see_any_cohort(client, auth, make):
    cohort = make.cohort("cohort-a", name="Cohort Alpha")
    make.user("mod", role="moderator")
    auth.login("mod@example.org")
    assert client.get("/cohorts/cohort-a").status_code == 200
    auth.logout()
    make.user("ada", role="admin")
    auth.login("ada@example.org")
    page = client.get(f"/cohorts/{cohort.slug}").get_data(as_text=True)
    assert "Cohort Alpha" in page and f"/admin/cohorts/{cohort.id}" in page
