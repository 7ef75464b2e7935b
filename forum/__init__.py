"""Commons: a community-of-practice forum for programme cohorts and their mentors."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, sockets, CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("FORUM_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_sockets(app)
    register_engineio_guard(app)
    register_cli(app)
    logging.basicConfig(level=logging.INFO)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    """Load defaults, then the environment, then the test overrides."""
    from forum import config

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_object(config.Config)
        app.config.update(config.from_environment(app.instance_path))
    else:
        app.config.from_object(config.TestConfig)
        app.config["SECRET_KEY"] = "test-secret-key"
        app.config.update(test_config)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension instances from forum.extensions."""
    from forum import extensions as ext
    from forum.web import template_gettext
    from forum.web.csp_report import CSP_REPORT_GROUP, CSP_REPORT_PATH
    from forum.web.i18n import select_locale, select_timezone

    ext.db.init_app(app)
    _sqlite_pragmas(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), render_as_batch=True)
    ext.csrf.init_app(app)
    from forum.web.errors import keep_unavailable_retry_after

    keep_unavailable_retry_after(app)  # before the limiter: runs after its header injection
    ext.limiter.init_app(app)
    ext.babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    template_gettext.install(app)
    ext.talisman.init_app(
        app,
        force_https=False,  # TLS is terminated by nginx; see docs/deployment.md
        strict_transport_security=app.config.get("FORUM_ENV") == "production",
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "connect-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'none'",
            "frame-ancestors": "'none'",
            "form-action": "'self'",
            # Violations are reported (forum/web/csp_report.py): report-to names the endpoint in
            # the Reporting-Endpoints header; report-uri is for browsers without it.
            "report-to": CSP_REPORT_GROUP,
        },
        content_security_policy_nonce_in=["script-src"],
        content_security_policy_report_uri=CSP_REPORT_PATH,
        referrer_policy="same-origin",
        frame_options="DENY",
    )
    from forum.web.auth_session import init_login

    init_login(app)
    from forum.lib.storage import init_storage

    init_storage(app)


def _sqlite_pragmas(app: Flask) -> None:
    """Enforce foreign keys and use WAL on SQLite (the embedded default)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    from forum.extensions import db

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()


def register_blueprints(app: Flask) -> None:
    """Attach the HTML pages, the JSON API and the error handlers."""
    from forum.web import register_web

    register_web(app)
    from forum.api import register_api

    register_api(app)


def register_sockets(app: Flask) -> None:
    """Import the socket handlers (they register on the instance), then bind Socket.IO."""
    from forum import sockets  # noqa: F401 - registers handlers
    from forum.extensions import socketio

    # The SocketIO instance outlives one app (tests build many): forget a previous app's Redis
    # manager, or an app without REDIS_URL would inherit its message queue.
    socketio.server_options.pop("client_manager", None)
    socketio.server_options.pop("message_queue", None)
    queue = {}
    if app.config.get("REDIS_URL"):
        # A Redis queue whose listener tells this process's sockets to resync when it comes
        # back after an outage (forum/lib/queue_manager.py).
        from forum.lib.queue_manager import ResyncingRedisManager
        from forum.services.presence import resync_local_in

        queue["client_manager"] = ResyncingRedisManager(
            app.config["REDIS_URL"], channel=app.config.get("SOCKETIO_CHANNEL", "commons-socketio"),
            on_reconnect=lambda: resync_local_in(app))
    from forum.lib import polling_batches, socket_json

    # No polling answer over the 16 packets a python-engineio client accepts: a burst (every
    # client rejoining after a Redis outage) dropped them all (forum/lib/polling_batches.py).
    polling_batches.install()
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        **queue,
        # None: python-engineio accepts only the site's own origin (same scheme, host and port).
        cors_allowed_origins=app.config.get("SOCKETIO_ALLOWED_ORIGINS"),
        manage_session=False,  # the Flask session cookie stays the source of truth
        json=socket_json,  # a packet nested past the parser's stack is answered, not dropped
        # Engine.IO's liveness check: a client gone without a word is dropped (and leaves
        # presence) after ping_interval + ping_timeout seconds.
        ping_interval=app.config.get("SOCKETIO_PING_INTERVAL", 25),
        ping_timeout=app.config.get("SOCKETIO_PING_TIMEOUT", 20),
        max_http_buffer_size=256 * 1024,
    )


def register_engineio_guard(app: Flask) -> None:
    """Refuse JSONP polling and give Engine.IO's HTTP answers the pages' security headers."""
    from forum.lib.engineio_guard import EngineIOGuard

    app.wsgi_app = EngineIOGuard(app.wsgi_app, path=app.wsgi_app.engineio_path)


def register_cli(app: Flask) -> None:
    """Add the `flask forum ...` commands."""
    from forum.cli import forum_cli

    app.cli.add_command(forum_cli)
