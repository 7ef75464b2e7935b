"""The member directory and find-a-mentor."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("directory", __name__)
