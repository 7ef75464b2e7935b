"""The docs keep up with the code: every socket event and every /api/v1 route is documented,
and the python-socketio example in docs/socket-events.md runs as written against a live server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db, socketio
from forum.models import Channel, ChannelKind, Message
from tests.api_helpers import token_for

ROOT = Path(__file__).resolve().parent.parent
SOCKET_DOC = ROOT / "docs" / "socket-events.md"
# Literal event names given to the emit helpers (services) or to socketio.emit anywhere.
EMIT_RE = re.compile(r"""(?:broadcast|emit)\(\s*["']([\w:.-]+)["']|"""
                     r"""send_to_user\([^,()]+,\s*["']([\w:.-]+)["']""")


def documented_events() -> set[str]:
    """Every `name` in backticks in a table row of the socket document."""
    rows = [line for line in SOCKET_DOC.read_text().splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([\w:.-]+)`", row.split("|")[1])}


def test_every_registered_socket_event_is_documented(app):
    registered = {name for handlers in socketio.server.handlers.values() for name in handlers}
    missing = registered - {"connect", "disconnect"} - documented_events()
    assert not missing, f"document these client→server events in {SOCKET_DOC.name}: {missing}"


def test_every_emitted_socket_event_is_documented():
    emitted = set()
    for path in (ROOT / "forum").rglob("*.py"):
        for match in EMIT_RE.finditer(path.read_text()):
            emitted.add(match.group(1) or match.group(2))
    assert {"message:new", "post:new", "presence"} <= emitted  # the scan itself works
    missing = emitted - documented_events()
    assert not missing, f"document these server→client events in {SOCKET_DOC.name}: {missing}"


def test_every_api_route_is_in_the_openapi_document(app):
    spec = app.test_client().get("/api/v1/openapi.json").json
    undocumented = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs.") \
                or rule.endpoint == "api.reference":
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in spec["paths"].get(path, {}):
                undocumented.append(f"{method} {path}")
    assert not undocumented, f"routes missing from openapi.json: {undocumented}"
    assert len(spec["paths"]) >= 20


def _example() -> str:
    text = SOCKET_DOC.read_text()
    section = text.split("## Python client example (token)", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


@pytest.mark.live
def test_python_example_runs_as_written(live_server, make):
    cohort = make.cohort("geneva-2026")
    amina = make.user("amina", cohorts=[cohort])
    channel = Channel(kind=ChannelKind.COHORT.value, cohort_id=cohort.id, name="general",
                      slug="geneva-general")
    db.session.add(channel)
    db.session.commit()
    env = {**os.environ, "COMMONS_URL": live_server.url, "COMMONS_TOKEN": token_for(amina),
           "COMMONS_CHANNEL": str(channel.id)}
    result = subprocess.run([sys.executable, "-c", _example()], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr + live_server.log()
    stored = db.session.scalars(select(Message).where(Message.channel_id == channel.id)).all()
    assert len(stored) == 1 and stored[0].author_id == amina.id
    assert f"sent True {stored[0].id} None" in result.stdout
    assert f"new {stored[0].id} amina" in result.stdout
    assert "joined True 0" in result.stdout
