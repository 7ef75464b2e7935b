"""Whose budget a request spends: rate-limit keys shared by the pages and the API.

Flask-Limiter asks before the API authenticates, so the keys read the credential themselves.
Posting has one budget per person, whichever way they post (pages, any of their API tokens,
the session): several tokens, or a token beside the browser, do not multiply it.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_login import current_user

from forum.extensions import limiter

SCOPE = "posting"


def caller_key() -> str:
    """Per token or per logged-in person, not per address (the API's request budget).

    A digest of the bearer token, or the session's user, without touching the database.
    """
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()[:24]
    if current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return f"api-ip:{request.remote_addr}"


def person_key() -> str:
    """The person posting: a bearer token's owner, the logged-in member, else `caller_key`.

    The token's owner is looked up by its digest (one indexed query, on posting requests only);
    an unknown token counts on its own.
    """
    from forum.services import api_tokens

    header = request.headers.get("Authorization", "")
    owner = api_tokens.owner_id(header[len("Bearer "):].strip()) \
        if header.startswith("Bearer ") else None
    if owner is None and not header and current_user.is_authenticated:
        owner = current_user.id
    return f"person:{owner}" if owner is not None else caller_key()


def _limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def posting_limit(methods: list[str] | None = None):
    """Decorate a view that writes a thread, post or message (`methods`: which of its verbs)."""
    return limiter.shared_limit(_limit, scope=SCOPE, key_func=person_key, methods=methods)
