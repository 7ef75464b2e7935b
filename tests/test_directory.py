"""Member directory and find-a-mentor: who is listed (privacy), filters, paging, the page."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from forum.errors import Invalid, Unauthorized
from forum.extensions import db
from forum.models import User, UserExpertise
from forum.models.base import utcnow
from forum.services.directory import DirectoryFilters, directory
from tests import discussions_helpers, factories
from tests import search_helpers as s
from tests.discussions_helpers import Browser, World


@dataclass
class People:
    """The discussions world plus people of cohort B seen from cohort A in different ways."""

    w: World
    dave: User  # cohort B member, never wrote in a global space: invisible to A
    erin: User  # cohort B member who posted in a global category
    frank: User  # mentor of cohort B (cohort role)
    gina: User  # cohort B member who chatted in a global channel
    banned: User  # cohort A member, banned


@pytest.fixture
def people(make, app):
    """The world and the extra people, inside a request context."""
    with app.test_request_context("/"):
        w = discussions_helpers.build_world()
        b = w.cohort_b
        dave = factories.user("dave", cohorts=[b], organisation="UNICEF",
                              duty_station="Nairobi")
        erin = factories.user("erin", cohorts=[b], organisation="UNHCR", duty_station="Geneva",
                              sponsoring_country="Denmark")
        frank = factories.user("frank", cohorts=[b], cohort_role="mentor",
                               organisation="WFP", duty_station="Rome")
        gina = factories.user("gina", cohorts=[b])
        banned = factories.user("banned", cohorts=[w.cohort_a], banned_at=utcnow())
        s.thread(w.general, erin, "Hello from Geneva")
        s.message(s.channel("lobby"), gina, "hi all")
        yield People(w, dave, erin, frank, gina, banned)


def names(user, **filters) -> set[str]:
    """Usernames on the first (large) page of the user's directory."""
    return {c.username for c in directory(user, DirectoryFilters(**filters), per_page=100).members}


def card(user, username: str):
    """One person's card as the user sees it."""
    return next(c for c in directory(user, per_page=100).members if c.username == username)


def test_member_sees_own_cohorts_mentors_staff_and_global_space_people(people):
    w = people.w
    assert names(w.amina) == {"amina", "bilal", "mona", "fatou", "sam", "moderator", "erin",
                              "frank", "gina"}
    # Carla (cohort B): her cohort, the mentors of A (Mona) and the site mentor, staff.
    assert names(w.carla) == {"carla", "dave", "erin", "frank", "gina", "mona", "sam",
                              "moderator"}


def test_cohort_memberships_only_where_the_viewer_may_read(people):
    w = people.w
    assert [c.slug for c in card(w.amina, "bilal").cohorts] == ["cohort-a"]
    for username in ("erin", "frank", "gina"):
        assert card(w.amina, username).cohorts == []
    mona = card(w.carla, "mona")
    assert mona.cohorts == [] and mona.is_mentor
    assert card(w.amina, "frank").is_mentor
    # Global moderators read every cohort: they see everyone and every membership.
    assert "dave" in names(w.moderator) and "banned" not in names(w.moderator)
    assert [c.slug for c in card(w.moderator, "dave").cohorts] == ["cohort-b"]


def test_banned_people_are_never_listed(people):
    for viewer in (people.w.amina, people.w.bilal, people.w.moderator):
        assert "banned" not in names(viewer)


def test_hidden_or_deleted_global_activity_does_not_count(people):
    w = people.w
    harry = factories.user("harry", cohorts=[w.cohort_b])
    s.thread(w.general, harry, "Removed", hidden_at=utcnow())
    s.message(s.channel("lobby2"), harry, "gone", deleted_at=utcnow())
    # A cohort channel or category of B is not a shared space for A either.
    s.message(s.channel("bravo", w.cohort_b.id), harry, "in bravo")
    s.thread(w.lounge_b, harry, "Bravo only")
    assert "harry" not in names(w.amina)
    assert "harry" in names(w.carla)


