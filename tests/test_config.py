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


def test_database_pool_comes_from_the_environment(tmp_path, monkeypatch):
    from forum.extensions import db

    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("FORUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:1/commons")  # never opened
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "3")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "5")
    app = create_app()
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (7, 3, 5)
        assert pool._pre_ping
    monkeypatch.delenv("DATABASE_POOL_SIZE")  # unset: the gevent-sized default
    assert config.from_environment(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 20


def test_database_pool_settings_are_checked_and_sqlite_keeps_its_pool(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    options = config.from_environment(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True}
    monkeypatch.setenv("DATABASE_POOL_SIZE", "lots")
    with pytest.raises(RuntimeError, match="DATABASE_POOL_SIZE"):
        config.from_environment(str(tmp_path))
