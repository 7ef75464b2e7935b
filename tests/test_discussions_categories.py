"""Administrators manage categories; everyone else is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Category
from tests import discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture


@pytest.fixture
def app_config(app_config):
    """Several people log in within one test."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute"}


def test_admin_creates_a_cohort_category_seen_only_by_that_cohort(app, world, make):
    admin = Browser(app, make.user("root", role="admin"))
    assert admin.get("/admin/categories/new").status_code == 200
    response = admin.post("/admin/categories/new", data={
        "name": "Alpha careers", "slug": "alpha-careers", "description": "Jobs talk",
        "cohort_id": str(world.cohort_a.id), "mode": "qa", "position": "-5"})
    assert response.status_code == 302
    db.session.expire_all()
    created = db.session.scalar(select(Category).where(Category.slug == "alpha-careers"))
    assert (created.name, created.cohort_id, created.mode, created.position) == (
        "Alpha careers", world.cohort_a.id, "qa", -5)
    member_index = Browser(app, world.bilal).get("/c").text
    assert "Alpha careers" in member_index
    assert member_index.index("Alpha careers") < member_index.index("Alpha lounge")  # position
    assert "Alpha careers" not in Browser(app, world.carla).get("/c").text
    assert "Alpha careers" in admin.get("/admin/categories").text


def test_category_form_reports_errors_and_keeps_input(app, world, make):
    admin = Browser(app, make.user("root", role="admin"))
    bad = admin.post("/admin/categories/new", data={
        "name": "Duplicate", "slug": "general", "cohort_id": "", "mode": "discussion"})
    assert bad.status_code == 422
    assert "Another category uses this address." in bad.text
    assert 'value="Duplicate"' in bad.text
    malformed = admin.post("/admin/categories/new", data={
        "name": "Odd", "slug": "Not A Slug!", "cohort_id": "", "mode": "discussion"})
    assert malformed.status_code == 422 and "lower-case letters" in malformed.text
    edit = admin.post(f"/admin/categories/{world.general.id}/edit", data={
        "name": "General chat", "slug": "general", "cohort_id": "", "mode": "discussion",
        "position": "3"})
    assert edit.status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, world.general.id).name == "General chat"


def test_only_admins_manage_categories(app, world):
    for user in (world.bilal, world.moderator, world.facilitator):
        browser = Browser(app, user)
        assert browser.get("/admin/categories").status_code == 403
        assert browser.post("/admin/categories/new", data={
            "name": "Sneaky", "slug": "sneaky", "cohort_id": "", "mode": "discussion",
        }).status_code == 403
    assert db.session.scalar(select(Category.id).where(Category.slug == "sneaky")) is None
