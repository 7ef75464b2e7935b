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
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def worker_exit(server, worker) -> None:
    """Send queued mail before the arbiter's SIGKILL; what cannot go in time is logged by name."""
    from forum.lib import mail_queue

    mail_queue.flush(deadline_seconds=FLUSH_DEADLINE_SECONDS)


# Well inside graceful_timeout: the worker may already have spent part of it closing sockets.
FLUSH_DEADLINE_SECONDS = 8.0
