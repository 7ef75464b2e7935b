"""The reference of benchmark 1: a minimal Flask page on the same gunicorn + gevent config."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """A tiny HTML page: the most this stack can serve per second."""
    return "<!doctype html><title>ref</title><p>Hello from the reference app.</p>"


@app.get("/healthz")
def healthz() -> str:
    """Readiness for the benchmark runner."""
    return "ok"
