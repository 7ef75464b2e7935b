"""Server-rendered HTML fragments for live updates, rendered the same in or out of a request."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import current_app, has_request_context, render_template


def render_fragment(template: str, **context: Any) -> str:
    """Render a template; fragments use url_for, so socket events and the CLI get a context."""
    scope = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with scope:
        return render_template(template, **context)
