"""Whose budget a request spends: rate-limit keys and budgets shared by the pages and the API.

Flask-Limiter asks before the API authenticates, so the keys read the credential themselves.
- The API has one request budget per caller (a token, else the logged-in person), shared by all
  its operations (RATELIMIT_API).
- Posting has one budget per person, whichever way they post (pages, any of their API tokens,
  the session): several tokens, or a token beside the browser, do not multiply it.
A refused request spends nothing: a 429 spends neither budget, and posting is spent only by a
write that went through (not by invalid input, a missing permission or a service's refusal).
A 429's X-RateLimit-* and Retry-After headers describe the limit that refused it.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app, request
from flask.wrappers import Response
from flask_login import current_user

from forum.errors import RateLimited
from forum.extensions import limiter

SCOPE = "posting"
API_SCOPE = "api"


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


def _api_limit() -> str:
    return current_app.config["RATELIMIT_API"]


def _not_refused(response: Response) -> bool:
    """A request refused by a rate limit spends no budget (so a client's retries cost nothing)."""
    return response.status_code != 429


def _written(response: Response) -> bool:
    """Posting budget is spent by a write that went through (2xx, or a page's redirect)."""
    return response.status_code < 400


def posting_limit(methods: list[str] | None = None):
    """Decorate a view that writes a thread, post or message (`methods`: which of its verbs)."""
    # override_defaults=False: on the API, the caller's request budget applies as well.
    return limiter.shared_limit(_limit, scope=SCOPE, key_func=person_key, methods=methods,
                                deduct_when=_written, override_defaults=False)


def api_limit(blueprint) -> None:
    """Put an API blueprint under the one request budget per caller (RATELIMIT_API)."""
    limiter.shared_limit(_api_limit, scope=API_SCOPE, key_func=caller_key,
                         deduct_when=_not_refused)(blueprint)


def refusal_headers(error: RateLimited) -> dict[str, str]:
    """Headers of a 429 refused by a service's own limit (chat flood, a new member's tier).

    They describe that limit; Flask-Limiter's headers (of the API or posting budget, which did
    not refuse) are left off, or they would contradict it.
    """
    limiter.context.view_rate_limit = None  # Flask-Limiter adds its headers from this
    headers = {"Retry-After": str(error.retry_after)}
    if error.limit:
        headers.update({"X-RateLimit-Limit": str(error.limit), "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": str(int(time.time()) + error.retry_after)})
    return headers
