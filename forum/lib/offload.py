"""Run CPU-heavy work (decoding and re-encoding pictures) off the gevent hub.

Under gunicorn + gevent every socket of a process shares one OS thread: a 10 MB photo decoded
there would stall chat for everyone on that process. Pillow releases the GIL while it decodes
and encodes, so a real thread lets the hub go on serving. Outside gevent (tests, the threading
server) the work simply runs in the caller's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def _gevent_threadpool():
    try:
        from gevent import get_hub, monkey
    except ImportError:
        return None
    if not monkey.is_module_patched("threading"):
        return None
    return get_hub().threadpool


def run_blocking(function: Callable[..., T], *args) -> T:
    """Call `function(*args)` in gevent's thread pool when running under gevent, else here."""
    pool = _gevent_threadpool()
    if pool is None:
        return function(*args)
    return pool.apply(function, args)
