"""API authentication: bearer tokens (scopes, expiry, revocation, bans, suspensions), the session
cookie with CSRF, rate limits, and error shapes — never HTML from /api/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ApiToken, Thread, utcnow
from forum.services import api_tokens
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import world  # noqa: F401 - fixture


@pytest.fixture
def app_config(app_config, request):
    """Tests add configuration keys through indirect parametrisation."""
    return {**app_config, **getattr(request, "param", {})}


def _thread(world) -> dict:  # noqa: F811
    return {"category_id": world.general.id, "title": "Hello there", "body": "Body"}


def test_missing_bad_revoked_expired_and_banned_tokens_are_401(app, world):  # noqa: F811
    anonymous = ApiClient(app).get("/me")
    assert anonymous.json["error"]["code"] == "unauthorized"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer", "Basic abc", "Bearer cmn_nope", "Bearer " + "x" * 40):
        response = ApiClient(app).get("/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.is_json and response.json["error"]["code"] == "invalid_token"
    secret = token_for(world.amina)
    client = ApiClient(app, secret)
    assert client.get("/me").json["username"] == "amina"
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.amina.id))
    assert token.last_used_at is not None
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.prefix == secret[:8] and secret.startswith("cmn_")
    api_tokens.revoke_token(world.amina, token.id)
    revoked = client.get("/me")
    assert revoked.status_code == 401 and "revoked" in revoked.json["error"]["message"]

    expiring = api_tokens.create_token(world.bilal, "soon", "read", expires_in_days=1)
    expiring.token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = ApiClient(app, expiring.secret).get("/me")
    assert expired.status_code == 401 and "expired" in expired.json["error"]["message"]

    banned = ApiClient(app, token_for(world.carla))
    assert banned.get("/me").status_code == 200
    world.carla.banned_at = utcnow()
    db.session.commit()
    assert banned.get("/me").status_code == 401


def test_read_only_token_reads_but_cannot_write(app, world):  # noqa: F811
    reader = ApiClient(app, token_for(world.amina, scope="read"))
    assert reader.get("/categories").status_code == 200
    refused = reader.post("/threads", json=_thread(world))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "insufficient_scope"
    assert reader.patch("/me", json={"bio": "x"}).status_code == 403
    assert db.session.scalar(select(Thread.id)) is None


def test_suspended_user_reads_but_cannot_write(app, world):  # noqa: F811
    client = ApiClient(app, token_for(world.amina))
    world.amina.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert client.get("/categories").status_code == 200
    refused = client.post("/threads", json=_thread(world))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "suspended"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_session_cookie_needs_csrf_header_bearer_does_not(app, app_config, world):  # noqa: F811
    browser = app.test_client()
    page = browser.get("/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert browser.post("/login", data={"email": world.amina.email, "csrf_token": csrf,
                                         "password": "correct horse battery"}).status_code == 302
    assert browser.get("/api/v1/me").json["username"] == "amina"
    refused = browser.post("/api/v1/threads", json=_thread(world))
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    assert db.session.scalar(select(Thread.id)) is None
    token = re.search(r'name="csrf-token" content="([^"]+)"', browser.get("/").text)
    header = token.group(1) if token else csrf
    accepted = browser.post("/api/v1/threads", json=_thread(world),
                            headers={"X-CSRFToken": header})
    assert accepted.status_code == 201, accepted.json
    # A bearer token is no ambient credential: no CSRF token needed.
    bearer = ApiClient(app, token_for(world.bilal)).post("/threads", json=_thread(world))
    assert bearer.status_code == 201


def test_rate_limit_is_429_with_retry_after(app, world):  # noqa: F811
    app.config.update(RATELIMIT_POSTING="2 per minute", MODERATION_NEW_MEMBER_DAYS=0)
    client = ApiClient(app, token_for(world.amina))
    statuses = [client.post("/threads", json=_thread(world)).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    limited = client.post("/threads", json=_thread(world))
    assert limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/categories").status_code == 200  # reading is a separate budget


def test_errors_are_json_problems(app, world):  # noqa: F811
    client = ApiClient(app, token_for(world.amina))
    cases = [
        (client.get("/nowhere"), 404, "not_found"),
        (client.call("PUT", "/me", json={}), 405, "method_not_allowed"),
        (client.post("/threads", data="{nope", content_type="application/json"), 400,
         "bad_request"),
        (client.post("/threads", data="title=x", content_type="application/x-www-form-urlencoded"),
         415, "unsupported_media_type"),
        (client.post("/threads", data=b"x" * (3 * 1024 * 1024),
                     content_type="application/json"), 413, "too_large"),
        (client.post("/threads", json={"title": 5}), 422, "invalid"),
        (client.get("/threads/999999"), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (status, response.data[:200])
        assert response.is_json and response.json["error"]["code"] == code
        assert response.json["error"]["message"]
    assert "Allow" in cases[1][0].headers
    assert cases[5][0].json["error"]["fields"]["title"] == "Not a valid string."
    assert cases[5][0].json["error"]["fields"]["category_id"]


def test_token_page_shows_secret_once_and_revokes(app, world):  # noqa: F811
    from tests.discussions_helpers import Browser

    browser = Browser(app, world.amina)
    assert "API tokens" in browser.get(f"/u/{world.amina.username}").text
    created = browser.post("/settings/tokens", data={"name": "bot", "scope": "write",
                                                     "expires_in_days": "30"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(cmn_[^"]+)"', created.text).group(1)
    assert ApiClient(app, secret).post("/threads", json=_thread(world)).status_code == 201
    listing = browser.get("/settings/tokens").text
    assert secret not in listing and secret[:8] in listing and "bot" in listing
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.amina.id))
    assert token.expires_at is not None and token.scope == "write"
    bad = browser.post("/settings/tokens", data={"name": "", "scope": "admin"})
    assert bad.status_code == 422
    # Someone else's token cannot be revoked (404); one's own can, and stops working at once.
    other = Browser(app, world.bilal)
    assert other.post(f"/settings/tokens/{token.id}/revoke").status_code == 404
    assert browser.post(f"/settings/tokens/{token.id}/revoke").status_code == 302
    assert ApiClient(app, secret).get("/me").status_code == 401
    assert "Revoked" in browser.get("/settings/tokens").text


def test_openapi_document_and_reference_page(app, world):  # noqa: F811
    spec = app.test_client().get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    assert "bearerAuth" in spec.json["components"]["securitySchemes"]
    page = app.test_client().get("/api/v1/docs")
    assert page.status_code == 200
    assert "/api/v1/channels/{channel_id}/messages" in page.text
    assert "<script" not in page.text.split("</header>", 1)[-1].split("<footer", 1)[0]


def test_reloading_after_creating_a_token_does_not_create_another(app, world):  # noqa: F811
    from tests.discussions_helpers import Browser

    browser = Browser(app, world.amina)
    form = browser.get("/settings/tokens").text
    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]{32})"', form)
    assert request_id, "the form carries a one-time request id"
    data = {"name": "sync", "scope": "read", "request_id": request_id.group(1)}
    assert browser.post("/settings/tokens", data=data).status_code == 201
    again = browser.post("/settings/tokens", data=data)  # the browser's "resend the form?"
    assert again.status_code == 409 and "already sent" in again.text
    assert "cmn_" not in again.text.split("Your tokens")[0]
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == world.amina.id)) == 1
    # A fresh form (a new id) creates a second token as asked.
    fresh = re.search(r'name="request_id" type="hidden" value="([0-9a-f]{32})"', again.text)
    assert fresh and fresh.group(1) != request_id.group(1)
    assert browser.post("/settings/tokens", data={**data, "request_id": fresh.group(1)}
                        ).status_code == 201


def test_one_posting_budget_per_person_across_tokens_and_the_pages(app, world):  # noqa: F811
    from tests.discussions_helpers import Browser

    app.config.update(RATELIMIT_POSTING="3 per minute", MODERATION_NEW_MEMBER_DAYS=0)
    first, second = (ApiClient(app, token_for(world.amina)) for _ in range(2))
    assert first.post("/threads", json=_thread(world)).status_code == 201
    assert second.post("/threads", json=_thread(world)).status_code == 201
    browser = Browser(app, world.amina)
    page = browser.post(f"/c/{world.general.slug}/new",
                        data={"title": "From the page", "body": "Body"})
    assert page.status_code == 302
    # Three posts spent, by two tokens and the browser: every way in is now refused.
    assert first.post("/threads", json=_thread(world)).status_code == 429
    assert second.post("/threads", json=_thread(world)).status_code == 429
    assert browser.post(f"/c/{world.general.slug}/new",
                        data={"title": "One more", "body": "Body"}).status_code == 429
    # Someone else's budget is their own.
    assert ApiClient(app, token_for(world.bilal)).post(
        "/threads", json=_thread(world)).status_code == 201
