"""The moderators' pages: review queue, actions, audit log."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__)
