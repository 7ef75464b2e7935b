"""Best effort for shared ephemeral state (Redis): an outage degrades a feature, never a request.

Presence, the socket registry and rate-limit counters live in Redis when several processes run.
When Redis is down, a socket must still connect and a message still be sent: the call is skipped
(or answered from this process only), with a warning logged once per outage, not per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger("forum.degraded")
T = TypeVar("T")
_down_since: dict[str, float] = {}  # feature → when its outage was first seen (this process)


def shared_state_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the shared store did not answer" (Redis down, timed out)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means "the database is down or overloaded" (retry later), not a bug:
    a refused or lost connection, a pool timeout, SQLite's "database is locked"."""
    from sqlalchemy import exc

    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return False
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    module = type(error.orig).__module__ if error.orig is not None else ""
    if module.startswith("sqlite3"):
        return "locked" in str(error.orig) or "unable to open" in str(error.orig)
    return True  # psycopg: OperationalError/InterfaceError are connection-level failures


def best_effort(feature: str, call: Callable[..., T], *args, default: T | None = None) -> T | None:
    """call(*args), or `default` when the shared store is down (logged once per outage)."""
    try:
        result = call(*args)
    except shared_state_errors() as error:
        note_down(feature, error)
        return default
    note_up(feature)
    return result


def note_down(feature: str, error: BaseException) -> None:
    """Log the start of an outage of `feature` (once, until it works again)."""
    if feature not in _down_since:
        _down_since[feature] = time.monotonic()
        log.warning("%s unavailable (%s): degraded to this process until it is back",
                    feature, error)


def note_up(feature: str) -> None:
    """Log the end of an outage of `feature`, with how long it lasted."""
    started = _down_since.pop(feature, None)
    if started is not None:
        log.warning("%s back after %.1f s", feature, time.monotonic() - started)


def is_down(feature: str) -> bool:
    """Whether this process saw `feature` fail and not work since."""
    return feature in _down_since
