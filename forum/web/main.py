"""Home page, language switch and health check."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user, login_user

from forum.lib.safe_redirect import safe_next_url
from forum.services.health import check_health
from forum.web.i18n import js_strings

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


@bp.get("/i18n/<language>.js")
def js_catalogue(language: str):
    """The JavaScript strings of one language as an ES module (static/js/i18n.js imports it)."""
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    with force_locale(language):
        body = "export default " + json.dumps(js_strings(), ensure_ascii=False) + ";\n"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 3600  # one URL per language: safe to share
    return response


@bp.get("/healthz")
def healthz():
    """Report whether the database (and Redis, when configured) answer."""
    checks = check_health()
    healthy = all(value == "ok" for value in checks.values())
    return {"status": "ok" if healthy else "error", "checks": checks}, 200 if healthy else 503
