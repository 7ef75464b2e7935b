"""SMTP off the request path, against a real SMTP server (aiosmtpd) on a loopback port.

The server runs in-process on its own asyncio loop thread, bound to a port the OS picks; its
handler records each message and session and can stall, refuse or hold messages on demand.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from forum import create_app
from forum.extensions import db
from forum.lib import mail_queue
from forum.lib.mail import send_mail
from forum.models import Invitation

WAIT = 20.0  # seconds: the bound on every wait for the server (each normally takes < 3 s)


class Recorder:
    """An aiosmtpd handler: keeps what arrives; can sleep, hold or refuse per recipient."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.delay = 0.0  # seconds per message, like a slow real server
        self.hold = threading.Event()  # DATA waits while this is clear
        self.hold.set()
        self.replies: dict[str, list[str]] = {}  # address -> RCPT replies to give first
        self.rcpt_attempts: Counter[str] = Counter()
        self.sessions = 0
        self.closed = 0
        self.logins = 0  # successful AUTH commands
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        self.rcpt_attempts[address] += 1
        if self.replies.get(address):
            return self.replies[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        while not self.hold.is_set():
            await asyncio.sleep(0.01)
        await asyncio.sleep(self.delay)
        self.received.append(message_from_bytes(envelope.original_content,
                                                policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
        self.logins += ok  # successful logins (smtplib tries a second mechanism after a 535)
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 235/535

    def wait_for(self, count: int) -> list[EmailMessage]:
        """The messages received, once there are `count` of them (bounded wait)."""
        deadline = time.monotonic() + WAIT
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.received) == count, f"{len(self.received)} of {count} arrived"
        return list(self.received)


class _Protocol(SMTPServerProtocol):
    def __init__(self, recorder: Recorder, **kwargs) -> None:
        super().__init__(recorder, hostname="localhost", **kwargs)
        self.recorder = recorder
        recorder.sessions += 1

    def connection_lost(self, error) -> None:
        self.recorder.closed += 1
        super().connection_lost(error)


def _serve(recorder: Recorder, **options) -> Callable[[], None]:
    """Start an SMTP server for `recorder` on a free port; return its stop function."""
    loop = asyncio.new_event_loop()
    protocols: list[_Protocol] = []

    def factory() -> _Protocol:
        protocol = _Protocol(recorder, loop=loop, **options)
        protocols.append(protocol)
        return protocol

    # The loop runs in its own thread from the start: the test's thread may already have a
    # running loop left by an earlier test (run_until_complete would refuse there).
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        loop.create_server(factory, "127.0.0.1", 0), loop).result(timeout=WAIT)
    recorder.port = server.sockets[0].getsockname()[1]

    async def shutdown() -> None:
        server.close()
        for protocol in protocols:  # else the sender's kept session would wait on a dead peer
            if protocol.transport is not None:
                protocol.transport.close()
        await asyncio.sleep(0)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()

    return stop


@pytest.fixture
def smtp_server() -> Iterator[Recorder]:
    """A plain SMTP server on a loopback port the OS chose."""
    recorder = Recorder()
    stop = _serve(recorder)
    yield recorder
    recorder.hold.set()
    mail_queue.wait_until_idle(WAIT)  # nothing of this test may spill into the next
    stop()


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch) -> None:
    """Retries after 50 ms, 100 ms, ... instead of seconds."""
    monkeypatch.setattr(mail_queue, "BACKOFF_SECONDS", 0.05)


@pytest.fixture
def mail_log(caplog, monkeypatch) -> pytest.LogCaptureFixture:
    """Warnings and errors of the sender (alembic's fileConfig may have disabled its logger)."""
    monkeypatch.setattr(mail_queue.log, "disabled", False)
    with caplog.at_level(logging.WARNING, logger=mail_queue.log.name):
        yield caplog


def _smtp_config(recorder: Recorder, **extra) -> dict:
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": recorder.port,
            "MAIL_USE_TLS": False, "MAIL_FROM": "Commons <no-reply@example.org>", **extra}


