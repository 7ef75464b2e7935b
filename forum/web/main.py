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
from forum.services import home
from forum.services.health import check_health
from forum.web import avatars
from forum.web import notifications as notifications_web
from forum.web.i18n import js_strings

bp = Blueprint("main", __name__)
bp.add_app_template_global(avatars.avatar_initials)
bp.add_app_template_global(avatars.avatar_tone)


@bp.app_context_processor
def header_counts() -> dict:
    """`header` (unread threads, chat, notifications) for base.html: one query per request.

    Registered before the notifications blueprint's processor, so the bell's count comes from
    this same query instead of a COUNT of its own (unless the page counted it already).
    """
    if not current_user.is_authenticated:
        return {}
    cached = getattr(request, "_header_counts", None)
    if cached is None or cached[0] != current_user.id:
        known = notifications_web.known_unread()
        counts = home.header_counts(current_user, with_notifications=known is None)
        if known is None:
            notifications_web.remember_unread(counts.notifications)
        else:
            counts.notifications = known
        cached = request._header_counts = (current_user.id, counts)
    return {"header": cached[1]}


@bp.get("/")
def index():
    """Home: Latest or Unread across every space the member may read; a welcome for visitors."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    page = home.home_page(current_user, request.args.get("tab", "latest"),
                          request.args.get("after"))
    return render_template("main/home.html", page=page)


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
