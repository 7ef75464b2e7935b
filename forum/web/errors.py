"""Error pages and the single mapping of domain errors to HTML responses."""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from forum.errors import DomainError, RateLimited, Unauthorized, Unavailable
from forum.extensions import db, login_manager
from forum.lib import input_checks
from forum.lib.degraded import database_unavailable
from forum.lib.offload import CooperativeInput
from forum.rate_limits import refusal_headers

# Requests that carry a file: their body may be as large as one upload (UPLOAD_MAX_BYTES).
UPLOAD_PATHS = frozenset({"/api/v1/uploads", "/api/v1/me/avatar", "/settings/avatar"})
UPLOAD_ENVELOPE = 64 * 1024  # multipart boundaries, headers and the other small fields


def wants_json() -> bool:
    """API requests, and pages' own fetch() calls asking for JSON, get JSON; pages get HTML."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best_match(
        ("text/html", "application/json")) == "application/json"


def problem(code: str, message: str, status: int, fields: dict | None = None, headers=None):
    """A JSON problem response: {"error": {"code", "message", "fields"?}}."""
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}, status, headers or {}


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large",
              414: "uri_too_long", 415: "unsupported_media_type", 422: "invalid",
              429: "rate_limited", 431: "headers_too_large"}


def _flatten(messages, prefix: str = "") -> dict[str, str]:
    """webargs' {"json": {"title": ["..."]}} → {"title": "..."} (nested keys joined by dots)."""
    if isinstance(messages, dict):
        out: dict[str, str] = {}
        for key, value in messages.items():
            # The location level ("json", "query", "files") says nothing to the caller.
            name = prefix if not prefix and key in ("json", "query", "files", "form") \
                else f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": " ".join(messages)}
    return {prefix or "_body": str(messages)}


def http_problem(error: HTTPException, message: str):
    """An HTTP error of an /api/ request as a JSON problem (with field messages for 422)."""
    status = error.code or 500
    code = HTTP_CODES.get(status, "bad_request")
    if status == 400 and "CSRF" in (error.description or ""):
        code = "csrf_failed"
    fields = None
    data = getattr(error, "data", None) or {}
    if data.get("messages"):
        fields = _flatten(data["messages"])
        message = _("Please correct the highlighted fields.") if status == 422 else \
            next(iter(fields.values()))
    # Allow (405) and the rate-limit headers (429) tell the client what to do next.
    headers = dict(error.get_response().headers) if status in (405, 429) else {}
    headers.pop("Content-Type", None)
    headers.pop("Content-Length", None)
    return problem(code, message, status, fields, headers)


def refuse_malformed_requests(app: Flask) -> None:
    """Refuse a URL (414) or headers (431) over the app's limits, a URL part with NUL or an id
    past the database's integer (404), and NUL in a query or form field (400): PostgreSQL cannot
    hold them, and the query would fail as a server error. For pages and the API alike."""

    @app.url_value_preprocessor
    def _unstorable_path(_endpoint, view_args: dict | None) -> None:
        input_checks.refuse_unstorable_path(view_args)

    def _chunked_body_within_limit() -> None:
        # Werkzeug stops reading a chunked body (no Content-Length) at MAX_CONTENT_LENGTH and
        # says nothing: the rest would be cut off silently. Read it once here (the form and JSON
        # parsers reuse the cached bytes) and refuse it if it reached the limit.
        if request.path in UPLOAD_PATHS:
            # File uploads take bodies up to the upload limit (plus the multipart envelope);
            # every other request keeps MAX_CONTENT_LENGTH.
            request.max_content_length = app.config["UPLOAD_MAX_BYTES"] + UPLOAD_ENVELOPE
            # Parsing a 10 MB multipart body must not hold the gevent hub (chat) throughout:
            # the body is read, and so parsed, chunk by chunk with a yield after each.
            request.environ["wsgi.input"] = CooperativeInput(request.environ["wsgi.input"])
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if chunked and request.content_length is None \
                and len(request.get_data(cache=True)) >= request.max_content_length:
            abort(413)

    # First of all hooks: before CSRF's check, which would parse the cut-off form.
    app.before_request_funcs.setdefault(None, []).insert(0, _chunked_body_within_limit)

    @app.before_request
    def _oversized_request_line_or_headers() -> None:
        # Below gunicorn's own limits (gunicorn.conf.py), so the app answers them, as JSON on
        # /api/v1; past those, gunicorn answers 414 or 431 itself, before the app runs.
        url = request.environ.get("RAW_URI") or request.full_path
        if len(url) > app.config["MAX_URL_LENGTH"]:
            abort(414)
        if sum(len(k) + len(v) for k, v in request.headers.items()) > app.config[
                "MAX_HEADER_BYTES"]:
            abort(431)

    @app.before_request
    def _nul_in_fields() -> None:
        input_checks.refuse_nul_in_fields(request.args)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            input_checks.refuse_nul_in_fields(request.form)


