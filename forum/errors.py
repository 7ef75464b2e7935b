"""Domain errors raised by services and mapped once per entry point (HTML, JSON, socket ack).

Messages are shown to people: services pass gettext() strings (translated for the requester),
and the defaults here are lazy so they translate when rendered, not at import time.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

_LazyText = type(_l(""))


class DomainError(Exception):
    """Base class: a code, a human message, an HTTP status and optional per-field messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: str | _LazyText, *, fields: dict[str, str] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def to_dict(self) -> dict:
        """The problem body shared by the API and socket acks."""
        # str(): lazy messages become text in the current locale (JSON cannot hold them).
        body: dict = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {key: str(value) for key, value in self.fields.items()}
        return body


class Invalid(DomainError):
    """The input breaks a rule; nothing was written."""

    status = 422
    code = "invalid"


class BadRequest(DomainError):
    """The request itself is malformed (JSON nested too deeply, a NUL in a field)."""

    status = 400
    code = "bad_request"


class NotFound(DomainError):
    """Missing, or invisible to this user (privacy: we never say which)."""

    status = 404
    code = "not_found"

    def __init__(self, message: str | _LazyText = _l("Not found."), **kw) -> None:
        super().__init__(message, **kw)


class Forbidden(DomainError):
    """Visible, but this user may not do that."""

    status = 403
    code = "forbidden"

    def __init__(self, message: str | _LazyText = _l("You are not allowed to do that."),
                 **kw) -> None:
        super().__init__(message, **kw)


class Conflict(DomainError):
    """The action clashes with the current state (already exists, already used)."""

    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many actions in a short time."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str | _LazyText, retry_after: int = 60,
                 limit: int | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.limit = limit  # how many the refusing limit allows per window (X-RateLimit-Limit)


class Unavailable(DomainError):
    """A store the request needs (the database) is down or overloaded: nothing was written, the
    same request may be sent again in a moment (a chat send with the same client_id)."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str | _LazyText = _l(
            "Commons is briefly unavailable. Nothing was lost: please try again in a moment."),
                 retry_after: int = 5, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after

    def to_dict(self) -> dict:
        """The problem body, marked retryable (socket clients retry it with backoff)."""
        return {**super().to_dict(), "retryable": True}


class Unauthorized(DomainError):
    """Not logged in."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str | _LazyText = _l("Please log in."), **kw) -> None:
        super().__init__(message, **kw)
