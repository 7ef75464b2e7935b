"""Issue 16, "Cohorts set up in one step": a new cohort gets its spaces from the cohort template.

Services: the template's lounge, ask-a-mentor space and chat channel are created with the
cohort in one transaction; a taken address is a clear error and nothing is written; an edited
template is what the next cohort gets. Web: the new-cohort form offers the spaces, the template
page is for administrators only, cohort pages show their spaces.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.errors import Forbidden, Invalid
from forum.extensions import db
from forum.models import Category, Channel, Cohort, SpaceTemplate, Thread
from forum.services import cohorts, space_templates
from tests.api_helpers import ApiClient, token_for


@pytest.fixture
def root(make):
    """An administrator (not logged in)."""
    return make.user("root", role="admin", display_name="Root Admin")


@pytest.fixture
def admin(make, auth):
    """A logged-in administrator."""
    user = make.user("ada", role="admin", display_name="Ada Admin")
    auth.login("ada@example.org")
    return user


def _spaces(cohort_id: int) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    db.session.expire_all()
    categories = [(c.name, c.slug, c.mode) for c in db.session.scalars(
        select(Category).where(Category.cohort_id == cohort_id).order_by(Category.position))]
    channels = [(c.name, c.slug) for c in db.session.scalars(
        select(Channel).where(Channel.cohort_id == cohort_id).order_by(Channel.id))]
    return categories, channels


def _counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Cohort, Category, Channel))


# --------------------------------------------------------------------------- services


def test_new_cohort_gets_lounge_ask_a_mentor_and_channel_from_the_template(root):
    cohort = cohorts.create_cohort(root, "Booster 2026", "JPO")
    categories, channels = _spaces(cohort.id)
    assert categories == [("Booster 2026 lounge", "booster-2026-lounge", "discussion"),
                          ("Ask a mentor", "booster-2026-ask-a-mentor", "ask_mentor")]
    assert channels == [("general", f"c{cohort.id}-general")]
    ask = db.session.scalar(select(Category).where(Category.mode == "ask_mentor"))
    assert ask.cohort_id == cohort.id and ask.is_ask_mentor  # cohort-private, own threads only


def test_operator_cli_cohort_gets_the_template_spaces_too(runner, ctx):
    result = runner.invoke(args=["forum", "create-cohort", "--name", "Bonn 2027"])
    assert result.exit_code == 0, result.output
    cohort = db.session.scalar(select(Cohort))
    categories, channels = _spaces(cohort.id)
    assert [c[1] for c in categories] == ["bonn-2027-lounge", "bonn-2027-ask-a-mentor"]
    assert len(channels) == 1


def test_a_taken_address_is_a_clear_error_and_nothing_is_written(root, make):
    db.session.add(Category(name="Old lounge", slug="booster-2026-lounge"))
    db.session.commit()
    before = _counts()
    with pytest.raises(Invalid) as caught:
        cohorts.create_cohort(root, "Booster 2026")
    assert "booster-2026-lounge" in caught.value.message
    assert "Booster 2026 lounge" in caught.value.fields["spaces"]
    assert _counts() == before  # no cohort, no category, no channel
    # Unticking the clashing space creates the cohort with the others.
    cohort = cohorts.create_cohort(root, "Booster 2026", spaces={1, 2})
    categories, channels = _spaces(cohort.id)
    assert [c[1] for c in categories] == ["booster-2026-ask-a-mentor"] and len(channels) == 1


def test_edited_template_is_used_for_the_next_cohort(root):
    first = cohorts.create_cohort(root, "Geneva 2026")
    space_templates.save_space(root, 0, kind="category", name_pattern="{cohort} café",
                               slug_pattern="{slug}-cafe", mode="qa", description="Coffee.")
    space_templates.remove_space(root, 1)  # no ask-a-mentor space any more
    space_templates.save_space(root, None, kind="channel", name_pattern="help",
                               slug_pattern="c{id}-help")
    space_templates.move_space(root, 2, -1)  # help before general
    assert [s.name_pattern for s in space_templates.template_spaces()] == [
        "{cohort} café", "help", "general"]
    second = cohorts.create_cohort(root, "Nairobi 2026")
    categories, channels = _spaces(second.id)
    assert categories == [("Nairobi 2026 café", "nairobi-2026-cafe", "qa")]
    assert [c[0] for c in channels] == ["help", "general"]
    assert db.session.scalar(select(Category.description).where(
        Category.slug == "nairobi-2026-cafe")) == "Coffee."
    # The cohort made before keeps its spaces.
    assert len(_spaces(first.id)[0]) == 2


def test_template_patterns_are_validated(root):
    bad = [
        ({"name_pattern": "{cohort lounge"}, "name_pattern"),
        ({"name_pattern": "{team} lounge"}, "name_pattern"),
        ({"slug_pattern": "lounge"}, "slug_pattern"),  # every cohort would want the same one
        ({"slug_pattern": "{slug}_Lounge!"}, "slug_pattern"),
        ({"slug_pattern": "{slug}-lounge"}, "slug_pattern"),  # the lounge has it already
        ({"mode": "party"}, "mode"),
        ({"kind": "forum"}, "kind"),
    ]
    for change, field_name in bad:
        values = {"kind": "category", "name_pattern": "{cohort} room",
                  "slug_pattern": "{slug}-room", "mode": "discussion", **change}
        with pytest.raises(Invalid) as caught:
            space_templates.save_space(root, None, **values)
        assert field_name in caught.value.fields, change
    assert len(space_templates.template_spaces()) == 3


def test_the_template_keeps_at_least_one_space(root):
    space_templates.remove_space(root, 0)
    space_templates.remove_space(root, 0)
    with pytest.raises(Invalid):
        space_templates.remove_space(root, 0)
    assert [s.name_pattern for s in space_templates.template_spaces()] == ["general"]
    assert db.session.scalar(select(func.count()).select_from(SpaceTemplate)) == 1


def test_long_cohort_addresses_are_shortened_to_fit(root):
    cohort = cohorts.create_cohort(root, "Orientation " + "x" * 100)
    categories, _channels = _spaces(cohort.id)
    assert all(len(slug) <= 80 and slug.endswith(("-lounge", "-ask-a-mentor"))
               for _name, slug, _mode in categories)


def test_only_admins_edit_the_template(make):
    for role in ("member", "mentor", "moderator"):
        person = make.user(f"p-{role}", role=role)
        with pytest.raises(Forbidden):
            space_templates.save_space(person, None, kind="channel", name_pattern="x{id}",
                                       slug_pattern="c{id}-x")
        with pytest.raises(Forbidden):
            space_templates.remove_space(person, 0)
        with pytest.raises(Forbidden):
            space_templates.cohort_template(person)
    assert db.session.scalar(select(func.count()).select_from(SpaceTemplate)) == 0


def test_api_created_cohort_gets_the_template_spaces(app, root):
    api = ApiClient(app, token_for(root))
    response = api.post("/admin/cohorts", json={"name": "Api 2026"})
    assert response.status_code == 201, response.json
    categories, channels = _spaces(response.json["id"])
    assert [c[1] for c in categories] == ["api-2026-lounge", "api-2026-ask-a-mentor"]
    assert len(channels) == 1
    db.session.add(Category(name="Taken", slug="clash-2026-lounge"))
    db.session.commit()
    before = _counts()
    clash = api.post("/admin/cohorts", json={"name": "Clash 2026"})
    assert clash.status_code == 422 and "clash-2026-lounge" in clash.json["error"]["message"]
    assert _counts() == before


# --------------------------------------------------------------------------- web


def test_new_cohort_form_offers_the_spaces_and_creates_the_ticked_ones(client, admin):
    page = client.get("/admin/cohorts/new").get_data(as_text=True)
    for name in ("{cohort} lounge", "Ask a mentor", "general"):
        assert name in page
    assert page.count('name="spaces"') == 3 and page.count(" checked") == 3
    response = client.post("/admin/cohorts/new", data={
        "name": "Dakar 2026", "spaces_offered": "1", "spaces": ["0", "2"]})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Dakar 2026"))
    categories, channels = _spaces(cohort.id)
    assert [c[0] for c in categories] == ["Dakar 2026 lounge"] and len(channels) == 1
    detail = client.get(response.location).get_data(as_text=True)
    assert "Dakar 2026 lounge" in detail and "# general" in detail


def test_new_cohort_form_with_a_clash_keeps_input_and_writes_nothing(client, admin):
    db.session.add(Category(name="Old", slug="dakar-2026-ask-a-mentor"))
    db.session.commit()
    before = _counts()
    response = client.post("/admin/cohorts/new", data={
        "name": "Dakar 2026", "spaces_offered": "1", "spaces": ["0", "1"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "dakar-2026-ask-a-mentor" in page and 'value="Dakar 2026"' in page
    assert page.count(" checked") == 2  # the admin's choice is kept (the channel stays unticked)
    assert _counts() == before


def test_template_page_edits_adds_moves_and_removes(client, admin):
    page = client.get("/admin/cohort-template")
    assert page.status_code == 200 and "{slug}-ask-a-mentor" in page.get_data(as_text=True)
    saved = client.post("/admin/cohort-template/spaces/0", data={
        "s0-kind": "category", "s0-name_pattern": "{cohort} lobby",
        "s0-slug_pattern": "{slug}-lobby", "s0-mode": "discussion", "s0-description": ""})
    assert saved.status_code == 303
    wrong = client.post("/admin/cohort-template/spaces", data={
        "new-kind": "category", "new-name_pattern": "Fixed", "new-slug_pattern": "fixed",
        "new-mode": "discussion"})
    assert wrong.status_code == 422
    assert "Include {slug} or {id}" in wrong.get_data(as_text=True)
    added = client.post("/admin/cohort-template/spaces", data={
        "new-kind": "channel", "new-name_pattern": "random", "new-slug_pattern": "c{id}-random",
        "new-mode": "discussion"})
    assert added.status_code == 303
    client.post("/admin/cohort-template/spaces/3/move", data={"direction": "up"})
    client.post("/admin/cohort-template/spaces/1/remove")
    assert [s.name_pattern for s in space_templates.template_spaces()] == [
        "{cohort} lobby", "random", "general"]


def test_template_pages_are_admin_only(client, auth, make):
    assert "/login" in client.get("/admin/cohort-template").location
    make.user("mod", role="moderator")
    auth.login("mod@example.org")
    assert client.get("/admin/cohort-template").status_code == 403
    for url, data in [("/admin/cohort-template/spaces", {
            "new-kind": "channel", "new-name_pattern": "x", "new-slug_pattern": "c{id}-x"}),
            ("/admin/cohort-template/spaces/0", {"s0-kind": "channel"}),
            ("/admin/cohort-template/spaces/0/move", {"direction": "down"}),
            ("/admin/cohort-template/spaces/0/remove", {})]:
        assert client.post(url, data=data).status_code == 403, url
    assert db.session.scalar(select(func.count()).select_from(SpaceTemplate)) == 0


def test_cohort_page_shows_its_spaces_with_the_threads_the_reader_may_see(client, auth, make,
                                                                          root):
    cohort = cohorts.create_cohort(root, "Rome 2026")
    amina = make.user("amina", cohorts=[cohort])
    kenji = make.user("kenji", cohorts=[cohort])
    ask = db.session.scalar(select(Category).where(Category.mode == "ask_mentor"))
    for author in (amina, kenji):
        db.session.add(Thread(category_id=ask.id, author_id=author.id, title="Q"))
    db.session.commit()
    auth.login("amina@example.org")
    page = client.get("/cohorts/rome-2026").get_data(as_text=True)
    assert "Rome 2026 lounge" in page and "Ask a mentor" in page and "# general" in page
    assert "1 thread" in page  # her own question only, not Kenji's
    auth.logout()
    make.user("max")
    auth.login("max@example.org")
    assert client.get("/cohorts/rome-2026").status_code == 404


def test_invitation_links_are_readonly_fields_with_a_copy_button(client, admin, make):
    cohort = make.cohort(name="Lima 2026")
    client.post(f"/admin/cohorts/{cohort.id}/invitations", data={"role": "member",
                                                                 "max_uses": "3"})
    page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert 'readonly dir="ltr" class="copy-link-field"' in page and "/join/" in page
    assert 'data-copy="invite-' in page and "js/admin.js" in page