def keep_unavailable_retry_after(app: Flask) -> None:
    """A 503's Retry-After says when to retry the outage, not when a rate-limit window resets
    (Flask-Limiter sets its own on every limited response; register this before it)."""

    @app.after_request
    def _retry_after(response):
        seconds = g.pop("unavailable_retry_after", None)
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
        return response


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to pages or JSON problems, once for the whole app."""
    refuse_malformed_requests(app)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if not isinstance(error, Unavailable):  # (its handler rolled back what it could)
            db.session.rollback()
        headers = refusal_headers(error) if isinstance(error, RateLimited) else {}
        if getattr(error, "retry_after", None):
            headers["Retry-After"] = str(error.retry_after)
        if wants_json():
            body = error.to_dict()  # lazy messages become text in the reader's language
            return problem(body["code"], body["message"], error.status, body.get("fields"),
                           headers)
        if isinstance(error, Unauthorized):
            return redirect(url_for("auth.login", next=request.full_path))
        return render_template("errors/error.html", status=error.status,
                               message=error.message), error.status, headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            message = _("Too many attempts. Please wait a minute and try again.")
        elif error.code == 404:
            message = _("This page does not exist, or you do not have access to it.")
        elif error.code == 403:
            message = _("You are not allowed to do that.")
        elif error.code == 400 and "CSRF" in (error.description or ""):
            message = _("Your form expired. Please go back, reload the page and try again.")
        elif error.code in (413, 414, 431):
            message = _("This request is too large: at most %(body)d MB of body, %(url)d bytes "
                        "of address and %(headers)d bytes of headers.",
                        body=(request.max_content_length or 0) // 2**20,
                        url=app.config["MAX_URL_LENGTH"],
                        headers=app.config["MAX_HEADER_BYTES"])
        else:
            message = error.description or error.name
        if wants_json():
            return http_problem(error, message)
        if error.code == 429 and request.method == "POST" and request.endpoint == "auth.login":
            flash(message, "error")
            return render_template("errors/error.html", status=429, message=message), 429
        return render_template("errors/error.html", status=error.code,
                               message=message), error.code or 500

    @app.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError):
        if not database_unavailable(error):
            return unexpected_error(error)
        # The database is down: answer without it. The page is rendered for an anonymous
        # visitor (the user, their language and their bell all live in the database), in the
        # session's or the browser's language; the API gets a problem; both say when to retry.
        app.logger.warning("database unavailable: %s %s (%s)", request.method, request.path,
                           str(error).splitlines()[0])
        with suppress(SQLAlchemyError):  # a dead connection: the pool replaces it later
            db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        error = Unavailable()
        g.unavailable_retry_after = error.retry_after
        return domain_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        message = _("Something went wrong on our side. Nothing you typed was saved twice; "
                    "please try again.")
        if wants_json():
            return problem("server_error", message, 500)
        return render_template("errors/error.html", status=500, message=message), 500
