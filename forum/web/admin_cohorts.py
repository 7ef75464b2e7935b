"""Admin pages for cohorts, invitations and roster import (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_cohorts", __name__, url_prefix="/admin/cohorts")
