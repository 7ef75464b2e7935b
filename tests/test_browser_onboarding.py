"""A new person joins through an admin's invitation link in a real browser."""

from __future__ import annotations

import email
import re
from pathlib import Path

import pytest

from forum.services import invitations

pytestmark = [pytest.mark.live, pytest.mark.browser]


@pytest.fixture
def app_config(app_config):
    """The live server writes its mail to files this test can read."""
    return {**app_config, "MAIL_BACKEND": "outbox"}


def _mailed_link(app_config: dict, pattern: str) -> str:
    [path] = Path(app_config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    message = email.message_from_bytes(path.read_bytes())
    return re.search(pattern, message.get_payload(decode=True).decode()).group(0)


def test_invited_person_registers_sees_cohort_and_logs_back_in(live_server, app_config, make,
                                                               new_page):
    admin = make.user("ada", role="admin")
    cohort = make.cohort(name="JPO Orientation 2026 — Geneva", programme="UN JPO Programme")
    make.user("kenji", display_name="Kenji Watanabe", cohorts=[cohort])
    code = invitations.create_invitation(admin, cohort.id, max_uses=5, expires_in_days=7).code
    cohort_url = f"{live_server.url}/cohorts/{cohort.slug}"

    page = new_page()
    page.goto(f"{live_server.url}/join/{code}")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Your name").fill("Amina Diallo")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account and join").click()
    # An open invitation: the account is made from the link mailed to the address.
    page.wait_for_url(f"{live_server.url}/register/sent")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    page.goto(_mailed_link(app_config, r"http://\S+/register/confirm\?token=\S+"))
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(cohort_url)
    assert page.get_by_role("heading", name="JPO Orientation 2026 — Geneva").is_visible()
    members = page.locator("section", has=page.get_by_role("heading", name="Members"))
    assert members.get_by_text("Amina Diallo").is_visible()
    assert members.get_by_text("Kenji Watanabe").is_visible()

    page.locator("details[data-nav-menu] summary").click()  # the account menu
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login")
    page.goto(f"{live_server.url}/login?next=/cohorts/{cohort.slug}")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(cohort_url)
    assert page.get_by_role("heading", name="JPO Orientation 2026 — Geneva").is_visible()
