"""Profile pages (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("profile", __name__)
