"""In Chromium, under the real Content-Security-Policy: the tokens page (secret shown once), the
API reference page, and same-site JavaScript calling the API with the cookie and CSRF header."""

from __future__ import annotations

import pytest
import requests

from forum.extensions import db
from forum.models import Category

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_tokens_page_reference_page_and_same_site_fetch(live_server, make, new_page):
    make.user("amina", display_name="Amina Diallo")
    db.session.add(Category(slug="general", name="General"))
    db.session.commit()
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/u/amina")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("roster bot")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Token “roster bot”").input_value()
    assert secret.startswith("cmn_")
    assert page.get_by_text("it is shown only once").is_visible()
    me = requests.get(f"{live_server.url}/api/v1/me", timeout=10,
                      headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["username"] == "amina"
    page.goto(f"{live_server.url}/settings/tokens")
    assert secret not in page.content()
    assert page.get_by_role("cell", name="roster bot", exact=True).is_visible()

    # Same-site JavaScript: the cookie authenticates; writes need the page's CSRF token.
    script = """async (withToken) => {
        const headers = {"Content-Type": "application/json"};
        if (withToken) headers["X-CSRFToken"] =
            document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch("/api/v1/threads", {method: "POST", headers, body: JSON.stringify(
            {category_id: 1, title: "From the page", body: "Hello"})});
        return [r.status, (await r.json())];
    }"""
    status, body = page.evaluate(script, False)
    assert status == 400 and body["error"]["code"] == "csrf_failed"
    status, body = page.evaluate(script, True)
    assert status == 201 and body["title"] == "From the page"

    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.get_by_role("heading", name="Commons API").is_visible()
    assert page.get_by_role("heading", name="Discussions", exact=True).is_visible()
    assert page.get_by_text("/api/v1/channels/{channel_id}/messages").first.is_visible()
    page.get_by_role("link", name="/api/v1/openapi.json").click()
    page.wait_for_url(f"{live_server.url}/api/v1/openapi.json")
    assert violations == []
