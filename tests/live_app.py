"""The app a live test server runs: test settings from FORUM_LIVE_CONFIG, real gevent server.

FORUM_LIVE_HOOKS (JSON, optional) names test-only faults and nudges to install in this process
(tests/live_hooks.py); the app itself knows nothing of them.
"""

from __future__ import annotations

import json
import os

from forum import create_app

overrides = json.loads(os.environ.get("FORUM_LIVE_CONFIG", "{}"))
config = {
    "WTF_CSRF_ENABLED": True,  # live servers check CSRF like production does
    "SOCKETIO_ASYNC_MODE": None,  # gevent, picked up from the gunicorn worker
    **overrides,
}
app = create_app(config)

hooks = json.loads(os.environ.get("FORUM_LIVE_HOOKS", "{}"))
if hooks:
    from tests.live_hooks import install

    install(app, hooks)
