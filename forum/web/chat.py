"""Chat pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("chat", __name__)


@bp.get("/chat")
@login_required
def index():
    """Placeholder until the chat work lands."""
    return render_template("main/placeholder.html", title="Chat")
