"""The JSON API under /api/v1 (see docs/ and the OpenAPI document)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register_api(app: Flask) -> None:
    """Attach the API blueprint."""
    app.register_blueprint(bp)
