"""The ack of a socket event whose handler raised: always an answer, never a second failure.

Domain errors become `{"ok": false, "error": {...}}`; a database outage becomes `unavailable`
(retryable) without touching the database again (the error message's language comes from the
session or the handshake's Accept-Language, not from the user's profile); anything else is a
logged `server_error`. A failed `connect` is refused with a retryable code (`unavailable` or
`server_error`), so the browser client knows to connect again later.

Error bodies say what a client needs to decide without parsing the message: `retry_after`
(seconds) on `rate_limited` and `unavailable`, and `until` (ISO 8601, UTC) on `suspended`.
"""

from __future__ import annotations

import logging

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError

from forum.errors import DomainError, RateLimited, Unavailable
from forum.extensions import db, login_manager
from forum.lib.degraded import database_unavailable

log = logging.getLogger("forum.sockets")


def error_body(error: DomainError) -> dict:
    """The ack's `error` object: the problem body plus the machine-readable facts a client acts
    on (how long to wait before a retry; until when the account is suspended)."""
    body = error.to_dict()
    if isinstance(error, RateLimited | Unavailable):
        body["retry_after"] = error.retry_after
    if error.code == "suspended":
        until = getattr(current_user, "suspended_until", None)
        if until is not None:
            body["until"] = until.isoformat()
    return body


def refuse_connection(code: str) -> ConnectionRefusedError:
    """The refusal of a connect, with its reason as `connect_error` data `{code}` (clients stop
    reconnecting on `banned`, `logged_out` and `unauthorized`, and retry the others)."""
    return ConnectionRefusedError(code, {"code": code})


def error_ack(error: BaseException) -> dict:
    """The ack for `error` raised by the current event's handler."""
    event = (getattr(request, "event", None) or {}).get("message", "?")
    try:
        db.session.rollback()
    except Exception:  # a dead connection: the pool replaces it on the next checkout
        log.debug("rollback after a failed socket event failed too", exc_info=True)
    if database_unavailable(error):
        # Whoever the socket belongs to, the message must not need the database to be written.
        g._login_user = login_manager.anonymous_user()
        log.warning("socket event %s: database unavailable (%s)", event,
                    str(error).splitlines()[0])
        if event == "connect":
            raise refuse_connection("unavailable")  # python-socketio sends it as connect_error
        return {"ok": False, "error": error_body(Unavailable())}
    if event == "connect":
        log.exception("socket connect failed")
        raise refuse_connection("server_error")
    if isinstance(error, DomainError):
        return {"ok": False, "error": error_body(error)}
    log.exception("socket event %s failed", event)
    try:
        message = _("Something went wrong.")
    except Exception:  # the language could not be chosen: say it in the default one
        message = "Something went wrong."
    return {"ok": False, "error": {"code": "server_error", "message": message}}
