"""API rate limits as documented (docs/api.md, "Rate limits"): one request budget per token
shared by every operation, posting on top of it, 429 headers that describe the limit that
refused, refused requests that spend nothing, and the three limits settable from the environment.
"""

from __future__ import annotations

import pytest

from forum import config, create_app
from tests import search_helpers as content
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import world  # noqa: F401 - fixture

GENEROUS = "1000 per minute"


def _thread(world, title: str = "Hello there") -> dict:  # noqa: F811
    return {"category_id": world.general.id, "title": title, "body": "Body"}


def _limit_headers(response) -> tuple[list[str], list[str], list[str]]:
    """Every value of X-RateLimit-Limit, -Remaining and Retry-After (a second limit's headers
    would show as a second value)."""
    return (response.headers.getlist("X-RateLimit-Limit"),
            response.headers.getlist("X-RateLimit-Remaining"),
            response.headers.getlist("Retry-After"))


def test_one_api_budget_per_token_across_all_operations(app, world):  # noqa: F811
    app.config.update(RATELIMIT_API="4 per minute")
    amina = ApiClient(app, token_for(world.amina))
    statuses = [amina.get(path).status_code
                for path in ("/me", "/categories", "/channels", "/notifications", "/members")]
    assert statuses == [200, 200, 200, 200, 429]
    refused = amina.get("/me")
    assert refused.status_code == 429 and refused.json["error"]["code"] == "rate_limited"
    assert _limit_headers(refused)[:2] == (["4"], ["0"])
    # Per token, as documented: another token (even the same person's) has its own budget.
    assert ApiClient(app, token_for(world.amina)).get("/me").status_code == 200


def test_writes_spend_the_api_budget_too(app, world):  # noqa: F811
    app.config.update(RATELIMIT_API="3 per minute", RATELIMIT_POSTING=GENEROUS)
    amina = ApiClient(app, token_for(world.amina))
    assert amina.get("/me").status_code == 200
    assert [amina.post("/threads", json=_thread(world)).status_code for _ in range(3)] == [
        201, 201, 429]
    assert amina.get("/categories").status_code == 429


def test_refused_requests_spend_no_budget(app, world):  # noqa: F811
    app.config.update(RATELIMIT_API="6 per minute", RATELIMIT_POSTING="2 per minute")
    amina = ApiClient(app, token_for(world.amina))
    # Invalid input (422) is no post: it spends the request budget, not the posting one.
    assert amina.post("/threads", json=_thread(world, title="x")).status_code == 422
    assert [amina.post("/threads", json=_thread(world)).status_code for _ in range(4)] == [
        201, 201, 429, 429]
    # Spent: one 422 and two posts; the two 429s cost nothing, so three requests remain.
    assert [amina.get("/me").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_429_carries_the_headers_of_the_limit_that_refused(app, world):  # noqa: F811
    app.config.update(RATELIMIT_API="50 per minute", RATELIMIT_POSTING="2 per minute",
                      CHAT_RATE_LIMIT=(1, 10))
    room = content.channel("lobby")
    bilal = ApiClient(app, token_for(world.bilal))
    assert bilal.post(f"/channels/{room.id}/messages",
                      json={"body": "one", "client_id": "c-1"}).status_code == 201
    flood = bilal.post(f"/channels/{room.id}/messages", json={"body": "two", "client_id": "c-2"})
    assert flood.status_code == 429
    # The chat limit (1 per 10 s) refused: its numbers, not the posting or API budget's.
    assert _limit_headers(flood) == (["1"], ["0"], ["10"])
    assert int(flood.headers["X-RateLimit-Reset"]) > 0

    amina = ApiClient(app, token_for(world.amina))
    for _ in range(2):
        assert amina.post("/threads", json=_thread(world)).status_code == 201
    posting = amina.post("/threads", json=_thread(world))
    assert posting.status_code == 429
    limit, remaining, retry = _limit_headers(posting)
    assert (limit, remaining) == (["2"], ["0"]) and 0 < int(retry[0]) <= 60

    app.config.update(RATELIMIT_API="1 per minute")
    carla = ApiClient(app, token_for(world.carla))
    assert carla.get("/me").status_code == 200
    api = carla.get("/me")
    assert api.status_code == 429 and _limit_headers(api)[:2] == (["1"], ["0"])


def test_rate_limits_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RATELIMIT_API", "120 per minute")
    monkeypatch.setenv("RATELIMIT_POSTING", "10 per minute; 100 per day")
    monkeypatch.setenv("CHAT_RATE_LIMIT", "5 per 30 seconds")
    settings = config.from_environment(str(tmp_path))
    assert settings["RATELIMIT_API"] == "120 per minute"
    assert settings["RATELIMIT_POSTING"] == "10 per minute; 100 per day"
    assert settings["CHAT_RATE_LIMIT"] == (5, 30)
    monkeypatch.setenv("FORUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app()
    assert app.config["RATELIMIT_API"] == "120 per minute"  # not the built-in default
    assert app.config["CHAT_RATE_LIMIT"] == (5, 30)


@pytest.mark.parametrize(("name", "value"), [
    ("RATELIMIT_API", "lots"), ("RATELIMIT_POSTING", "10 per fortnight"),
    ("CHAT_RATE_LIMIT", "0 per minute"), ("CHAT_RATE_LIMIT", "1/second;2/minute")])
def test_a_malformed_rate_limit_stops_start_up_with_a_clear_error(tmp_path, monkeypatch, name,
                                                                    value):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=f"{name} must be a rate"):
        config.from_environment(str(tmp_path))
