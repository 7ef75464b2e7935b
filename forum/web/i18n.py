"""Language and time zone selection for Flask-Babel."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, request, session
from flask_babel import format_timedelta
from flask_login import current_user

from forum.config import RTL_LANGUAGES
from forum.models.base import utcnow


def select_locale() -> str | None:
    """The user's chosen language, else the session's, else the browser's best match."""
    if not has_request_context():
        return None  # CLI commands and background work: the default locale
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) if request else None


def select_timezone() -> str | None:
    """The user's time zone; UTC for visitors."""
    if getattr(current_user, "is_authenticated", False):
        return current_user.timezone or "UTC"
    return None


def text_direction(locale: str) -> str:
    """`rtl` for right-to-left languages, else `ltr`."""
    return "rtl" if locale.split("_")[0] in RTL_LANGUAGES else "ltr"


def format_timedelta_ago(moment: datetime | None) -> str:
    """"3 minutes ago" in the user's language."""
    if moment is None:
        return ""
    return format_timedelta(moment - utcnow(), add_direction=True, granularity="minute")
