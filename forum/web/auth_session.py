"""Flask-Login wiring: cookies name a login session, checked on every request and socket event."""

from __future__ import annotations

from flask import Flask, after_this_request, request
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from forum.extensions import db, login_manager
from forum.models import User
from forum.services import login_sessions


def init_login(app: Flask) -> None:
    """Bind Flask-Login and configure its messages and login view."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # "basic": a changed IP or browser marks the session non-fresh instead of dropping it.
    login_manager.session_protection = "basic"


def sign_in(user: User, remember: bool = False) -> None:
    """Start a login session for this device (unless `user` already carries one, as after
    accounts.log_in) and put it in the session cookie, and the remember-me cookie if asked."""
    if user.login_session is None:
        login_sessions.start_session(user, request.user_agent.string, request.remote_addr or "")
    login_user(user, remember=remember)


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """The user whose live login session the session or remember-me cookie names, if active."""
    user = login_sessions.user_for_identity(identity)
    if user is not None and login_sessions.seen_due(user.login_session):
        _touch_later(user.login_session.id)
    return user


def _touch_later(session_id: int) -> None:
    """Refresh last_seen_at without costing the page: after its response is built (socket
    events have no response: at once)."""
    if getattr(request, "sid", None) is not None:  # a Socket.IO event
        login_sessions.touch(session_id)
        return

    @after_this_request
    def _touch(response):
        # Never commit a view's half-done work along with it.
        if not (db.session.new or db.session.dirty or db.session.deleted):
            login_sessions.touch(session_id)
        return response
