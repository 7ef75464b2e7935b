"""Request size limits through a real gunicorn server (gunicorn.conf.py): what the app can see it
answers itself — a JSON problem on /api/v1, an HTML page elsewhere — including a chunked body
over MAX_CONTENT_LENGTH; past gunicorn's own outer limits, gunicorn answers with its HTML."""

from __future__ import annotations

import requests

from tests.api_helpers import token_for

MB = 1024 * 1024


def _chunks(total: int, size: int = 64 * 1024):
    """A body sent with Transfer-Encoding: chunked (no Content-Length to refuse it early)."""
    yield b'{"title": "'
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def _problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    assert response.json()["error"]["code"] == code


def test_limits_on_a_live_server(live_server, make):
    amina = make.user("amina")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token_for(amina)}"
    base = live_server.url

    # A chunked body over 2 MB: the app stops reading at the limit and answers 413 as JSON.
    chunked = api.post(f"{base}/api/v1/threads", data=_chunks(2 * MB + 256 * 1024),
                       headers={"Content-Type": "application/json"}, timeout=30)
    _problem(chunked, 413, "too_large")
    # The same on a page is an HTML page.
    page = requests.post(f"{base}/login", data=_chunks(2 * MB + 256 * 1024), timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413 and page.headers["Content-Type"].startswith("text/html")
    # A body under the limit, chunked, is read as usual (here: invalid, so 422, not 413).
    small = api.post(f"{base}/api/v1/threads", data=_chunks(1024),
                     headers={"Content-Type": "application/json"}, timeout=30)
    _problem(small, 422, "invalid")

    # An address over the app's 4096 bytes but within gunicorn's line: JSON 414.
    _problem(api.get(f"{base}/api/v1/search", params={"q": "a" * 5000}, timeout=10), 414,
             "uri_too_long")
    # Headers over the app's 16 KB in total (each within gunicorn's 8190 bytes): JSON 431.
    big = {f"X-Filler-{n}": "y" * 6000 for n in range(3)}
    _problem(api.get(f"{base}/api/v1/me", headers=big, timeout=10), 431, "headers_too_large")
    assert api.get(f"{base}/api/v1/me", timeout=10).status_code == 200

    # Past gunicorn's own limits the app never runs: gunicorn's HTML 414 / 431, as documented.
    for response, status in (
            (api.get(f"{base}/api/v1/search", params={"q": "a" * 9000}, timeout=10), 414),
            (api.get(f"{base}/api/v1/me", headers={"X-Filler": "y" * 9000}, timeout=10), 431),
            (api.get(f"{base}/api/v1/me", headers={f"X-F-{n}": "y" for n in range(70)},
                     timeout=10), 431)):
        assert response.status_code == status
        assert not response.headers.get("Content-Type", "").startswith("application/json")


def test_app_limits_without_gunicorn(app, make):
    """The same app-side limits through the Flask test client (no server layer)."""
    client = app.test_client()
    amina = make.user("amina")
    bearer = {"Authorization": f"Bearer {token_for(amina)}"}
    long_url = client.get("/api/v1/search?q=" + "a" * 5000, headers=bearer)
    assert long_url.status_code == 414 and long_url.json["error"]["code"] == "uri_too_long"
    headers = {**bearer, **{f"X-Filler-{n}": "y" * 6000 for n in range(3)}}
    many = client.get("/api/v1/me", headers=headers)
    assert many.status_code == 431 and many.json["error"]["code"] == "headers_too_large"
    page = client.get("/login?next=" + "a" * 5000)
    assert page.status_code == 414 and page.mimetype == "text/html"
    # A 50 000-character post of emoji fits in a form (Flask's 500 KB default would refuse it).
    assert app.config["MAX_FORM_MEMORY_SIZE"] >= 50_000 * 12
