"""Fixtures in the spirit of flaskr: app, client, runner, auth — on SQLite and PostgreSQL.

Every test runs on SQLite. With FORUM_TEST_DATABASE_URL set (CI sets it), every test runs a
second time on PostgreSQL. Suites that need PostgreSQL, Redis or Chromium skip on a laptop without
them, but fail under CI=true (see `require`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.extensions import db
from forum.models.search import install_search_index
from tests import factories
from tests.support import require

# Tests that drive real server processes or Chromium get ONE retry (pytest-rerunfailures): on a
# loaded 2-core CI machine a race outside the app (a page module not run yet, a process slow to
# answer) must not fail the whole run, while a real defect fails both tries. Retries are
# reported ("R" in the progress line, RERUN in the -ra summary). The fault suite runs once: its
# recovery figures are what it measures.
_RETRIED_FIXTURES = {"live_server", "new_page", "browser_page", "two_servers"}


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the live and browser tests as retried once (see above)."""
    for item in items:
        if item.get_closest_marker("faults"):
            continue
        if (item.get_closest_marker("browser") or item.get_closest_marker("live")
                or _RETRIED_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))

PG_URL = os.environ.get("FORUM_TEST_DATABASE_URL")


def _worker_pg_url(base_url: str, worker: str) -> str:
    """One PostgreSQL database per xdist worker, created on first use."""
    from sqlalchemy import create_engine

    from forum.config import normalise_database_url

    url = make_url(normalise_database_url(base_url))
    # The pid keeps two test runs on one machine (two developers, CI) out of each other's way.
    name = f"{url.database}_{worker}_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url_string: str) -> None:
    from sqlalchemy import create_engine

    url = make_url(url_string)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, worker_id: str) -> Iterator[str | None]:
    """The database backend under test; PostgreSQL needs FORUM_TEST_DATABASE_URL."""
    if request.param == "postgresql":
        if not PG_URL:
            require(False, "FORUM_TEST_DATABASE_URL is not set: PostgreSQL suite not run")
        url = _worker_pg_url(PG_URL, worker_id)
        yield url
        _drop_pg_database(url)
        return
    yield None


@pytest.fixture(scope="session")
def _pg_schema_ready(backend: str | None) -> set[str]:
    """Tables created once per session on PostgreSQL; SQLite gets a new file per test."""
    return set()


@pytest.fixture
def database_url(backend: str | None, tmp_path: Path) -> str:
    """The URL of an empty database for one test."""
    if backend is None:
        return f"sqlite:///{tmp_path / 'test.db'}"
    return backend


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict:
    """Test configuration; tests may override keys through indirect parametrisation."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "UPLOADS_DIR": str(tmp_path / "uploads"),
        # Unique per test, so concurrent runs sharing one Redis never hear each other.
        "SOCKETIO_CHANNEL": f"commons-test-{os.getpid()}-{tmp_path.name}",
        "REDIS_KEY_PREFIX": f"commons-test:{os.getpid()}:{tmp_path.name}:",
        # Rate-limit counters too (in Redis for the cross-process suites): without a prefix every
        # run on the machine shares one login budget per address and account, and 429s.
        "RATELIMIT_KEY_PREFIX": f"commons-test:{os.getpid()}:{tmp_path.name}:limits",
    }


@pytest.fixture
def app(app_config: dict, backend: str | None, _pg_schema_ready: set[str]):
    """A fresh application with an empty schema."""
    app = create_app(app_config)
    with app.app_context():
        if backend is None or "done" not in _pg_schema_ready:
            db.create_all()
            # Raw DDL outside the metadata (FTS5 / GIN), exactly as the migration installs it.
            with db.engine.begin() as conn:
                install_search_index(conn)
            _pg_schema_ready.add("done")
    yield app
    with app.app_context():
        db.session.remove()
        if backend is not None:
            _truncate_all()
        db.engine.dispose()


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _fresh_g_per_request(request):
    """Tests that hold an app context (`make`, `ctx`) would share `g` with their requests: the
    cached user, memberships and locale would leak from one request to the next."""
    if "app" not in request.fixturenames:
        return
    from flask import g

    app = request.getfixturevalue("app")

    @app.before_request
    def _fresh_g() -> None:
        for key in ("_login_user", "_memberships", "_flask_babel"):
            g.pop(key, None)


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A Flask CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.app_context():
        yield app


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD, remember: bool = False):
        """Post the login form."""
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def logout(self):
        """Post the logout form."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    """Log the test client in and out."""
    return AuthActions(client)


@pytest.fixture
def make(ctx):
    """The object factories, bound to the app context (see tests/factories.py)."""
    return factories


@pytest.fixture
def socket_client(app, client):
    """Make a Flask-SocketIO test client sharing the Flask client's login cookie."""
    from forum.extensions import socketio

    made = []

    def _make(flask_client=None, **kwargs):
        sc = socketio.test_client(app, flask_test_client=flask_client or client, **kwargs)
        made.append(sc)
        return sc

    yield _make
    for sc in made:
        if sc.is_connected():
            sc.disconnect()


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (for constant-query assertions)."""
    statements: list[str] = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


@pytest.fixture
def queries():
    """The `count_queries` context manager."""
    return count_queries


@pytest.fixture
def live_server(app, app_config, tmp_path):
    """A real gunicorn + gevent server on a free loopback port, sharing the test database."""
    from tests.live import LiveServer

    server = LiveServer({**app_config, "LOG_DIR": str(tmp_path)}).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download cannot work here)."""
    chromium = "/usr/bin/chromium"
    require(os.path.exists(chromium), "Chromium not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        require(False, "playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def _new_page(**kwargs):
        context = browser.new_context(**kwargs)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def empty_database_url(backend, tmp_path, request):
    """A database with no tables at all (for migration tests; a fresh PostgreSQL database)."""
    suffix = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    if backend is None:
        yield f"sqlite:///{tmp_path / f'{suffix}.db'}"
        return
    url = make_url(backend)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
