"""Home page, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from forum.lib.safe_redirect import safe_next_url
from forum.services.health import check_health

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The home page: the member's spaces, or a welcome for visitors."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return redirect(url_for("discussions.index"))


@bp.post("/language")
def set_language():
    """Switch the interface language for this session (and the profile, when logged in)."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            from forum.services.accounts import set_language as save_language

            save_language(current_user, language)
            login_user(current_user, remember=False, fresh=False)
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))


@bp.get("/healthz")
def healthz():
    """Report whether the database (and Redis, when configured) answer."""
    checks = check_health()
    healthy = all(value == "ok" for value in checks.values())
    return {"status": "ok" if healthy else "error", "checks": checks}, 200 if healthy else 503
