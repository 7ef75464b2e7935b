"""The real app as the benchmarks serve it: production config from the environment.

`gunicorn -c gunicorn.conf.py bench.server_app:app` with DATABASE_URL, SECRET_KEY (and REDIS_URL
for several processes). Chat flood control is lifted so one benchmark sender can keep its rate,
and the Socket.IO channel and Redis keys get a bench-only name; everything else (auth,
permission checks, sanitising, commit, broadcast) is the production path.
"""

from __future__ import annotations

import os

from flask import render_template
from flask_login import login_required

from forum import config, create_app

config.Config.SOCKETIO_CHANNEL = os.environ.get("BENCH_SOCKETIO_CHANNEL", "commons-bench")
config.Config.REDIS_KEY_PREFIX = os.environ.get("BENCH_REDIS_PREFIX", "commons-bench:")
app = create_app()
app.config["CHAT_RATE_LIMIT"] = (100000, 1)


@app.get("/bench/layout")
@login_required
def layout_floor() -> str:
    """The site layout around an empty page, logged in: what every page pays before content.

    Benchmark 1 reports it beside the real pages (not against a target) so the thread page's
    ratio can be read against the cheapest page this stack can serve to a signed-in member.
    """
    return render_template(_EMPTY_PAGE)


@app.get("/bench/ceiling")
@login_required
def stored_page_ceiling() -> str:
    """What a perfect whole-page cache could serve a signed-in member: the most any page can do.

    It asks who is asking as every page must (session cookie, the real user loader: one indexed
    query) and returns stored bytes the size of the thread page: no template, no other query,
    not even the lookup a real cache would need to know its copy is still current. Benchmark 1
    reports it (no target) because it bounds what caching whole pages could ever reach.
    """
    return _STORED_PAGE


_STORED_PAGE = "<!doctype html><title>stored</title><p>" + "x" * 50_000 + "</p>"

# Compiled once, like a template file (render_template_string would compile per request).
_EMPTY_PAGE = app.jinja_env.from_string(
    '{% extends "base.html" %}{% block content %}{% endblock %}')
