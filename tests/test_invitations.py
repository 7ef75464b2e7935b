"""Invitations: creating and revoking codes, registering through one, redeeming when logged in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Invalid
from forum.extensions import db
from forum.lib.mail import outbox
from forum.models import CohortMembership, Invitation, User, utcnow
from forum.services import invitations


def _invitation(cohort, **fields) -> Invitation:
    invitation = Invitation(code=fields.pop("code", invitations.new_code()), cohort_id=cohort.id,
                            **fields)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def _uses(invitation_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Invitation, invitation_id).uses


def _form(**overrides) -> dict:
    return {"email": "new@example.org", "username": "newbie", "display_name": "New Person",
            "password": "a long enough password", **overrides}


def test_admin_creates_and_revokes_invitation(client, auth, make):
    make.user("ada", role="admin")
    cohort = make.cohort(name="Geneva 2026")
    auth.login("ada@example.org")
    response = client.post(f"/admin/cohorts/{cohort.id}/invitations", data={
        "role": "mentor", "max_uses": "5", "expires_in_days": "7"}, follow_redirects=True)
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.role, invitation.max_uses, invitation.uses) == ("mentor", 5, 0)
    assert timedelta(days=6) < invitation.expires_at - utcnow() <= timedelta(days=7)
    assert len(invitation.code) >= 20
    assert f"/join/{invitation.code}" in response.get_data(as_text=True)

    bad = client.post(f"/admin/cohorts/{cohort.id}/invitations",
                      data={"role": "admin", "max_uses": "0"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1

    client.post(f"/admin/cohorts/{cohort.id}/invitations/{invitation.id}/revoke")
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Revoked" in page and "0 / 5" in page


def test_non_admin_cannot_create_invitations(client, auth, make):
    cohort = make.cohort()
    make.user("kenji", cohorts=[cohort], cohort_role="moderator")
    auth.login("kenji@example.org")
    response = client.post(f"/admin/cohorts/{cohort.id}/invitations", data={"max_uses": "9"})
    assert response.status_code == 403
    assert db.session.scalar(select(Invitation.id)) is None


def test_register_through_invitation_joins_cohort_and_logs_in(client, make):
    cohort = make.cohort(name="JPO Geneva 2026")
    invitation = _invitation(cohort, max_uses=3)
    assert "JPO Geneva 2026" in client.get(f"/join/{invitation.code}").get_data(as_text=True)
    response = client.post(f"/join/{invitation.code}", data=_form())
    # An open invitation: the address is confirmed by the mailed link before the account exists.
    assert response.status_code == 302 and response.location == "/register/sent"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    [mail] = outbox()
    assert mail["To"] == "new@example.org"
    link = re.search(r"http://localhost(/register/confirm\?token=\S+)", mail.get_content())
    assert "Create account and join" in client.get(link.group(1)).get_data(as_text=True)
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert response.location == f"/cohorts/{cohort.slug}"
    user = db.session.scalar(select(User).where(User.username == "newbie"))
    assert (user.email, user.role) == ("new@example.org", "member")
    membership = db.session.scalar(select(CohortMembership).where(
        CohortMembership.user_id == user.id))
    assert (membership.cohort_id, membership.role) == (cohort.id, "member")
    assert _uses(invitation.id) == 1
    page = client.get(response.location).get_data(as_text=True)  # logged in, can see it
    assert "JPO Geneva 2026" in page and "New Person" in page


def test_register_with_code_parameter_and_mentor_invitation(client, make):
    cohort = make.cohort()
    invitation = _invitation(cohort, role="mentor", email="nadia@example.org", name="Nadia O")
    page = client.get(f"/register?code={invitation.code}").get_data(as_text=True)
    assert 'value="nadia@example.org"' in page and "readonly" in page
    assert 'value="Nadia O"' in page
    # The address is locked to the invitation's, whatever the form says.
    response = client.post(f"/register?code={invitation.code}",
                           data=_form(email="someone-else@example.org", username="nadia"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "nadia"))
    assert (user.email, user.role) == ("nadia@example.org", "mentor")
    assert db.session.scalar(select(CohortMembership.role).where(
        CohortMembership.user_id == user.id)) == "mentor"


def test_register_without_code_asks_for_one(client):
    page = client.get("/register").get_data(as_text=True)
    assert "Invitation code" in page
    assert 'action="/register"' in page


def test_invalid_registration_writes_nothing_and_keeps_input(client, make):
    make.user("taken")
    cohort = make.cohort()
    invitation = _invitation(cohort)
    response = client.post(f"/join/{invitation.code}",
                           data=_form(username="taken", password="short"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This username is taken." in page
    assert 'value="new@example.org"' in page
    assert _uses(invitation.id) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("state", ["unknown", "expired", "used", "revoked"])
def test_unusable_codes_are_explained_and_write_nothing(client, make, state):
    cohort = make.cohort(name="Hidden Cohort")
    fields = {"expired": {"expires_at": utcnow() - timedelta(minutes=1)},
              "used": {"max_uses": 1, "uses": 1},
              "revoked": {"revoked_at": utcnow()}}.get(state, {})
    invitation = _invitation(cohort, **fields)
    code = "nope" if state == "unknown" else invitation.code
    messages = {"unknown": "We do not know this invitation code", "expired": "has expired",
                "used": "already been used", "revoked": "has been withdrawn"}
    for response in (client.get(f"/join/{code}"), client.post(f"/join/{code}", data=_form())):
        page = response.get_data(as_text=True)
        assert response.status_code == 410
        assert messages[state] in page
        assert "Hidden Cohort" not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert _uses(invitation.id) == fields.get("uses", 0)


def test_last_use_cannot_be_claimed_twice(ctx, make):
    """The conditional UPDATE refuses a use that another request took meanwhile."""
    cohort = make.cohort()
    invitation = _invitation(cohort, max_uses=1)
    # Another request took the last use after this one loaded the invitation.
    loaded = invitations.usable_invitation(invitation.code)
    db.session.execute(Invitation.__table__.update().values(uses=1))
    with pytest.raises(Invalid) as error:
        invitations._join(make.user("racer"), loaded)
        invitations._claim_use(loaded)
    assert "just used up" in error.value.message
    assert _uses(invitation.id) == 1
    assert db.session.scalar(select(func.count()).select_from(CohortMembership)) == 0


def test_logged_in_user_redeems_code_once(client, auth, make, monkeypatch):
    changed: list[int] = []
    monkeypatch.setattr("forum.services.invitations.memberships_changed", changed.append)
    home = make.cohort(name="Home Cohort")
    other = make.cohort(name="Booster 2026")
    kenji = make.user("kenji", cohorts=[home])
    invitation = _invitation(other, max_uses=10)
    auth.login("kenji@example.org")

    response = client.post("/cohorts/redeem", data={"code": invitation.code})
    assert response.location == f"/cohorts/{other.slug}"
    assert _uses(invitation.id) == 1
    assert changed == [kenji.id]
    assert "You have joined Booster 2026." in client.get(response.location).get_data(
        as_text=True)

    again = client.post(f"/join/{invitation.code}", follow_redirects=True)
    assert "You are already a member of Booster 2026." in again.get_data(as_text=True)
    assert _uses(invitation.id) == 1  # no use consumed
    mine = client.get("/cohorts").get_data(as_text=True)
    assert "Home Cohort" in mine and "Booster 2026" in mine


def test_logged_in_join_page_confirms_before_joining(client, auth, make):
    cohort = make.cohort(name="Booster 2026")
    make.user("kenji")
    invitation = _invitation(cohort)
    auth.login("kenji@example.org")
    page = client.get(f"/join/{invitation.code}").get_data(as_text=True)
    assert "Join Booster 2026" in page
    assert _uses(invitation.id) == 0  # a GET never spends a use


def test_redeem_bad_code_shows_reason(client, auth, make):
    make.user("kenji")
    auth.login("kenji@example.org")
    response = client.post("/cohorts/redeem", data={"code": "no-such-code"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "We do not know this invitation code" in page
    assert 'value="no-such-code"' in page


def test_personal_invitation_is_refused_to_other_accounts(client, auth, make):
    cohort = make.cohort()
    invitation = _invitation(cohort, email="nadia@example.org")
    make.user("kenji")
    auth.login("kenji@example.org")
    response = client.post("/cohorts/redeem", data={"code": invitation.code})
    assert "made for another email address" in response.get_data(as_text=True)
    assert _uses(invitation.id) == 0


def test_logged_in_register_with_code_goes_to_join(client, auth, make):
    make.user("kenji")
    auth.login("kenji@example.org")
    assert client.get("/register?code=abc").location == "/join/abc"
    assert client.get("/register").location == "/cohorts"


def test_mentor_invitation_promotes_a_logged_in_member(client, auth, make):
    cohort = make.cohort()
    henrik = make.user("henrik")
    invitation = _invitation(cohort, role="mentor")
    auth.login("henrik@example.org")
    client.post(f"/join/{invitation.code}")
    db.session.expire_all()
    assert db.session.get(User, henrik.id).role == "mentor"
    assert db.session.scalar(select(CohortMembership.role).where(
        CohortMembership.user_id == henrik.id)) == "mentor"


def test_concurrent_redemptions_of_the_last_use(app, make):
    """Four people race for a single-use code at once: exactly one gets in."""
    import threading

    cohort = make.cohort()
    user_ids = [make.user(f"racer{n}").id for n in range(4)]
    invitation = _invitation(cohort, max_uses=1)
    code, invitation_id = invitation.code, invitation.id  # objects stay in this thread
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[object] = []

    def redeem(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                outcomes.append(invitations.redeem_invitation(user, code).joined)
            except Invalid as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=redeem, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["True"] + ["invitation_unusable"] * 3
    assert _uses(invitation_id) == 1
    assert db.session.scalar(select(func.count()).select_from(CohortMembership)) == 1
