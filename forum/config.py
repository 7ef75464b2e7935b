"""Configuration read from environment variables, with a test configuration."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from forum.lib.redis_options import fail_fast

LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru"]
RTL_LANGUAGES = {"ar"}


def normalise_database_url(url: str) -> str:
    """Map the URLs people paste (postgres://, postgresql://) to the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_secret_key(instance_path: str, production: bool) -> str:
    """Return SECRET_KEY from the environment, or a key generated once and kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set when FORUM_ENV=production")
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


# Pool of a server database (PostgreSQL) per process. One gevent worker serves every socket
# of its process, and each event holds a connection while it runs: SQLAlchemy's 5 + 10 made a
# 500-socket join storm wait past the pool timeout (bench/chat.py). Keep (size + overflow) x
# processes under the server's max_connections (PostgreSQL: 100).
POOL_DEFAULTS = {"DATABASE_POOL_SIZE": 20, "DATABASE_MAX_OVERFLOW": 20,
                 "DATABASE_POOL_TIMEOUT": 30}
CONNECT_TIMEOUT = 5  # seconds to open a PostgreSQL connection before answering "unavailable"


def _int_from_environment(name: str, default: int) -> int:
    """A whole number >= 0 from the environment, or a clear error at start-up."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise RuntimeError(f"{name} must be a whole number (got {raw!r})")
    return int(raw)


def engine_options(url: str, settings: dict) -> dict:
    """SQLAlchemy engine options: a pre-ping always; the pool size for server databases.

    SQLite keeps SQLAlchemy's own pool for files and memory alike.
    """
    options: dict = {"pool_pre_ping": True}
    if not url.startswith("sqlite"):
        options.update(pool_size=settings["DATABASE_POOL_SIZE"],
                       max_overflow=settings["DATABASE_MAX_OVERFLOW"],
                       pool_timeout=settings["DATABASE_POOL_TIMEOUT"],
                       # A server that does not answer (down, unreachable) fails the request
                       # within seconds: a 503 / retryable ack, not a hung worker.
                       connect_args={"connect_timeout": settings.get(
                           "DATABASE_CONNECT_TIMEOUT", CONNECT_TIMEOUT)})
    return options


def from_environment(instance_path: str) -> dict:
    """Build the settings dictionary from environment variables."""
    production = os.environ.get("FORUM_ENV", "development") == "production"
    default_db = "sqlite:///" + str(Path(instance_path) / "commons.db")
    redis_url = os.environ.get("REDIS_URL") or None
    origins = os.environ.get("SOCKETIO_ALLOWED_ORIGINS", "")
    database_url = normalise_database_url(os.environ.get("DATABASE_URL", default_db))
    pool = {name: _int_from_environment(name, default) for name, default in POOL_DEFAULTS.items()}
    return {
        "FORUM_ENV": "production" if production else "development",
        "SECRET_KEY": load_secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        **pool,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, pool),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Flask-Limiter's Redis client: a Redis that does not answer fails over to memory at
        # once (forum/lib/redis_options.py), not after redis-py's ~4 s of retries.
        **({"RATELIMIT_STORAGE_OPTIONS": fail_fast()} if redis_url else {}),
        "SOCKETIO_ALLOWED_ORIGINS": [o.strip() for o in origins.split(",") if o.strip()] or None,
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "true").lower() != "false",
        "MAIL_ASYNC": os.environ.get("MAIL_ASYNC", "true").lower() != "false",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Commons <no-reply@localhost>"),
        "TRUST_PROXY": int(os.environ.get("TRUST_PROXY", "0")),
        "FRAGMENT_CACHE_MB": float(os.environ.get("FRAGMENT_CACHE_MB", "64")),
        **moderation_from_environment(),
        **rate_limits_from_environment(),
        **uploads_from_environment(),
    }


