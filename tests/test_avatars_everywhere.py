"""A person's picture is shown wherever they appear (directory, profile, cohort page,
notifications, @mention suggestions), and the pages that hold files link to them."""

from __future__ import annotations

from forum.extensions import db
from forum.models import User
from forum.services import discussions
from tests import discussions_helpers
from tests.api_helpers import token_for
from tests.discussions_helpers import Browser
from tests.uploads_helpers import png, upload

world = discussions_helpers.world  # the fixtures


def _picture(app, user: User) -> str:
    """Give `user` an uploaded picture; its URL."""
    response = upload(app, token_for(user), png(size=(40, 40)), "me.png",
                      path="/api/v1/me/avatar", method="PUT")
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    return f"/avatars/{user.id}/{db.session.get(User, user.id).avatar_token}"


def test_a_picture_shows_on_every_page_that_names_its_person(app, world):
    src = _picture(app, world.bilal)
    thread = discussions.create_thread(world.bilal, world.lounge_a.id, "Housing",
                                       "Hello @amina, any tips?")
    amina = Browser(app, world.amina)
    for url in ("/members", "/u/bilal", "/cohorts/cohort-a", "/notifications"):
        page = amina.get(url)
        assert page.status_code == 200, url
        assert f'src="{src}"' in page.get_data(as_text=True), url
    # The @mention suggestions carry the picture too (and null for initials only).
    api = app.test_client().get(
        f"/api/v1/mentions?q=b&thread_id={thread.id}",
        headers={"Authorization": f"Bearer {token_for(world.amina)}"})
    people = {p["username"]: p for p in api.get_json()["people"]}
    assert people["bilal"]["avatar_url"] == src
    others = app.test_client().get(
        f"/api/v1/mentions?q=a&thread_id={thread.id}",
        headers={"Authorization": f"Bearer {token_for(world.bilal)}"}).get_json()["people"]
    assert {p["username"]: p["avatar_url"] for p in others}["amina"] is None


def test_without_a_picture_the_initials_show_and_no_picture_url_leaks(app, world):
    page = Browser(app, world.amina).get("/u/bilal").get_data(as_text=True)
    assert 'src="/avatars/' not in page
    assert 'class="avatar avatar-xl avatar-tone-' in page and ">B</span>" in page


def test_cohort_and_space_pages_link_to_their_files_and_the_menu_to_mine(app, world):
    amina = Browser(app, world.amina)
    cohort = amina.get("/cohorts/cohort-a").get_data(as_text=True)
    assert 'href="/cohorts/cohort-a/files"' in cohort
    space = amina.get("/c/alpha-lounge").get_data(as_text=True)
    assert 'href="/c/alpha-lounge/files"' in space
    assert amina.get("/cohorts/cohort-a/files").status_code == 200
    assert amina.get("/c/alpha-lounge/files").status_code == 200
    own = amina.get("/u/amina").get_data(as_text=True)
    assert own.count('href="/settings/files"') == 2  # the menu, and the profile's own link
    other = amina.get("/u/bilal").get_data(as_text=True)
    assert other.count('href="/settings/files"') == 1  # the menu only
