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
    "RATELIMIT_API": "600 per minute",  # every API request, per person
}


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
        discussions,
        docs,
        moderation,
        people,
    )

    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "The JSON API of Commons. Authentication, errors, pagination "
                                "and rate limits: docs/api.md."},
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
    for module in (people, discussions, chat, community, moderation, admin):
        api.register_blueprint(module.blp)
    app.register_blueprint(bp)
