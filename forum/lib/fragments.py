"""Server-rendered HTML fragments for live updates, rendered the same in or out of a request.

A fragment is broadcast to every viewer, so it must not carry the language or time zone of
whoever's request rendered it: it is rendered in English and UTC with `fragment=True`, and its
labels carry data-i18n keys that static/js/i18n.js replaces with each viewer's own strings.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale


def render_piece(template: str, **context: Any) -> str:
    """Render a partial template with only the context given (and the app's globals).

    Not through render_template: the app's context processors are per viewer (the bell's
    unread COUNT, the current user), which a fragment shared by many readers must not use,
    and they cost a query per fragment.
    """
    return current_app.jinja_env.get_template(template).render(**context)


def render_fragment(template: str, **context: Any) -> str:
    """Render a template; fragments use url_for, so socket events and the CLI get a context."""
    scope = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with scope, force_locale("en"):
        return render_piece(template, fragment=True, **context)