# Uploads (forum/services/uploads.py, forum/lib/storage.py): sizes in bytes, pixels, hours, days.
UPLOAD_INT_SETTINGS = ("UPLOAD_MAX_BYTES", "UPLOAD_QUOTA_BYTES", "UPLOAD_MAX_PIXELS",
                       "UPLOAD_ORPHAN_HOURS", "UPLOAD_RETENTION_DAYS")
UPLOAD_TEXT_SETTINGS = ("UPLOADS_DIR", "UPLOADS_ACCEL_REDIRECT", "UPLOADS_S3_BUCKET",
                        "UPLOADS_S3_ENDPOINT", "UPLOADS_S3_REGION", "UPLOADS_S3_ACCESS_KEY",
                        "UPLOADS_S3_SECRET_KEY")


def uploads_from_environment() -> dict:
    """The upload settings given in the environment (others keep their defaults)."""
    settings: dict = {name: _int_from_environment(name, getattr(Config, name))
                      for name in UPLOAD_INT_SETTINGS}
    for name in UPLOAD_TEXT_SETTINGS:
        if os.environ.get(name):
            settings[name] = os.environ[name]
    return settings


def moderation_from_environment() -> dict:
    """The moderation settings given in the environment (others keep their defaults)."""
    settings: dict = {}
    for key in ("MODERATION_FLAG_THRESHOLD", "MODERATION_NEW_MEMBER_DAYS"):
        if os.environ.get(key):
            settings[key] = int(os.environ[key])
    if os.environ.get("MODERATION_WORDS"):
        settings["MODERATION_WORDS"] = [
            w.strip() for w in os.environ["MODERATION_WORDS"].split(",") if w.strip()]
    if os.environ.get("MODERATION_WORDS_ACTION"):
        settings["MODERATION_WORDS_ACTION"] = os.environ["MODERATION_WORDS_ACTION"]
    return settings


# Rate limits settable from the environment, in Flask-Limiter's notation ("600 per minute",
# "20 per 10 seconds"; RATELIMIT_* also take several joined by ";"). CHAT_RATE_LIMIT is one rate,
# kept as (count, seconds) for the chat service.
RATE_LIMIT_SETTINGS = ("RATELIMIT_API", "RATELIMIT_POSTING", "CHAT_RATE_LIMIT")


def rate_limits_from_environment() -> dict:
    """The rate limits given in the environment; a malformed one is a clear error at start-up
    (not a silent default, nor a failure on the first request)."""
    from limits import parse_many

    settings: dict = {}
    for name in RATE_LIMIT_SETTINGS:
        raw = os.environ.get(name, "").strip()
        if not raw:
            continue
        try:
            items = parse_many(raw)
        except ValueError:
            items = []
        single = name == "CHAT_RATE_LIMIT"
        if not items or (single and len(items) != 1) or any(i.amount < 1 for i in items):
            example = "20 per 10 seconds" if single else "600 per minute"
            raise RuntimeError(f"{name} must be a rate such as {example!r} (got {raw!r})")
        settings[name] = (items[0].amount, items[0].get_expiry()) if single else raw
    return settings


