"""Real browser, real server: a cohort set up in one step, and admin pages that fit a phone.

An admin creates a cohort in Chromium and finds its lounge, ask-a-mentor space and chat channel
on its page; archiving asks in a modal dialog that says what changes (cancelling changes
nothing); an invitation link is copied with its button and a toast says so; every admin page
at 360 px wide has no sideways scrolling.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Cohort
from forum.services import cohorts, invitations
from tests.live import browser_login

pytestmark = [pytest.mark.live, pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def ada(make):
    """An administrator."""
    return make.user("ada", role="admin", display_name="Ada Admin")


def _status(cohort_id: int) -> tuple[str, bool]:
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort_id)
    return cohort.status, cohort.read_only


def test_admin_creates_a_cohort_and_finds_its_spaces_then_copies_an_invitation(
        live_server, new_page, ada):
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server.url)
    browser_login(page, live_server.url, ada.email)
    page.goto(live_server.url + "/admin/cohorts/new")
    page.fill("#name", "Geneva Booster 2026")
    # The template's three spaces are offered, ticked; skip none.
    assert page.locator("input[name=spaces]:checked").count() == 3
    page.get_by_role("button", name="Create cohort").click()
    page.wait_for_url("**/admin/cohorts/*")
    spaces = page.locator("#spaces-heading + ul")
    assert "Geneva Booster 2026 lounge" in spaces.inner_text()
    page.get_by_role("link", name="Cohort page").click()
    page.wait_for_url("**/cohorts/geneva-booster-2026")
    text = page.locator("main").inner_text()
    for name in ("Geneva Booster 2026 lounge", "Ask a mentor", "# general"):
        assert name in text
    page.get_by_role("link", name="Geneva Booster 2026 lounge").click()
    page.wait_for_url("**/c/geneva-booster-2026-lounge")

    cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.slug == "geneva-booster-2026"))
    link = f"{live_server.url}/join/" + invitations.create_invitation(
        ada, cohort_id, max_uses=3).code
    page.goto(f"{live_server.url}/admin/cohorts/{cohort_id}")
    field = page.locator("input.copy-link-field")
    assert field.input_value() == link and field.get_attribute("readonly") is not None
    page.get_by_role("button", name="Copy").click()
    page.locator("#toasts .toast", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_archiving_asks_in_a_modal_dialog_and_cancel_changes_nothing(live_server, new_page,
                                                                    ada):
    cohort = cohorts.create_cohort(ada, "Nairobi 2026")
    page = new_page()
    browser_login(page, live_server.url, ada.email)
    page.goto(f"{live_server.url}/admin/cohorts/{cohort.id}")
    page.locator("input[name=mode][value=read_only]").check()
    page.get_by_role("button", name="Archive as alumni cohort").click()
    dialog = page.locator("#archive-dialog")
    dialog.wait_for(state="visible")
    assert dialog.evaluate("d => d.matches(':modal')")
    said = dialog.inner_text()
    assert "can no longer post" in said and "can still post and chat there" in said
    assert "Nothing else changes" not in said  # only the chosen mode's consequences
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert _status(cohort.id) == ("active", False)
    assert page.evaluate("document.activeElement.textContent.trim()") == \
        "Archive as alumni cohort"  # focus back where it was

    page.get_by_role("button", name="Archive as alumni cohort").click()
    dialog.wait_for(state="visible")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Archive").click()
    assert _status(cohort.id) == ("alumni", True)
    page.get_by_role("button", name="Make active again").click()
    again = page.locator("#reactivate-dialog")
    again.wait_for(state="visible")
    assert "post, reply, react and chat" in again.inner_text()
    page.keyboard.press("Escape")
    again.wait_for(state="hidden")
    assert _status(cohort.id) == ("alumni", True)


def test_every_admin_page_fits_a_phone(live_server, new_page, ada, make):
    cohort = cohorts.create_cohort(ada, "A cohort with a rather long name for a small phone")
    for n in range(3):
        make.user(f"person-with-a-long-username-{n}", cohorts=[cohort],
                  email=f"person.with.a.very.long.address.{n}@example-organisation.org")
    invitations.create_invitation(ada, cohort.id, max_uses=5, expires_in_days=7,
                                  email="someone.with.a.long.address@example-organisation.org")
    page = new_page(viewport=PHONE)
    browser_login(page, live_server.url, ada.email)
    paths = ["/admin/", "/admin/users", "/admin/cohorts/", "/admin/cohorts/new",
             f"/admin/cohorts/{cohort.id}", f"/admin/cohorts/{cohort.id}/edit",
             "/admin/cohort-template"]
    overflowing = {}
    for path in paths:
        page.goto(live_server.url + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"] + 1:
            overflowing[path] = width
    # The confirmation page (no JavaScript needed) and the roster report fit too.
    page.goto(f"{live_server.url}/admin/cohorts/{cohort.id}")
    page.locator("#archive-form input[value=writable]").check()
    page.evaluate("document.getElementById('archive-form').dataset.confirmed = '1'")
    page.locator("#archive-form button[type=submit]").click()
    page.wait_for_url("**/archive")
    assert page.locator("#status-confirm").is_visible()
    if (width := page.evaluate("document.scrollingElement.scrollWidth")) > PHONE["width"] + 1:
        overflowing["archive confirmation"] = width
    page.goto(f"{live_server.url}/admin/cohorts/{cohort.id}")
    page.set_input_files("#file", files=[{
        "name": "roster.csv", "mimeType": "text/csv",
        "buffer": b"name,email,role\nAmina Diallo,amina.diallo.long@example-organisation.org,"
                  b"member\nBad,not-an-email,member\n"}])
    page.get_by_role("button", name="Import and send invitations").click()
    page.wait_for_url("**/roster")
    if (width := page.evaluate("document.scrollingElement.scrollWidth")) > PHONE["width"] + 1:
        overflowing["roster report"] = width
    assert not overflowing, overflowing
