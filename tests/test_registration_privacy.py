"""Registering never tells a stranger whether an address has an account: the form answers
"check your email" either way, and the address's owner is mailed instead."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from forum.extensions import db
from forum.lib.mail import outbox
from forum.models import (
    CohortMembership,
    Invitation,
    LoginSession,
    PendingRegistration,
    User,
    utcnow,
)
from forum.services import invitations
from tests.accounts_helpers import isolated_requests

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)

PASSWORD = "a long enough password"


def _invitation(cohort, **fields) -> Invitation:
    fields.setdefault("max_uses", 10)
    invitation = Invitation(code=invitations.new_code(), cohort_id=cohort.id, **fields)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def _form(email: str, username: str = "newbie") -> dict:
    return {"email": email, "username": username, "display_name": "New Person",
            "password": PASSWORD}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _uses(invitation: Invitation) -> int:
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id).uses


def _confirm_link(mail) -> str:
    return re.search(r"http://localhost(/register/confirm\?token=\S+)",
                     mail.get_content()).group(1)


def test_taken_and_free_addresses_get_the_same_answer(app, make):
    owner = make.user("amina", language="fr")
    cohort = make.cohort(name="Geneva 2026")
    invitation = _invitation(cohort)
    answers = []
    for email, username in (("amina@example.org", "someone"), ("fresh@example.org", "newbie")):
        page = app.test_client().post(f"/join/{invitation.code}", data=_form(email, username))
        answers.append((page.status_code, page.location))
    assert answers[0] == answers[1] == (302, "/register/sent")
    page = app.test_client().get("/register/sent").get_data(as_text=True)
    assert "Check your email" in page
    assert "already" not in page
    # Nothing was made or spent for either yet; the owner's account is untouched.
    assert _count(User) == 1 and _uses(invitation) == 0
    assert db.session.get(User, owner.id).username == "amina"
    to_owner, to_new = outbox()
    assert to_owner["To"] == "amina@example.org"
    # The owner's mail is in the owner's language, with a login and a reset link.
    assert to_owner["Subject"] == "Quelqu\u2019un a essayé de s\u2019inscrire avec votre adresse"
    body = to_owner.get_content()
    assert "http://localhost/login" in body and "http://localhost/password/forgot" in body
    assert "/register/confirm" not in body
    assert to_new["To"] == "fresh@example.org" and "/register/confirm?token=" in \
        to_new.get_content()


def test_both_answers_cost_one_password_hash(app, make, monkeypatch):
    make.user("amina")
    invitation = _invitation(make.cohort())
    hashes = []
    original = PasswordHasher.hash

    def spy(self, password, *args, **kwargs):
        hashes.append(password)
        return original(self, password, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", spy)
    counts = []
    for email, username in (("amina@example.org", "someone"), ("fresh@example.org", "newbie")):
        before = len(hashes)
        app.test_client().post(f"/join/{invitation.code}", data=_form(email, username))
        counts.append(len(hashes) - before)
    assert counts == [1, 1]


def test_the_mailed_link_makes_the_account_once(app, make):
    cohort = make.cohort(name="Geneva 2026")
    invitation = _invitation(cohort)
    browser = app.test_client()
    browser.post(f"/join/{invitation.code}", data=_form("fresh@example.org"))
    link = _confirm_link(outbox()[0])
    # Opening the link (as a mail scanner would) makes nothing: a button does.
    page = browser.get(link).get_data(as_text=True)
    assert "@newbie" in page and "Geneva 2026" in page
    assert _count(User) == 0
    response = browser.post(link)
    assert response.status_code == 302 and response.location == f"/cohorts/{cohort.slug}"
    user = db.session.scalar(select(User).where(User.username == "newbie"))
    assert user.email == "fresh@example.org"
    assert db.session.scalar(select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == user.id)) == cohort.id
    assert _uses(invitation) == 1 and _count(PendingRegistration) == 0
    assert browser.get("/settings/profile").status_code == 200  # logged in
    # The link works once.
    again = app.test_client()
    assert again.get(link).status_code == 400
    assert again.post(link).status_code == 400
    assert _count(User) == 1
    # The account logs in with the password typed in the form.
    login = app.test_client().post("/login", data={"email": "fresh@example.org",
                                                   "password": PASSWORD})
    assert login.status_code == 302


def test_an_expired_or_forged_link_is_refused(app, make):
    invitation = _invitation(make.cohort())
    client = app.test_client()
    client.post(f"/join/{invitation.code}", data=_form("fresh@example.org"))
    link = _confirm_link(outbox()[0])
    db.session.execute(update(PendingRegistration).values(
        created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    for path in (link, "/register/confirm?token=forged", "/register/confirm"):
        response = client.post(path)
        assert response.status_code == 400
        assert "expired or was already used" in response.get_data(as_text=True)
    assert _count(User) == 0


def test_a_username_taken_meanwhile_is_explained(app, make):
    invitation = _invitation(make.cohort())
    client = app.test_client()
    client.post(f"/join/{invitation.code}", data=_form("fresh@example.org", "newbie"))
    make.user("newbie")
    response = client.post(_confirm_link(outbox()[0]))
    assert response.status_code == 400
    assert "This username is taken." in response.get_data(as_text=True)
    assert _count(User) == 1 and _uses(invitation) == 0


def test_a_taken_username_is_still_said(app, make):
    make.user("taken")
    invitation = _invitation(make.cohort())
    response = app.test_client().post(f"/join/{invitation.code}",
                                      data=_form("fresh@example.org", "taken"))
    assert response.status_code == 422
    assert "This username is taken." in response.get_data(as_text=True)
    assert outbox() == []


def test_personal_invitation_for_an_address_with_an_account(app, make):
    """The owner is told to log in and open the invitation again; it still works then."""
    make.user("amina", language="es")
    cohort = make.cohort(name="Geneva 2026")
    invitation = _invitation(cohort, email="amina@example.org", max_uses=1)
    browser = app.test_client()
    response = browser.post(f"/join/{invitation.code}", data=_form("ignored@example.org"))
    assert response.status_code == 302 and response.location == "/register/sent"
    assert _count(User) == 1 and _uses(invitation) == 0
    [mail] = outbox()
    assert mail["To"] == "amina@example.org"
    assert f"http://localhost/join/{invitation.code}" in mail.get_content()
    assert "Geneva 2026" in mail.get_content()
    # Logged in, the owner joins through the same invitation.
    browser.post("/login", data={"email": "amina@example.org",
                                 "password": make.PASSWORD})
    browser.post(f"/join/{invitation.code}")
    assert _uses(invitation) == 1
    assert _count(CohortMembership) == 1


def test_personal_invitation_for_a_new_address_makes_the_account_at_once(app, make):
    cohort = make.cohort()
    invitation = _invitation(cohort, email="nadia@example.org", max_uses=1)
    response = app.test_client().post(f"/join/{invitation.code}",
                                      data=_form("nadia@example.org", "nadia"))
    assert response.status_code == 302 and response.location == f"/cohorts/{cohort.slug}"
    assert db.session.scalar(select(User.email).where(User.username == "nadia")) \
        == "nadia@example.org"
    assert outbox() == []


def test_confirming_while_logged_in_as_someone_else_ends_that_session(app, make):
    make.user("amina")
    invitation = _invitation(make.cohort())
    browser = app.test_client()
    browser.post("/login", data={"email": "amina@example.org", "password": make.PASSWORD})
    app.test_client().post(f"/join/{invitation.code}", data=_form("fresh@example.org"))
    assert browser.post(_confirm_link(outbox()[0])).status_code == 302
    db.session.expire_all()
    owners = db.session.scalars(select(User.username).join(
        LoginSession, LoginSession.user_id == User.id)).all()
    assert owners == ["newbie"]