def test_filters(people):
    w = people.w
    db.session.add_all([UserExpertise(user_id=people.frank.id, tag="food security"),
                        UserExpertise(user_id=w.site_mentor.id,
                                      tag="evaluation")])
    w.bilal.open_to_mentoring = True
    w.bilal.organisation = "UNDP"
    w.amina.organisation = "UNDP Geneva"
    db.session.commit()
    viewer = w.amina
    assert names(viewer, organisation="undp") == {"amina", "bilal"}
    assert names(viewer, duty_station="GENEVA") == {"erin"}
    assert names(viewer, sponsoring_country="denm") == {"erin"}
    assert names(viewer, expertise="Food  Security") == {"frank"}
    assert names(viewer, open_to_mentoring=True) == {"bilal"}
    assert names(viewer, mentors=True) == {"bilal", "mona", "sam", "frank"}
    assert names(viewer, name="@ERI") == {"erin"}
    # Filters never widen the list: Dave (UNICEF, invisible to Amina) stays out.
    assert names(viewer, organisation="unicef") == set()
    # LIKE wildcards typed by the user are plain characters.
    assert names(viewer, organisation="%") == set()
    assert names(viewer, name="_") == set()


def test_paging(people):
    w = people.w
    first = directory(w.amina, per_page=4)
    second = directory(w.amina, page=2, per_page=4)
    third = directory(w.amina, page=3, per_page=4)
    assert first.has_next and second.has_next and not third.has_next
    listed = [c.username for p in (first, second, third) for c in p.members]
    assert len(listed) == len(set(listed)) == 9
    assert listed == sorted(listed, key=lambda n: n.lower())  # display names are usernames


def test_bad_page_and_anonymous(people):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Invalid):
        directory(people.w.amina, page=0)
    with pytest.raises(Unauthorized):
        directory(AnonymousUserMixin())


# --- pages ---------------------------------------------------------------------------------------


def test_directory_page_cards_link_profile_and_direct_message(app, people):
    w = people.w
    html = Browser(app, w.amina).get("/members").text
    assert 'href="/u/erin"' in html and 'href="/u/dave"' not in html
    assert 'action="/chat/dm/erin"' in html and 'action="/chat/dm/amina"' not in html
    assert "Cohort Bravo" not in html and "Cohort Alpha" in html
    assert 'aria-current="page">Everyone' in html


def test_direct_message_button_opens_a_conversation(app, people):
    browser = Browser(app, people.w.amina)
    response = browser.post("/chat/dm/erin")
    assert response.status_code == 302 and "/chat/" in response.headers["Location"]


def test_find_a_mentor_page(app, people):
    w = people.w
    w.bilal.open_to_mentoring = True
    db.session.commit()
    html = Browser(app, w.carla).get("/members/mentors").text
    cards = set(re.findall(r'<h3 class="member-name"><a href="/u/([^"]+)"', html))
    # Bilal is open to mentoring but lives in cohort A only: not Carla's to find.
    assert cards == {"mona", "sam", "frank"}
    assert 'aria-current="page">Find a mentor' in html


def test_page_filters_and_errors(app, people):
    browser = Browser(app, people.w.amina)
    html = browser.get("/members?duty_station=rome").text
    assert set(re.findall(r'href="/u/([^"]+)" dir', html)) == {"frank"}
    assert browser.get("/members?page=0").status_code == 422
    assert browser.get("/members?page=abc").status_code == 422
    response = app.test_client().get("/members")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_directory_page_query_count_is_constant(app, people, queries):
    w = people.w
    browser = Browser(app, w.amina)
    browser.get("/members")
    with queries() as few:
        assert browser.get("/members").status_code == 200
    for i in range(20):
        person = factories.user(f"extra{i}", cohorts=[w.cohort_a], cohort_role="mentor")
        db.session.add(UserExpertise(user_id=person.id, tag=f"tag{i}"))
    db.session.commit()
    with queries() as many:
        html = browser.get("/members").text
    assert html.count('class="card member-card"') == 24
    assert len(few) == len(many)
