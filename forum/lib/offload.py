"""Run CPU-heavy work (decoding and re-encoding pictures) off the gevent hub.

Under gunicorn + gevent every socket of a process shares one OS thread: a 10 MB photo decoded
there would stall chat for everyone on that process. Pillow releases the GIL while it decodes
and encodes, so a real thread lets the hub go on serving. Outside gevent (tests, the threading
server) the work simply runs in the caller's thread.

The work goes to a pool of its own, bounded to OFFLOAD_THREADS: not the hub's pool, which also
resolves host names (a queue of photos there would delay every DNS lookup), and not unbounded —
three photos decoded at once on a 2-core machine left the hub a third of a core, so chat waited
seconds (docs/benchmarks.md, "Uploads and chat"). Further jobs wait their turn cooperatively.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Leave at least one core to the hub (and to the other processes of the machine).
OFFLOAD_THREADS = max(1, min(4, (os.cpu_count() or 2) - 1))
_pool = None


def _gevent_threadpool():
    global _pool
    try:
        from gevent import monkey
    except ImportError:
        return None
    if not monkey.is_module_patched("threading"):
        return None
    if _pool is None:
        from gevent.threadpool import ThreadPool

        _pool = ThreadPool(OFFLOAD_THREADS)
    return _pool


def run_blocking(function: Callable[..., T], *args) -> T:
    """Call `function(*args)` in the bounded offload thread pool under gevent, else here."""
    pool = _gevent_threadpool()
    if pool is None:
        return function(*args)
    return pool.apply(function, args)


def _yield_to_hub() -> None:
    """Let the other greenlets run (no-op outside gevent)."""
    if _gevent_threadpool() is not None:
        import gevent

        gevent.sleep(0)


class CooperativeInput:
    """A WSGI input stream that yields to the other greenlets after every read.

    A 10 MB upload usually sits in the socket buffer already, so reading it never waits, and
    Werkzeug's multipart parser (pure Python, ~0.2 s per 10 MB here, several times that on a
    loaded machine) would hold the hub from the first byte to the last. Yielding after each
    chunk interleaves the parse with everybody else's chat.
    """

    def __init__(self, stream) -> None:
        self._stream = stream

    def read(self, *args) -> bytes:
        """Read like the wrapped stream, then yield."""
        data = self._stream.read(*args)
        _yield_to_hub()
        return data

    def readline(self, *args) -> bytes:
        """Read a line like the wrapped stream, then yield."""
        data = self._stream.readline(*args)
        _yield_to_hub()
        return data

    def readinto(self, buffer) -> int:
        """Fill `buffer` (through read: not every server's stream has readinto), then yield."""
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def __iter__(self):
        return iter(self.readline, b"")

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
