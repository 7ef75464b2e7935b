"""gunicorn settings used by `make run`, the production guide and the benchmarks.

One gevent worker per process: Socket.IO keeps each client's state in the process that accepted
it, so several workers in one process would split a client's polling requests between them.
Scale out with more processes (ports) behind nginx `ip_hash`, sharing Redis — see README.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
worker_class = "gevent"
workers = 1
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 20
keepalive = 5
# Request limits gunicorn enforces before the app sees a request. Past them gunicorn answers
# 414 or 431 with its own HTML (not a JSON problem: the app never runs), so they sit *above* the
# app's own
# limits (forum/config.py MAX_URL_LENGTH 4096, MAX_HEADER_BYTES 16 KB, MAX_CONTENT_LENGTH 2 MB),
# which /api/v1 answers as JSON problems (414, 431, 413). Documented in docs/api.md.
# - The request line (method, path and query, protocol): 8190 bytes is gunicorn's maximum
#   (0 would mean unlimited: never). Commons' longest URLs are searches (q: 200 characters).
limit_request_line = 8190
# - Header fields per request: browsers send about 20, nginx adds a few X-Forwarded-* ones.
limit_request_fields = 64
# - Bytes per header field: the session and remember cookies together are under 1 KB, a bearer
#   token is 50 bytes; 8190 leaves room for a proxy's cookies on a shared domain.
limit_request_field_size = 8190
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def worker_exit(server, worker) -> None:
    """Send queued mail before the arbiter's SIGKILL; what cannot go in time is logged by name."""
    from forum.lib import mail_queue

    mail_queue.flush(deadline_seconds=FLUSH_DEADLINE_SECONDS)


# Well inside graceful_timeout: the worker may already have spent part of it closing sockets.
FLUSH_DEADLINE_SECONDS = 8.0
