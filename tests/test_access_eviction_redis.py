"""Losing access across processes: the change is made through one server, the reader's socket
lives on the other, and within 2 s it leaves every room it may no longer read (told
`access:lost`), with nothing from those rooms reaching it afterwards.

One case per trigger (see tests/test_access_eviction.py for the same triggers in one process):
removal from a cohort, a global moderator demoted to member, a thread moved into a cohort the
reader is not in, a category made private, a category narrowed to ask-a-mentor, a thread hidden.
Thread rooms and cohort chat channel rooms both. The two servers and their Redis queue are
started once for the module (per database backend); every test gets an empty database.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import select, text

from forum import create_app
from forum.extensions import db
from forum.models import Category, CohortMembership, Thread, User
from forum.models.search import install_search_index
from forum.services import discussions
from tests import chat_helpers
from tests.chat_helpers import ChatWorld, LiveSocket
from tests.live import LiveServer, login_session
from tests.support import require

pytestmark = pytest.mark.live
world = chat_helpers.world  # the fixture
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL")
PASSWORD = "correct horse battery"
WITHIN = 2.0  # seconds from the click that changed access to `access:lost` on the other process
EVENT_OF = {"thread": "post:new", "channel": "message:new"}


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def module_config(backend, _pg_schema_ready, tmp_path_factory) -> Iterator[dict]:
    """One database, Redis channel and key prefix for the module's servers and this process."""
    require(bool(REDIS_URL), "FORUM_TEST_REDIS_URL is not set: cross-process suite not run")
    base = tmp_path_factory.mktemp("eviction")
    tag = f"{os.getpid()}-{base.name}"  # concurrent runs sharing one Redis never hear each other
    config = {
        "SQLALCHEMY_DATABASE_URI": backend or f"sqlite:///{base / 'test.db'}",
        "MAIL_OUTBOX_DIR": str(base / "outbox"), "UPLOADS_DIR": str(base / "uploads"),
        "SOCKETIO_CHANNEL": f"commons-test-{tag}", "REDIS_KEY_PREFIX": f"commons-test:{tag}:",
        "REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"commons-test:{tag}:limits",
        # The servers outlive one test, and so do their login budgets (every login is local).
        "RATELIMIT_LOGIN": "1000 per minute",
    }
    # The schema before the servers start (the `app` fixture would make it only per test).
    schema_app = create_app({**config, "REDIS_URL": None})
    with schema_app.app_context():
        if backend is None or "done" not in _pg_schema_ready:
            db.create_all()
            with db.engine.begin() as conn:
                install_search_index(conn)
            if backend is not None:
                _pg_schema_ready.add("done")
        db.engine.dispose()
    yield config


@pytest.fixture(scope="module")
def two_servers(module_config, tmp_path_factory) -> Iterator[list[LiveServer]]:
    """Two gunicorn processes on two ports, like two upstreams behind nginx (module-wide)."""
    logs = str(tmp_path_factory.mktemp("eviction-logs"))
    servers = [LiveServer({**module_config, "LOG_DIR": logs}) for _ in range(2)]
    try:
        with ThreadPoolExecutor(2) as pool:  # both boot at once: half the wait on a busy machine
            list(pool.map(LiveServer.start, servers))
        for server in servers:  # a first page, so the first test's 2 s are not spent warming up
            assert requests.get(server.url + "/login", timeout=30).status_code == 200
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def app_config(module_config) -> Iterator[dict]:
    """This process uses the servers' database and joins their Redis queue."""
    yield module_config
    # The SocketIO instance is shared by every app of this worker and keeps its Redis client
    # manager across init_app calls: drop it, or later test-client tests see a message queue.
    from forum.extensions import socketio

    socketio.server_options.pop("client_manager", None)
    socketio.server_options.pop("message_queue", None)


@pytest.fixture(autouse=True)
def _empty_database_after(app, backend) -> Iterator[None]:
    """Each test starts empty: PostgreSQL is truncated by the `app` fixture, SQLite here (its
    file is the module's, shared with the servers)."""
    yield
    if backend is not None:
        return
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # rows refer to each other in circles
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f'DELETE FROM "{table.name}"'))
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


# --------------------------------------------------------------------------- helpers


def _form_token(session, server: LiveServer, page: str) -> str:
    text_ = session.get(server.url + page).text
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text_) or \
        re.search(r'name="csrf-token" content="([^"]+)"', text_)
    return found.group(1)


def _post_form(session, server: LiveServer, page: str, action: str, data: dict):
    """Submit a form as a browser would: the CSRF token of `page`, posted to `action`."""
    return session.post(server.url + action, allow_redirects=False,
                        data={"csrf_token": _form_token(session, server, page), **data})


