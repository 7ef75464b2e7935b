"""Helpers shared by the API tests: tokens and a JSON client that sends them."""

from __future__ import annotations

import contextvars

from forum.models import User
from forum.services import api_tokens


def token_for(user: User, scope: str = "write", **kw) -> str:
    """A new personal access token of `user` (the secret)."""
    return api_tokens.create_token(user, f"test {scope}", scope, **kw).secret


class ApiClient:
    """Calls the API with a bearer token, each request in a fresh context (like a server)."""

    def __init__(self, app, token: str | None = None) -> None:
        self.client = app.test_client()
        self.token = token

    def call(self, method: str, path: str, **kwargs):
        """One request; `path` is relative to /api/v1."""
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("/") and path.startswith("/api") else "/api/v1" + path
        return contextvars.Context().run(self.client.open, url, method=method,
                                         headers=headers, **kwargs)

    def get(self, path: str, **kw):
        """GET."""
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw):
        """POST."""
        return self.call("POST", path, **kw)

    def patch(self, path: str, **kw):
        """PATCH."""
        return self.call("PATCH", path, **kw)

    def put(self, path: str, **kw):
        """PUT."""
        return self.call("PUT", path, **kw)

    def delete(self, path: str, **kw):
        """DELETE."""
        return self.call("DELETE", path, **kw)