@pytest.fixture
def mail_app(smtp_server, tmp_path):
    """An app (no database needed) whose mail goes to `smtp_server`; yields inside its context."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), **_smtp_config(smtp_server)})
    with app.app_context():
        yield app


def _body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_burst_returns_at_once_and_arrives_over_one_session(mail_app, smtp_server):
    # The server accepts nothing until every call has returned: a call that waited for
    # delivery would never return (structural, not timed: CI machines are noisy).
    smtp_server.hold.clear()
    smtp_server.delay = 0.01
    for n in range(100):
        send_mail(f"person{n}@example.org", f"Invitation {n}", f"Hello person {n}\n")
    assert smtp_server.received == []
    smtp_server.hold.set()
    arrived = smtp_server.wait_for(100)
    assert sorted((m["To"], m["Subject"], _body(m).strip()) for m in arrived) == sorted(
        (f"person{n}@example.org", f"Invitation {n}", f"Hello person {n}") for n in range(100))
    assert smtp_server.sessions == 1


def test_the_session_is_closed_once_the_queue_is_idle(mail_app, smtp_server, monkeypatch):
    monkeypatch.setattr(mail_queue, "IDLE_CLOSE_SECONDS", 0.2)
    send_mail("amina@example.org", "One", "Text\n")
    smtp_server.wait_for(1)
    deadline = time.monotonic() + WAIT
    while smtp_server.closed < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (smtp_server.sessions, smtp_server.closed) == (1, 1)
    send_mail("amina@example.org", "Two", "Text\n")  # a later message opens a new session
    assert [m["Subject"] for m in smtp_server.wait_for(2)] == ["One", "Two"]
    assert smtp_server.sessions == 2


def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_logged(mail_app, smtp_server,
                                                                      mail_log):
    smtp_server.replies = {"busy@example.org": ["451 4.3.0 Try again later"],
                           "gone@example.org": ["550 5.1.1 No such user"] * 5}
    for name in ("amina", "busy", "gone", "nadia"):
        send_mail(f"{name}@example.org", f"For {name}", f"Hello {name}\n")
    assert mail_queue.wait_until_idle(WAIT)
    arrived = {m["To"]: _body(m).strip() for m in smtp_server.received}
    assert arrived == {"amina@example.org": "Hello amina", "busy@example.org": "Hello busy",
                       "nadia@example.org": "Hello nadia"}
    assert smtp_server.rcpt_attempts["busy@example.org"] == 2
    assert smtp_server.rcpt_attempts["gone@example.org"] == 1  # a 5xx is not retried
    [failure] = [r for r in mail_log.records if r.levelno == logging.ERROR]
    assert "gone@example.org" in failure.getMessage() and "For gone" in failure.getMessage()
    assert "550" in failure.getMessage()
    assert smtp_server.sessions == 1  # refusals leave the session usable


def test_a_message_refused_on_every_attempt_is_given_up_and_logged(mail_app, smtp_server,
                                                                   mail_log):
    smtp_server.replies = {"full@example.org": ["452 4.2.2 Mailbox full"] * 10}
    send_mail("full@example.org", "Digest", "Text\n")
    send_mail("amina@example.org", "Reset", "Text\n")
    assert mail_queue.wait_until_idle(WAIT)
    assert [m["To"] for m in smtp_server.received] == ["amina@example.org"]
    assert smtp_server.rcpt_attempts["full@example.org"] == mail_queue.MAX_ATTEMPTS
    errors = [r.getMessage() for r in mail_log.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "full@example.org" in errors[0] and "Digest" in errors[0]


def test_an_unreachable_server_is_retried_then_logged_without_raising(mail_app, smtp_server,
                                                                      mail_log):
    mail_app.config["MAIL_PORT"] = _closed_port()
    send_mail("amina@example.org", "Hello", "Text\n")  # no exception in the caller
    assert mail_queue.wait_until_idle(WAIT)
    errors = [r.getMessage() for r in mail_log.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "amina@example.org" in errors[0]
    retries = [r for r in mail_log.records if r.levelno == logging.WARNING]
    assert len(retries) == mail_queue.MAX_ATTEMPTS - 1


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_session_the_server_dropped_is_replaced_without_losing_the_message(mail_log):
    recorder = Recorder()
    stop = _serve(recorder, timeout=0.3)  # the server hangs up on sessions idle for 0.3 s
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **_smtp_config(recorder)})
        with app.app_context():
            send_mail("amina@example.org", "One", "Text\n")
            recorder.wait_for(1)
            deadline = time.monotonic() + WAIT
            while recorder.closed < 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            send_mail("amina@example.org", "Two", "Text\n")
            assert [m["Subject"] for m in recorder.wait_for(2)] == ["One", "Two"]
            assert mail_queue.wait_until_idle(WAIT)
        assert recorder.sessions == 2
        assert not [r for r in mail_log.records if r.levelno == logging.ERROR]
    finally:
        stop()


def test_login_happens_once_per_session(mail_log):
    recorder = Recorder()
    stop = _serve(recorder, authenticator=recorder.authenticate, auth_require_tls=False)
    try:
        config = _smtp_config(recorder, MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret")
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **config})
        with app.app_context():
            for n in range(5):
                send_mail(f"person{n}@example.org", "Hello", "Text\n")
            recorder.wait_for(5)
            app.config["MAIL_PASSWORD"] = "wrong"  # new settings: a new session, refused login
            send_mail("amina@example.org", "Lost", "Text\n")
            assert mail_queue.wait_until_idle(WAIT)
        assert (recorder.sessions, recorder.logins) == (2, 1)
        [error] = [r.getMessage() for r in mail_log.records if r.levelno == logging.ERROR]
        assert "amina@example.org" in error and "535" in error
    finally:
        stop()


def test_mail_async_off_sends_inline(smtp_server, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_ASYNC": False,
                      **_smtp_config(smtp_server)})
    smtp_server.delay = 0.05
    with app.app_context():
        send_mail("amina@example.org", "Reset", "Open the link\n")
        # Delivered before send_mail returned: no wait here.
        assert [(m["To"], m["Subject"]) for m in smtp_server.received] == [
            ("amina@example.org", "Reset")]
        smtp_server.replies = {"gone@example.org": ["550 5.1.1 No such user"]}
        with pytest.raises(smtplib.SMTPRecipientsRefused):  # inline errors reach the caller
            send_mail("gone@example.org", "Reset", "Text\n")


# A roster import through the admin page, on both databases.


@pytest.fixture
def app_config(app_config: dict, smtp_server: Recorder) -> dict:
    """The shared test app, with its mail going to `smtp_server`."""
    return {**app_config, **_smtp_config(smtp_server)}


def test_a_roster_import_answers_before_the_invitations_are_delivered(client, make, auth,
                                                                      smtp_server):
    make.user("ada", role="admin")
    auth.login("ada@example.org")
    cohort = make.cohort(name="JPO Geneva 2026")
    roster = "name,email,role\n" + "".join(
        f"Person {n},person{n}@example.org,member\n" for n in range(30))
    smtp_server.hold.clear()  # the server accepts nothing until the page has answered
    smtp_server.delay = 0.05
    response = client.post(f"/admin/cohorts/{cohort.id}/roster",
                           data={"file": (io.BytesIO(roster.encode()), "roster.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "30 invitations sent." in response.get_data(as_text=True)
    assert smtp_server.received == []
    smtp_server.hold.set()
    arrived = smtp_server.wait_for(30)
    db.session.expire_all()
    codes = {i.email: i.code for i in db.session.scalars(select(Invitation))}
    assert {m["To"] for m in arrived} == {f"person{n}@example.org" for n in range(30)}
    for message in arrived:
        assert message["Subject"] == "Your invitation to JPO Geneva 2026 on Commons"
        n = message["To"].removeprefix("person").split("@")[0]
        assert f"Hello Person {n}," in _body(message)
        assert re.search(rf"http://\S+/{re.escape(codes[message['To']])}\s", _body(message))
    assert smtp_server.sessions == 1


EXIT_SCRIPT = """
import sys
if sys.argv[2] == "gevent":  # as under gunicorn's gevent worker
    from gevent import monkey
    monkey.patch_all()
