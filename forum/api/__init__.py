"""The JSON API under /api/v1: flask-smorest blueprints whose schemas generate the OpenAPI
document served at /api/v1/openapi.json (browsable at /api/v1/docs). See docs/api.md.

Entry points only: parse (marshmallow), call one service, serialise. Errors are JSON problems,
mapped once in forum/web/errors.py.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from forum.api.schemas import ProblemSchema

API_PREFIX = "/api/v1"

# The plain blueprint of the reference page and other non-resource routes.
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

SETTINGS = {
    "API_TITLE": "Commons API",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": API_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "RATELIMIT_API": "600 per minute",  # one budget per token (or session), all operations
}

DESCRIPTION = (
    "The JSON API of Commons. Authentication, errors, pagination and rate limits: docs/api.md. "
    "Errors are JSON problems `{\"error\": {\"code\", \"message\", \"fields\"?}}`. "
    "Rate limits: one request budget per token (RATELIMIT_API) shared by every operation, plus "
    "a posting budget per person; a 429's X-RateLimit-* and Retry-After headers describe the "
    "limit that refused it, and a refused request spends no budget. Limits: bodies up to 2 MB "
    "(413 `too_large`, also chunked), path and query up to 4096 bytes (414 `uri_too_long`), "
    "headers up to 16 KB (431 `headers_too_large`), JSON nested up to 32 levels (400), no lone "
    "UTF-16 surrogates in strings (422), ids up to 2147483647. A write held for review by the "
    "word filter answers 202 with `held: true`: it is stored, do not send it again.")


class CommonsApi(Api):
    """flask-smorest, with our problem schema and without its app-wide error handler.

    flask-smorest would register a handler for every HTTPException of the whole app (pages
    included); forum/web/errors.py already maps them, JSON problems for /api/ paths.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive id that fits the database's integer (larger ones are 404, not a
    database error)."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=2**31 - 1)


def _id_schema(converter: IdConverter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def register_api(app: Flask) -> None:
    """Attach the API blueprints, generate the spec, exempt bearer calls from CSRF."""
    from forum.api import (  # noqa: F401
        admin,
        chat,
        community,
        composer,
        discussions,
        docs,
        moderation,
        people,
        uploads,
    )

    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "A personal access token (cmn_...) from your "
                                          "profile's API tokens page."},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                           "description": "The browser session; writes need X-CSRFToken."},
        }},
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    })
    app.url_map.converters["id"] = IdConverter
    api = CommonsApi()
    api.init_app(app)
    api.register_converter(IdConverter, _id_schema)
    app.extensions["commons-api"] = api
    for module in (people, discussions, chat, community, moderation, admin, composer,
                   uploads):
        api.register_blueprint(module.blp)
    app.register_blueprint(bp)
