"""Reachability of the database and Redis, for /healthz."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from forum.extensions import db
from forum.lib.redis_options import fail_fast


def check_health() -> dict[str, str]:
    """"ok" or "error: <kind>" for the database and, when configured, Redis."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure means unhealthy
        db.session.rollback()
        checks["database"] = f"error: {type(error).__name__}"
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, **fail_fast()).ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {type(error).__name__}"
    return checks