from forum import create_app
from forum.lib.mail import send_mail
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_BACKEND": "smtp",
                  "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(sys.argv[1]),
                  "MAIL_USE_TLS": False})
with app.app_context():
    for n in range(20):
        send_mail(f"person{n}@example.org", f"Invitation {n}", "Hello\\n")
print("queued", flush=True)
"""


@pytest.mark.parametrize("mode", ["threads", "gevent"])
def test_queued_mail_is_flushed_when_the_process_exits(smtp_server, tmp_path, mode):
    smtp_server.delay = 0.05  # the process ends ~1 s before the last message is sent
    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, str(smtp_server.port), mode],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent,
        env={**os.environ, "FORUM_INSTANCE_PATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "queued"
    # No wait here: the process only ended once its queue was delivered.
    assert sorted(m["Subject"] for m in smtp_server.received) == sorted(
        f"Invitation {n}" for n in range(20))
    assert smtp_server.sessions == 1


def test_a_flush_with_a_deadline_logs_what_it_could_not_send(mail_app, smtp_server, mail_log,
                                                             monkeypatch):
    # The server takes nothing and the stall bound is out of reach: only the deadline can end
    # the wait (gunicorn's worker_exit passes one below its graceful_timeout).
    monkeypatch.setattr(mail_queue, "FLUSH_STALL_SECONDS", 10_000.0)
    smtp_server.hold.clear()
    send_mail("amina@example.org", "Still queued", "Text\n")
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(mail_queue.flush(0.5)))
    waiter.start()
    waiter.join(WAIT)
    smtp_server.hold.set()
    assert not waiter.is_alive() and outcome == [False]
    assert "not sent at exit" in mail_log.text and "amina@example.org" in mail_log.text
    assert [m["Subject"] for m in smtp_server.wait_for(1)] == ["Still queued"]
