"""Flask-Login wiring: load the user from the session and refuse stale session versions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from forum.extensions import login_manager
from forum.models import User
from forum.services import accounts


def init_login(app: Flask) -> None:
    """Bind Flask-Login and configure its messages and login view."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # "basic": a changed IP or browser marks the session non-fresh instead of dropping it.
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Return the user whose id and session version match the cookie, if not banned."""
    return accounts.user_for_session(identity)
