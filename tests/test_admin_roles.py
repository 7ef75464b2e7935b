"""Admin dashboard, the people list and site-wide role changes."""

from __future__ import annotations

import pytest

from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import User
from forum.services import roles
from tests.accounts_helpers import isolated_requests, login_as

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)


def _role(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).role


@pytest.fixture
def admin(client, make) -> User:
    """A logged-in admin."""
    user = make.user("root", role="admin", display_name="Root Admin")
    login_as(client, user)
    return user


def test_admin_pages_need_login(client):
    for path in ("/admin", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
    response = client.post("/admin/users/1/role", data={"role": "admin"})
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("role", ["member", "mentor", "moderator"])
def test_admin_pages_are_forbidden_to_others(client, make, role):
    user = make.user("someone", role=role)
    target = make.user("target")
    login_as(client, user)
    for path in ("/admin", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Not allowed" in response.get_data(as_text=True)
    assert client.post(f"/admin/users/{target.id}/role",
                       data={"role": "admin"}).status_code == 403
    assert _role(target.id) == "member" and _role(user.id) == role


def test_dashboard_counts_and_links(client, make, admin):
    make.user("amina")
    make.cohort()
    page = client.get("/admin").get_data(as_text=True)
    assert '<strong class="admin-count">2</strong>' in page
    assert '<strong class="admin-count">1</strong>' in page
    assert 'href="/admin/users"' in page
    assert ('href="/admin/cohorts' in page) == ("admin_cohorts.index" in {
        rule.endpoint for rule in client.application.url_map.iter_rules()})
    assert 'href="/admin/">Admin</a>' in page  # the site navigation links admins here


def test_users_list_shows_columns_and_searches(client, make, admin):
    make.user("amina", display_name="Amina Diallo", role="mentor")
    make.user("kofi", display_name="Kofi Mensah", email="kofi@undp.example")
    page = client.get("/admin/users").get_data(as_text=True)
    for text in ("@amina", "Amina Diallo", "amina@example.org", "@kofi", "@root"):
        assert text in page
    assert '<option value="mentor" selected>' in page
    page = client.get("/admin/users?q=UNDP").get_data(as_text=True)
    assert "@kofi" in page and "@amina" not in page
    page = client.get("/admin/users?q=diallo").get_data(as_text=True)
    assert "@amina" in page and "@kofi" not in page
    page = client.get("/admin/users?q=%25").get_data(as_text=True)  # a literal %, not "all"
    assert "Nobody matches that search." in page


def test_users_list_is_paginated(app, client, make, admin):
    app.config["PER_PAGE"] = 2
    for n in range(4):
        make.user(f"person{n}")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'rel="next" href="/admin/users?page=2"' in first
    last = client.get("/admin/users?page=3").get_data(as_text=True)
    assert "@root" in last and "@person3" not in last and 'rel="prev"' in last
    assert client.get("/admin/users?page=99").status_code == 200


def test_admin_changes_a_role(client, make, admin):
    amina = make.user("amina", display_name="Amina")
    response = client.post(f"/admin/users/{amina.id}/role",
                           data={"role": "moderator", "next": "/admin/users?q=ami"})
    assert response.status_code == 303 and response.location == "/admin/users?q=ami"
    assert _role(amina.id) == "moderator"
    page = client.get(response.location).get_data(as_text=True)
    assert "Amina is now: Moderator." in page


def test_role_change_rejects_unknown_roles_and_users(client, make, admin):
    amina = make.user("amina")
    response = client.post(f"/admin/users/{amina.id}/role", data={"role": "emperor"},
                           follow_redirects=True)
    assert "Choose member, mentor, moderator or admin." in response.get_data(as_text=True)
    assert _role(amina.id) == "member"
    assert client.post("/admin/users/9999/role", data={"role": "mentor"}).status_code == 404


def test_last_admin_cannot_be_demoted(client, make, admin):
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "member"},
                           follow_redirects=True)
    assert "Root Admin is the last admin. Make someone else an admin first." in \
        response.get_data(as_text=True)
    assert _role(admin.id) == "admin"
    other = make.user("second", role="admin")
    client.post(f"/admin/users/{admin.id}/role", data={"role": "member"})
    assert _role(admin.id) == "member" and _role(other.id) == "admin"


def test_set_role_service_rules(ctx, make):
    admin = make.user("root", role="admin")
    member = make.user("amina")
    with pytest.raises(Forbidden):
        roles.set_role(member, admin.id, "member")
    with pytest.raises(NotFound):
        roles.set_role(admin, 12345, "member")
    with pytest.raises(Invalid) as error:
        roles.set_role(admin, admin.id, "mentor")
    assert error.value.code == "last_admin"
    assert roles.set_role(admin, member.id, "admin").role == "admin"
    assert roles.set_role(admin, admin.id, "mentor").role == "mentor"  # no longer the last


def test_promoted_moderator_reads_every_cohort_at_once(client, make, admin):
    private = make.cohort(name="Private Cohort")
    amina = make.user("amina", cohorts=[private])
    kofi = make.user("kofi")
    client.post(f"/admin/users/{kofi.id}/role", data={"role": "moderator"})
    login_as(client, kofi)
    assert "Private Cohort" in client.get(f"/u/{amina.username}").get_data(as_text=True)
