"""Who is calling the API: a personal access token (Bearer) or the browser's session cookie.

Bearer requests carry no ambient credential, so they are exempt from CSRF; cookie requests that
change something must send the CSRF token in the `X-CSRFToken` header, like forms do. Read-only
tokens may only read. Every API route except the OpenAPI document needs one of the two.
"""

from __future__ import annotations

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from forum.api.parsing import CheckedBlueprint
from forum.errors import Forbidden, Unauthorized
from forum.extensions import csrf
from forum.models import User
from forum.rate_limits import api_limit
from forum.services import api_tokens

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


BODY_TYPES = frozenset({"application/json", "multipart/form-data"})


def _check_body() -> None:
    """Refuse oversized bodies (413) and bodies that are neither JSON nor a file upload (415).

    A chunked body has no length to check here: Werkzeug answers 413 when reading it passes
    MAX_CONTENT_LENGTH.
    """
    if request.content_length and request.content_length > (request.max_content_length or 0):
        abort(413)
    has_body = request.content_length or "chunked" in request.headers.get("Transfer-Encoding", "")
    if request.method in ("POST", "PUT", "PATCH") and has_body \
            and request.mimetype not in BODY_TYPES:
        abort(415, _("Send JSON (Content-Type: application/json)."))


def authenticate() -> None:
    """Resolve the caller into `g.api_user` (and `g.api_token`), or raise Unauthorized."""
    _check_body()
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized(_("Use an Authorization: Bearer <token> header."),
                               code="invalid_token")
        user, token = api_tokens.resolve_token(secret.strip())
        if request.method not in SAFE_METHODS and not token.can_write:
            raise Forbidden(_("This token is read-only."), code="insufficient_scope")
        g.api_user, g.api_token = user, token
        return
    if not current_user.is_authenticated:
        raise Unauthorized(_("Send a personal access token (Authorization: Bearer ...) "
                             "or log in."))
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # the session cookie is ambient: a foreign page could send it
    g.api_user, g.api_token = current_user._get_current_object(), None


def api_user() -> User:
    """The authenticated caller of the current API request."""
    return g.api_user


def _challenge(response):
    """A 401 names the scheme to use (RFC 6750)."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="commons"')
    return response


def api_blueprint(name: str, import_name: str, description: str,
                  url_prefix: str = "/api/v1") -> CheckedBlueprint:
    """A flask-smorest blueprint of the API: authenticated, CSRF-exempt for bearer tokens
    (checked in `authenticate` for cookies), and under the caller's one API request budget."""
    blp = CheckedBlueprint(name, import_name, url_prefix=url_prefix, description=description)
    blp.before_request(authenticate)
    blp.after_request(_challenge)
    csrf.exempt(blp)
    api_limit(blp)
    return blp
