"""Shared helpers of the benchmarks: sizes, scratch databases, servers, session cookies, stats."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = Path(os.environ.get("BENCH_WORK_DIR", ROOT / "instance" / "bench"))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-not-for-production"
USER_AGENT = "commons-bench"
PASSWORD = "bench password 1234"


def log(*parts: object) -> None:
    """Progress on stderr (stdout stays free for results)."""
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def median(values: list[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (pct in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, rounded, or None when either is missing."""
    if a is None or not b:
        return None
    return round(a / b, 3)


# --------------------------------------------------------------------------- databases


def sqlite_url(name: str) -> str:
    """The URL of a scratch SQLite file under the bench work directory."""
    WORK.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{WORK / (name + '.db')}"


def pg_url(name: str) -> str:
    """The URL of a scratch PostgreSQL database (never the shared `test` database)."""
    from sqlalchemy.engine import make_url

    return make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)


def pg_available() -> bool:
    """Whether the benchmark PostgreSQL server answers."""
    from sqlalchemy import create_engine, text

    from forum.config import normalise_database_url

    try:
        engine = create_engine(normalise_database_url(PG_BASE))
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def redis_available() -> bool:
    """Whether the benchmark Redis answers."""
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


def recreate_database(url: str) -> None:
    """Drop and create a scratch database (a file on SQLite, a database on PostgreSQL)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from forum.config import normalise_database_url

    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    assert parsed.database not in ("test", "postgres"), "bench never touches shared databases"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def bench_config(url: str, **extra: object) -> dict:
    """In-process app settings for a scratch database: no CSRF, no rate limits."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CHAT_RATE_LIMIT": (100000, 1),
        "TESTING": False,
        **extra,
    }


def login_identity(app, user_id: int) -> str:
    """Start a login session for a user, as the login form would; its Flask-Login identity."""
    from forum.extensions import db
    from forum.models import User
    from forum.services import login_sessions

    with app.app_context():
        user = db.session.get(User, user_id)
        login_sessions.start_session(user, USER_AGENT, "127.0.0.1")
        return user.get_id()


def session_cookie(app, user_id: int) -> str:
    """A signed Flask-Login session cookie for a user (no password round trip per client).

    The `_id` matches what Flask-Login computes for loopback with our User-Agent, so "basic"
    session protection leaves the session alone (no Set-Cookie on every response).
    """
    from flask_login.utils import _create_identifier

    with app.test_request_context(headers={"User-Agent": USER_AGENT},
                                  environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        ident = _create_identifier()
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": login_identity(app, user_id), "_fresh": True,
                              "_id": ident})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    """A gunicorn process (gunicorn.conf.py: one gevent worker) serving `module:app`."""

    module: str
    env: dict = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    health: str = "/healthz"

    @property
    def url(self) -> str:
        """Base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        """Start and wait until the health URL answers 200."""
        import requests

        WORK.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "BIND": f"127.0.0.1:{self.port}", "ACCESS_LOG": "",
               "LOG_LEVEL": "warning", "SECRET_KEY": SECRET,
               "FORUM_INSTANCE_PATH": str(WORK / "instance"), **self.env}
        self.log_path = WORK / f"server-{self.port}.log"
        log_file = open(self.log_path, "w")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.module],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + self.health, timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.module} did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def forum_server(url: str, **env: str) -> Server:
    """The real app (bench/server_app.py) on a database, with optional Redis."""
    return Server("bench.server_app:app", env={"DATABASE_URL": url, **env})


def write_json(path: Path, data: object) -> None:
    """Write JSON atomically (a crash never leaves half a result file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        json.dump(data, tmp, indent=2, sort_keys=True, default=str)
    os.replace(tmp.name, path)


def run_load_process(module: str, spec: dict, spec_flag: str = "--spec",
                     timeout: int = 300) -> dict:
    """Run `python -m module SPEC_FLAG spec.json --out out.json` (a load generator in its own
    process, so its CPU never counts as the server's) and return what it wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, out_path = os.path.join(tmp, "spec.json"), os.path.join(tmp, "out.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        subprocess.run([sys.executable, "-m", module, spec_flag, spec_path, "--out", out_path],
                       cwd=ROOT, check=True, timeout=timeout)
        with open(out_path) as f:
            return json.load(f)
