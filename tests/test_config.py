"""Configuration from the environment: secret key handling, database URLs, health of Redis."""

from __future__ import annotations

import pytest

from forum import config, create_app


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load_secret_key(str(tmp_path), production=False)
    assert len(first) == 64
    assert config.load_secret_key(str(tmp_path), production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FORUM_ENV", "production")
    monkeypatch.setenv("FORUM_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_settings_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FORUM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/commons")
    monkeypatch.setenv("REDIS_URL", "redis://r:6379/0")
    settings = config.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/commons"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://r:6379/0"
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_health_reports_unreachable_redis(app_config, backend):
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"].startswith("error")
