"""Discussions pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("discussions", __name__)


@bp.get("/c")
@login_required
def index():
    """Placeholder until the discussions work lands."""
    return render_template("main/placeholder.html", title="Discussions")
