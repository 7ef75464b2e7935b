"""The composer's preview: Markdown rendered by the one sanitizer, exactly as a post would be."""

from __future__ import annotations

from forum.models import User
from forum.services import access
from forum.services.discussions import render_body


def preview(user: User, source: str) -> str:
    """The sanitized HTML a post with this Markdown would show (Invalid if empty or too long)."""
    access.require_login(user)
    return render_body(source)