class Config:
    """Defaults shared by every environment; values from the environment override them."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # tie the token to the session, not a clock: long reply drafts
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = LANGUAGES
    MAIL_BACKEND = None  # None: SMTP if MAIL_SERVER is set, else the outbox folder
    MAIL_FROM = "Commons <no-reply@localhost>"
    MAIL_ASYNC = True  # SMTP from a background thread (forum/lib/mail_queue.py); False: inline
    # Explicit: Flask-Limiter keeps `enabled` on its shared instance, so an app built with
    # limits off (a test, a benchmark) would otherwise switch them off for the next app.
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: Flask-Limiter counts in this process's memory (logged) and goes back to
    # Redis by itself when it answers; the chat limits do the same (services/chat.py).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"  # per IP and, separately, per account
    RATELIMIT_POSTING = "30 per minute"
    RATELIMIT_PASSWORD_RESET = "5 per hour"
    CHAT_RATE_LIMIT = (20, 10)  # messages per seconds, per user
    PRESENCE_COALESCE_SECONDS = 1.0  # one presence list per channel per second (join storms)
    PRESENCE_HEARTBEAT_SECONDS = 5  # a process silent for 3 beats is dead: its presence goes
    CHAT_MAX_LENGTH = 4000
    # Request size limits the app enforces itself, so /api/v1 answers them as JSON problems
    # (pages: an error page); gunicorn.conf.py sets the server's outer limits above these.
    # A body over MAX_CONTENT_LENGTH is 413, also when sent chunked (Werkzeug stops reading at
    # the limit); the largest body any operation takes is a 1 MB roster CSV.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Form fields in memory: a 50 000-character post of emoji, percent-encoded, is ~600 KB
    # (Flask's default, 500 KB, would refuse it).
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_URL_LENGTH = 4096  # bytes of path and query: longer is 414 (gunicorn refuses > 8190)
    MAX_HEADER_BYTES = 16 * 1024  # all header names and values: more is 431
    POST_MAX_LENGTH = 50000
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds
    PASSWORD_MIN_LENGTH = 10
    SOCKETIO_ASYNC_MODE = None  # auto: gevent under gunicorn
    SOCKETIO_ALLOWED_ORIGINS = None
    SOCKETIO_CHANNEL = "commons-socketio"  # Redis pub/sub channel shared by all processes
    REDIS_KEY_PREFIX = "commons:"  # presence and other ephemeral keys
    PER_PAGE = 20
    # Rendered posts and thread rows kept per process (forum/web/fragment_cache.py); 0: off.
    FRAGMENT_CACHE_MB = 64
    # Notifications
    NOTIFICATIONS_PER_PAGE = 20  # rows per page of the notification centre
    NOTIFICATION_DIGEST_HOURS = 24  # the daily digest covers cohort activity of this many hours
    # Moderation
    MODERATION_FLAG_THRESHOLD = 3  # distinct members flagging an item hide it pending review
    MODERATION_NEW_MEMBER_DAYS = 3  # accounts younger than this get the stricter limits below
    MODERATION_NEW_MEMBER_POST_LIMIT = (5, 60)  # threads/replies per seconds, per new member
    MODERATION_NEW_MEMBER_CHAT_LIMIT = (5, 10)  # chat messages per seconds, per new member
    # Entries are "word" (uses MODERATION_WORDS_ACTION) or "word=block" / "word=queue".
    MODERATION_WORDS: list[str] = []
    MODERATION_WORDS_ACTION = "queue"  # "block": refuse with an error; "queue": hide for review
    # Uploads: one file, and all of a person's files together; pictures re-encoded up to this
    # many pixels (a bigger one, or a "decompression bomb", is refused before decoding).
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_QUOTA_BYTES = 200 * 1024 * 1024
    UPLOAD_MAX_PIXELS = 40_000_000
    UPLOAD_ORPHAN_HOURS = 24  # uploaded but never posted: deleted after this
    UPLOAD_RETENTION_DAYS = 30  # removed files and files of deleted content: kept this long
    UPLOADS_DIR = None  # default: instance/uploads
    UPLOADS_ACCEL_REDIRECT = None  # e.g. "/_uploads/": nginx sends local files (internal location)
    UPLOADS_S3_BUCKET = None  # set: files live in this S3-compatible bucket
    UPLOADS_S3_ENDPOINT = None
    UPLOADS_S3_REGION = None
    UPLOADS_S3_ACCESS_KEY = None
    UPLOADS_S3_SECRET_KEY = None


class TestConfig(Config):
    """Settings for the test suite: fast hashing, in-memory mail, no CSRF unless a test asks."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_FAST = True
    SOCKETIO_ASYNC_MODE = "threading"
    PRESENCE_COALESCE_SECONDS = 0  # tests see each presence list at once
    REDIS_URL = None
    SERVER_NAME = None
    # Moderation: every test user is a brand-new account; tests of the stricter tier enable it.
    MODERATION_NEW_MEMBER_DAYS = 0
