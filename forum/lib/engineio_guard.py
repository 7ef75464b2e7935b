"""A WSGI guard in front of Engine.IO: no JSONP polling, and the security headers pages carry.

Engine.IO's HTTP answers (handshake, long-polling, its own errors) never pass through Flask, so
flask-talisman never sees them. They are data for the socket client, never a page or a script.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

# Nothing may run, frame or embed an Engine.IO answer, and the browser must not guess its type.
ENGINEIO_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
_JSONP_REFUSED = json.dumps("JSONP polling is not supported").encode()

StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


class EngineIOGuard:
    """Wrap a WSGI app: requests under `path` get the headers above, and JSONP gets a 400."""

    def __init__(self, app: WSGIApp, path: str) -> None:
        self.app = app
        self.path = path

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        """Pass other paths through untouched; guard Engine.IO's."""
        if not (environ.get("PATH_INFO") or "").startswith(self.path):
            return self.app(environ, start_response)

        def start_with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = [*headers, *((name, value) for name, value in ENGINEIO_HEADERS
                                   if name.lower() not in present)]
            return start_response(status, headers, exc_info)

        # A JSONP poll (`j=<index>`, read exactly as Engine.IO reads it) answers ___eio[j]("…"):
        # a script from our own origin, which `script-src 'self'` would let a page run.
        if "j" in parse_qs(environ.get("QUERY_STRING", "")):
            start_with_headers("400 BAD REQUEST", [("Content-Type", "text/plain; charset=UTF-8"),
                                                   ("Content-Length", str(len(_JSONP_REFUSED)))])
            return [_JSONP_REFUSED]
        return self.app(environ, start_with_headers)
