"""One posting budget per person, whichever way they post: pages, API tokens, the session.

Threads, replies and edits from the pages and from the API count against the same
RATELIMIT_POSTING, so several tokens (or a token beside the browser) do not multiply it.
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from forum.extensions import limiter

SCOPE = "posting"


def _limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def person_key() -> str:
    """The person posting: a bearer token's owner, the logged-in member, else the address.

    Flask-Limiter asks before the API authenticates, so a token is looked up here by its digest
    (one indexed query, only on posting requests); an unknown token counts on its own digest.
    """
    from forum.services import api_tokens

    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        secret = header[len("Bearer "):].strip()
        owner = api_tokens.owner_id(secret)
        return f"person:{owner}" if owner is not None else \
            f"token:{api_tokens.hash_token(secret)[:24]}"
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return f"address:{request.remote_addr}"


def posting_limit(methods: list[str] | None = None):
    """Decorate a view that writes a thread, post or message (`methods`: which of its verbs)."""
    return limiter.shared_limit(_limit, scope=SCOPE, key_func=person_key, methods=methods)
