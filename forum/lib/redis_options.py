"""How every Redis client of the app connects: when Redis is away, a call fails quickly.

redis-py 8's defaults wait 5 s to connect and 5 s for an answer, and a client made with
redis.Redis(...) (not from_url) also retries 10 times with a backoff (~4 s when the port
refuses). A stopped Redis refuses at once, but a host that is down or cut off answers nothing:
every call on a socket path (registry, presence, rate limits, queue publish; several per event)
would then hold its event 5 s or more, past the clients' ack timeouts, before best_effort
(forum/lib/degraded.py) degrades. Redis answers in well under a millisecond when it is up, so
these bounds cost nothing; and no retry loop: the pool already replaces a connection that died
with a Redis restart, and python-socketio's publish tries twice by itself.
"""

from __future__ import annotations

from typing import Any

CONNECT_TIMEOUT = 0.5  # seconds to open a connection (a host that does not answer at all)
# Seconds for one command's answer. Not tighter: on a starved machine a process can be off the
# CPU for a second, and a reply already in its socket would then count as a timeout.
COMMAND_TIMEOUT = 2.0
RETRIES = 0  # fail and degrade now; the next call tries again


def fail_fast() -> dict[str, Any]:
    """Keyword arguments for redis.Redis / from_url (and limits' Redis storage)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT,
            "retry": Retry(NoBackoff(), RETRIES)}


def storage_options(uri: str) -> dict[str, Any]:
    """fail_fast() for a limits storage URI on Redis; nothing for memory://."""
    return fail_fast() if uri.startswith(("redis://", "rediss://", "unix://")) else {}