Room = tuple[str, int]  # ("thread", id) or ("channel", id)


def _join(sock: LiveSocket, room: Room) -> dict:
    kind, ident = room
    return sock.call(f"{kind}:join", {f"{kind}_id": ident})


def _say(speaker: LiveSocket, server: LiveServer, room: Room, body: str) -> None:
    """Write in a room through `server`: a reply to a thread, a message to a channel."""
    kind, ident = room
    if kind == "thread":
        response = _post_form(speaker.session, server, f"/t/{ident}", f"/t/{ident}/reply",
                              {"body": body})
        assert response.status_code == 302, response.text[:300]
    else:
        ack = speaker.call("message:send", {"channel_id": ident, "body": body,
                                            "client_id": f"evict-{time.monotonic_ns()}"})
        assert ack["ok"], ack


def _concerns(data: object, rooms: list[Room]) -> bool:
    """Whether an event's payload names one of the rooms."""
    return isinstance(data, dict) and any(data.get(f"{kind}_id") == ident
                                          for kind, ident in rooms)


@dataclass
class Case:
    """One change of access: whose socket loses which rooms, who still reads and writes there,
    and the form that changes it (posted by `actor` to `action`, with the token of `page`)."""

    reader: User
    speaker: User  # still reads the rooms after the change, and writes in them
    rooms: list[Room]
    actor: User
    page: str
    action: str
    form: dict[str, str]
    changed: Callable[[], bool]  # the database holds the change


@dataclass
class Places:
    """Categories of one test: a cohort's lounge, the other cohort's, and a global one."""

    lounge: Category  # the cohort's (amina, bruno)
    far_lounge: Category  # the other cohort's (carla)
    square: Category  # everyone's


def _places(w: ChatWorld) -> Places:
    places = Places(
        lounge=Category(slug="geneva-lounge", name="Geneva lounge", cohort_id=w.cohort.id),
        far_lounge=Category(slug="nairobi-lounge", name="Nairobi lounge",
                            cohort_id=w.other_cohort.id),
        square=Category(slug="town-square", name="Town square"))
    db.session.add_all([places.lounge, places.far_lounge, places.square])
    db.session.commit()
    return places


def _fresh(model, ident: int):
    """A row as the database holds it now (the servers changed it, not this session)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def _category_form(category: Category, *, cohort_id: int | None, mode: str) -> dict[str, str]:
    return {"name": category.name, "slug": category.slug, "description": "",
            "cohort_id": str(cohort_id or ""), "mode": mode, "position": "0"}


# --------------------------------------------------------------------------- the triggers


def _removal(w: ChatWorld, p: Places, make) -> Case:
    """Removed from the cohort: its thread and its chat channel both stop."""
    thread = discussions.create_thread(w.bruno, p.lounge.id, "Geneva plans", "Opening")
    membership_id = db.session.scalar(select(CohortMembership.id).where(
        CohortMembership.user_id == w.amina.id))
    page = f"/admin/cohorts/{w.cohort.id}"
    return Case(
        reader=w.amina, speaker=w.bruno, rooms=[("thread", thread.id), ("channel", w.channel.id)],
        actor=make.user("root", role="admin"), page=page,
        action=f"{page}/members/{membership_id}/remove", form={},
        changed=lambda: _fresh(CohortMembership, membership_id) is None)


def _demotion(w: ChatWorld, p: Places, make) -> Case:
    """A global moderator (in no cohort) demoted to member: the cohort's thread and channel."""
    thread = discussions.create_thread(w.bruno, p.lounge.id, "Geneva only", "Opening")
    return Case(
        reader=w.mod, speaker=w.bruno, rooms=[("thread", thread.id), ("channel", w.channel.id)],
        actor=make.user("root", role="admin"), page="/admin/users",
        action=f"/admin/users/{w.mod.id}/role", form={"role": "member"},
        changed=lambda: _fresh(User, w.mod.id).role == "member")


def _moved(w: ChatWorld, p: Places, make) -> Case:
    """A global thread moved into the other cohort's lounge."""
    thread = discussions.create_thread(w.carla, p.square.id, "Everyone", "Opening")
    page = f"/moderation/thread/{thread.id}/move"
    return Case(
        reader=w.amina, speaker=w.carla, rooms=[("thread", thread.id)],
        actor=w.mod, page=page, action=page,
        form={"category_id": str(p.far_lounge.id), "reason": "Belongs to Nairobi"},
        changed=lambda: _fresh(Thread, thread.id).category_id == p.far_lounge.id)


