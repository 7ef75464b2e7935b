"""The notification centre and notification preferences."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__)
