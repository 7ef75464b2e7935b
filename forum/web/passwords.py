"""Passwords pages (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("passwords", __name__)