def _made_private(w: ChatWorld, p: Places, make) -> Case:
    """A global category given to the other cohort."""
    thread = discussions.create_thread(w.carla, p.square.id, "Open for now", "Opening")
    page = f"/admin/categories/{p.square.id}/edit"
    return Case(
        reader=w.amina, speaker=w.carla, rooms=[("thread", thread.id)],
        actor=make.user("root", role="admin"), page=page, action=page,
        form=_category_form(p.square, cohort_id=w.other_cohort.id, mode="discussion"),
        changed=lambda: _fresh(Category, p.square.id).cohort_id == w.other_cohort.id)


def _ask_a_mentor(w: ChatWorld, p: Places, make) -> Case:
    """The cohort's lounge narrowed to ask-a-mentor: members see only their own threads."""
    thread = discussions.create_thread(w.bruno, p.lounge.id, "My question", "Opening")
    page = f"/admin/categories/{p.lounge.id}/edit"
    return Case(
        reader=w.amina, speaker=w.bruno, rooms=[("thread", thread.id)],
        actor=make.user("root", role="admin"), page=page, action=page,
        form=_category_form(p.lounge, cohort_id=w.cohort.id, mode="ask_mentor"),
        changed=lambda: _fresh(Category, p.lounge.id).mode == "ask_mentor")


def _hidden(w: ChatWorld, p: Places, make) -> Case:
    """A thread hidden by a moderator (who keeps it, and writes a note in it)."""
    thread = discussions.create_thread(w.bruno, p.lounge.id, "Off topic", "Opening")
    return Case(
        reader=w.amina, speaker=w.mod, rooms=[("thread", thread.id)],
        actor=w.mod, page=f"/t/{thread.id}", action=f"/moderation/thread/{thread.id}/hide",
        form={"reason": "Off topic"},
        changed=lambda: _fresh(Thread, thread.id).hidden_at is not None)


TRIGGERS = {"removal": _removal, "demotion": _demotion, "moved": _moved,
            "made-private": _made_private, "ask-a-mentor": _ask_a_mentor, "hidden": _hidden}


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_access_lost_through_one_process_evicts_the_socket_on_the_other(
        two_servers, world, make, trigger):
    one, two = two_servers
    case = TRIGGERS[trigger](world, _places(world), make)
    lobby: Room = ("channel", world.lobby.id)  # the reader keeps it: its socket stays live
    reader = LiveSocket(two, case.reader.email)
    witness = LiveSocket(two, case.speaker.email)  # on the reader's process, still entitled
    speaker = LiveSocket(one, case.speaker.email)
    try:
        for room in [*case.rooms, lobby]:
            assert _join(reader, room)["ok"], room
        for room in case.rooms:
            assert _join(witness, room)["ok"], room
        for kind, ident in case.rooms:  # the witness's arrival is news from before the change
            if kind == "channel":
                reader.wait_for(lambda ident=ident: any(
                    data["channel_id"] == ident
                    and case.speaker.username in {u["username"] for u in data["users"]}
                    for data in reader.events("presence")))
        seen = len(reader.received)

        actor = login_session(one, case.actor.email, PASSWORD)
        token = _form_token(actor, one, case.page)
        started = time.monotonic()  # the click
        response = actor.post(one.url + case.action, allow_redirects=False,
                              data={"csrf_token": token, **case.form})
        assert response.status_code in (302, 303), response.text[:300]
        expected = sorted(({f"{kind}_id": ident} for kind, ident in case.rooms), key=str)
        reader.wait_for(lambda: len(reader.events("access:lost")) >= len(expected),
                        timeout=WITHIN)
        assert time.monotonic() - started < WITHIN  # the POST included
        assert sorted(reader.events("access:lost"), key=str) == expected
        assert case.changed()

        # Written through process one after the change: the witness on two gets each, the
        # reader on two none; then a lobby message, sent after them, reaches the reader — so
        # anything from the lost rooms would have arrived before it.
        for number, room in enumerate(case.rooms):
            _say(speaker, one, room, f"Secret-{number} after the change")
            witness.wait_for(lambda room=room, number=number: any(
                _concerns(data, [room]) and f"Secret-{number}" in str(data)
                for data in witness.events(EVENT_OF[room[0]])))
        _say(speaker, one, lobby, "Lobby marker")
        reader.wait_for(lambda: any("Lobby marker" in str(data)
                                    for data in reader.events("message:new")))
        after = [(name, data) for name, data in reader.received[seen:]
                 if _concerns(data, case.rooms)]
        assert [name for name, _data in after] == ["access:lost"] * len(expected), after
        assert "Secret-" not in str(reader.received)

        for room in case.rooms:  # and it may not subscribe again
            again = _join(reader, room)
            assert again["ok"] is False and again["error"]["code"] == "not_found", (room, again)
    finally:
        for sock in (reader, witness, speaker):
            sock.close()
