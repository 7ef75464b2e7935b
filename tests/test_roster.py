"""Roster CSV import: good rows become personal invitations and emails, bad rows are reported."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.lib.mail import outbox
from forum.models import Invitation


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """Config has no MAIL_FROM default outside from_environment (reported); give tests one."""
    return {**app_config, "MAIL_FROM": "Commons <no-reply@example.org>"}


@pytest.fixture
def admin(make, auth):
    """A logged-in administrator."""
    user = make.user("ada", role="admin")
    auth.login("ada@example.org")
    return user


def _upload(client, cohort_id: int, content: bytes | str, filename: str = "roster.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(f"/admin/cohorts/{cohort_id}/roster",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _invitations() -> list[Invitation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def test_good_rows_go_in_and_bad_rows_are_reported(client, admin, make, app):
    cohort = make.cohort(name="JPO Geneva 2026")
    make.user("kenji", email="kenji@example.org", cohorts=[cohort])
    roster = (
        "name,email,role\n"
        "Amina Diallo,Amina@Example.org,member\n"      # line 2: good (email normalised)
        ",nobody@example.org,member\n"                 # line 3: missing name
        "Bad Email,not-an-email,member\n"              # line 4
        "Odd Role,odd@example.org,admin\n"             # line 5
        "Amina Again,amina@example.org,\n"             # line 6: duplicate of line 2
        "Kenji W,kenji@example.org,member\n"           # line 7: already a member
        "Nadia Okafor,nadia@example.org,Mentor\n"      # line 8: good
        "Sofia H,sofia@example.org\n"                  # line 9: good, role defaults to member
    )
    response = _upload(client, cohort.id, roster)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 invitations sent. 5 rows refused." in page
    for line, reason in [(3, "The name is missing."), (4, "is not a valid email address"),
                         (5, "Unknown role"), (6, "already appears on line 2"),
                         (7, "already a member of this cohort")]:
        cells = f'<td data-label="Line">{line}</td><td data-label="Reason">'
        assert cells in page and reason in page

    invites = _invitations()
    assert [(i.email, i.name, i.role, i.max_uses) for i in invites] == [
        ("amina@example.org", "Amina Diallo", "member", 1),
        ("nadia@example.org", "Nadia Okafor", "mentor", 1),
        ("sofia@example.org", "Sofia H", "member", 1)]
    assert all(i.expires_at is not None and i.cohort_id == cohort.id for i in invites)
    with app.app_context():
        sent = outbox()
    assert [m["To"] for m in sent] == [i.email for i in invites]
    for message, invitation in zip(sent, invites, strict=True):
        link = f"http://localhost/join/{invitation.code}"
        assert link in message.get_content()
        assert link in page


def test_roster_links_register_the_invited_person(client, admin, make):
    cohort = make.cohort(name="JPO Geneva 2026")
    _upload(client, cohort.id, "name,email,role\nAmina Diallo,amina@example.org,member\n")
    code = _invitations()[0].code
    client.post("/logout")
    form = client.get(f"/join/{code}").get_data(as_text=True)
    assert 'value="amina@example.org"' in form and 'value="Amina Diallo"' in form
    response = client.post(f"/join/{code}", data={
        "username": "amina", "display_name": "Amina Diallo", "password": "a long password"})
    assert response.location == f"/cohorts/{cohort.slug}"
    assert client.get(f"/join/{code}").status_code == 410  # single use


def test_bom_semicolons_and_windows_encoding(client, admin, make):
    cohort = make.cohort()
    _upload(client, cohort.id, "\ufeffName;Email;Role\r\nJosé Núñez;jose@example.org;mentor\r\n"
            .encode())
    _upload(client, cohort.id, "name,email\nFrançois Côté,francois@example.org\n"
            .encode("cp1252"))
    assert [(i.name, i.role) for i in _invitations()] == [
        ("José Núñez", "mentor"), ("François Côté", "member")]


@pytest.mark.parametrize("content, message", [
    (b"email,role\na@example.org,member\n", "The first line must be the header"),
    (b"", "The first line must be the header"),
    (b"name,email,role\n" + b"x" * (1024 * 1024), "larger than 1 MB"),
    (("name,email\n" + "".join(f"P{n},p{n}@example.org\n" for n in range(5001))).encode(),
     "more than 5000 rows"),
])
def test_unusable_files_are_refused_whole(client, admin, make, content, message):
    cohort = make.cohort()
    response = _upload(client, cohort.id, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_roster_import_is_admin_only(client, auth, make):
    cohort = make.cohort()
    make.user("mod", role="moderator")
    auth.login("mod@example.org")
    response = _upload(client, cohort.id, "name,email\nA,a@example.org\n")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
