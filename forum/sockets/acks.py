"""The ack of a socket event whose handler raised: always an answer, never a second failure.

Domain errors become `{"ok": false, "error": {...}}`; a database outage becomes `unavailable`
(retryable) without touching the database again (the error message's language comes from the
session or the handshake's Accept-Language, not from the user's profile); anything else is a
logged `server_error`. A failed `connect` is refused (the client reconnects later).
"""

from __future__ import annotations

import logging

from flask import g, request
from flask_babel import gettext as _

from forum.errors import DomainError, Unavailable
from forum.extensions import db, login_manager
from forum.lib.degraded import database_unavailable

log = logging.getLogger("forum.sockets")


def error_ack(error: BaseException) -> dict | bool:
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
            return False
        return {"ok": False, "error": Unavailable().to_dict()}
    if event == "connect":
        log.exception("socket connect failed")
        return False
    if isinstance(error, DomainError):
        return {"ok": False, "error": error.to_dict()}
    log.exception("socket event %s failed", event)
    try:
        message = _("Something went wrong.")
    except Exception:  # the language could not be chosen: say it in the default one
        message = "Something went wrong."
    return {"ok": False, "error": {"code": "server_error", "message": message}}
