"""Public profile pages and editing one's own profile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.errors import Invalid
from forum.extensions import db
from forum.models import User, UserExpertise
from forum.services import profiles
from tests.accounts_helpers import isolated_requests

pytestmark = pytest.mark.usefixtures(isolated_requests.__name__)

FORM = {"display_name": "Amina Diallo", "organisation": "UNICEF", "duty_station": "Dakar",
        "sponsoring_country": "Norway", "expertise": "", "bio": "", "language": "en",
        "timezone": "Africa/Dakar"}


def _tags(user_id: int) -> list[str]:
    return list(db.session.scalars(select(UserExpertise.tag).where(
        UserExpertise.user_id == user_id).order_by(UserExpertise.tag)))


def test_profile_needs_login(client, make):
    make.user("amina")
    response = client.get("/u/amina")
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_profile_is_404(client, auth, make):
    make.user("viewer")
    auth.login("viewer@example.org")
    assert client.get("/u/nobody").status_code == 404


def test_profile_shows_the_public_fields(client, auth, make):
    mentor = make.user("kofi", role="mentor", display_name="Kofi Mensah",
                       organisation="UNDP", duty_station="Accra", sponsoring_country="Japan",
                       bio="First line <script>x</script>\nSecond line", open_to_mentoring=True)
    db.session.add_all([UserExpertise(user_id=mentor.id, tag="evaluation"),
                        UserExpertise(user_id=mentor.id, tag="gender")])
    db.session.commit()
    make.user("viewer")
    auth.login("viewer@example.org")
    page = client.get("/u/KOFI").get_data(as_text=True)
    for text in ("Kofi Mensah", "@kofi", "UNDP", "Accra", "Japan", "evaluation", "gender",
                 "Open to mentoring", 'class="badge badge-mentor"'):
        assert text in page, text
    assert ('<p class="profile-bio" dir="auto">First line &lt;script&gt;x&lt;/script&gt;\n'
            "Second line</p>") in page


def test_member_profile_has_no_mentor_badge(client, auth, make):
    make.user("amina")
    auth.login("amina@example.org")
    page = client.get("/u/amina").get_data(as_text=True)
    assert "badge-mentor" not in page and "Open to mentoring" not in page
    assert 'href="/settings/profile"' in page  # one's own page links to the editor


def test_profile_shows_only_cohorts_the_viewer_may_read(app, client, auth, make):
    shared = make.cohort(name="Geneva Orientation 2025")
    private = make.cohort(name="Nairobi Booster Secret")
    make.user("amina", cohorts=[shared, private])
    make.user("viewer", cohorts=[shared])
    make.user("mod", role="moderator")
    auth.login("viewer@example.org")
    page = client.get("/u/amina").get_data(as_text=True)
    assert "Geneva Orientation 2025" in page
    assert "Nairobi Booster Secret" not in page
    moderator = app.test_client()
    moderator.post("/login", data={"email": "mod@example.org", "password": make.PASSWORD})
    page = moderator.get("/u/amina").get_data(as_text=True)
    assert "Geneva Orientation 2025" in page and "Nairobi Booster Secret" in page


def test_stranger_sees_no_cohort_section(client, auth, make):
    private = make.cohort(name="Nairobi Booster Secret")
    make.user("amina", cohorts=[private])
    make.user("viewer")
    auth.login("viewer@example.org")
    page = client.get("/u/amina").get_data(as_text=True)
    assert "Nairobi Booster Secret" not in page and "Cohorts" not in page


def test_edit_page_is_prefilled(client, auth, make):
    user = make.user("amina", organisation="WFP", timezone="Europe/Rome", language="fr")
    db.session.add_all([UserExpertise(user_id=user.id, tag="logistics"),
                        UserExpertise(user_id=user.id, tag="cash transfers")])
    db.session.commit()
    auth.login("amina@example.org")
    page = client.get("/settings/profile").get_data(as_text=True)
    assert 'value="WFP"' in page and 'value="Europe/Rome"' in page
    assert 'value="cash transfers, logistics"' in page
    assert '<option lang="fr" selected value="fr">' in page


def test_edit_saves_and_normalises_tags(client, auth, make):
    user = make.user("amina")
    db.session.add(UserExpertise(user_id=user.id, tag="old tag"))
    db.session.commit()
    auth.login("amina@example.org")
    data = {**FORM, "expertise": " Gender, procurement ,GENDER,,  Cash   Transfers ",
            "bio": "Hello\r\nWorld", "open_to_mentoring": "y", "language": "ar"}
    response = client.post("/settings/profile", data=data)
    assert response.status_code == 302 and response.location == "/u/amina"
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.display_name, user.organisation, user.duty_station, user.sponsoring_country) == (
        "Amina Diallo", "UNICEF", "Dakar", "Norway")
    assert user.bio == "Hello\nWorld" and user.open_to_mentoring
    assert (user.language, user.timezone) == ("ar", "Africa/Dakar")
    assert _tags(user.id) == ["cash transfers", "gender", "procurement"]
    page = client.get("/u/amina").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"timezone": "Mars/Olympus_Mons"}, "No time zone is known as “Mars/Olympus_Mons”."),
    ({"expertise": ",".join(f"tag{n}" for n in range(11))}, "At most 10 tags."),
    ({"expertise": "x" * 41}, "Each tag may have at most 40 characters."),
    ({"bio": "b" * 2001}, "2000"),
    ({"display_name": ""}, "This field is required."),
])
def test_edit_errors_keep_input_and_write_nothing(client, auth, make, changes, message):
    user = make.user("amina", organisation="WFP")
    auth.login("amina@example.org")
    data = {**FORM, "organisation": "Typed but not saved", **changes}
    response = client.post("/settings/profile", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Typed but not saved"' in page
    db.session.expire_all()
    assert db.session.get(User, user.id).organisation == "WFP"
    assert _tags(user.id) == []


def test_update_profile_commits_once_and_replaces_tags(ctx, make, monkeypatch):
    user = make.user("amina")
    profiles.update_profile(user, expertise="a, b")
    commits: list[int] = []
    real_commit = db.session.commit
    monkeypatch.setattr(db.session, "commit", lambda: (commits.append(1), real_commit()))
    profiles.update_profile(user, expertise=["B", "c"], duty_station=" Bangkok ")
    assert commits == [1]
    assert _tags(user.id) == ["b", "c"]
    assert db.session.get(User, user.id).duty_station == "Bangkok"


def test_update_profile_rejects_unknown_language(ctx, make):
    user = make.user("amina")
    with pytest.raises(Invalid) as error:
        profiles.update_profile(user, language="xx")
    assert "language" in error.value.fields
