"""SMTP delivery off the request path: a per-process queue and one background sender.

`send_mail` (forum/lib/mail.py) builds each message in the caller's app and locale context and
queues it here with the SMTP settings of that app. A daemon thread, started on first use in each
process, sends the queue over one SMTP connection per burst (a roster import's 108 invitations
pay one handshake, not 108) and closes it once the queue has been idle a few seconds. Under
gunicorn + gevent, `threading` and `queue` are monkey-patched, so the thread is a greenlet and
its socket waits are cooperative; nothing here is gevent-specific.

A message that fails for a temporary reason (a 4xx answer, a dropped connection, a timeout) is
retried with backoff; a final failure is logged with its recipient and subject, never raised: the
request that queued it has long been answered. At exit the queue is flushed (bounded wait), so a
graceful restart or a `flask forum send-digests` run does not drop what it queued.
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import logging
import os
import queue
import smtplib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30  # seconds per SMTP command
IDLE_CLOSE_SECONDS = 5.0  # QUIT once no message has come for this long
MAX_ATTEMPTS = 4  # the first try and three retries
BACKOFF_SECONDS = 2.0  # retries after 2 s, 4 s, 8 s
# At exit, wait while messages keep going out; give up once none has finished for this long
# (a total cap would cut a long digest run short; a stall bound still ends a dead server's wait).
FLUSH_STALL_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect, captured from the app config when a message is queued."""

    host: str
    port: int
    use_tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """The SMTP settings of a Flask config."""
        return cls(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 587),
                   bool(config.get("MAIL_USE_TLS")), config.get("MAIL_USERNAME") or None,
                   config.get("MAIL_PASSWORD") or None)


def open_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """Connect, then STARTTLS and log in when configured."""
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    try:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_now(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message on its own connection, in the caller (MAIL_ASYNC off)."""
    with open_connection(settings) as smtp:
        smtp.send_message(message)


def _reply_code(error: BaseException) -> int | None:
    """The server's reply code behind an SMTP error, or None when it never answered."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return max(code for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return None


def _is_temporary(error: BaseException) -> bool:
    """Worth a retry: a 4xx answer, or a network failure (no answer at all)."""
    code = _reply_code(error)
    if code is not None:
        return 400 <= code < 500
    # SMTPException is an OSError; anything else (say, an address smtplib cannot encode)
    # would fail the same way again.
    return isinstance(error, OSError)


@dataclass(order=True)
class _Job:
    due: float  # monotonic time of the next attempt (retries only)
    seq: int
    settings: SmtpSettings = field(compare=False)
    message: EmailMessage = field(compare=False)
    attempts: int = field(default=0, compare=False)

    def describe(self) -> str:
        return f"to {self.message['To']} ({self.message['Subject']!r})"


class MailQueue:
    """One per process: the queue, the sender thread and the connection it keeps open."""

    def __init__(self) -> None:
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._retries: list[_Job] = []  # a heap by due time; only the sender thread uses it
        self._seq = itertools.count()
        self._smtp: smtplib.SMTP | None = None
        self._smtp_settings: SmtpSettings | None = None
        self._last_activity = time.monotonic()
        self._changed = threading.Condition()
        self._pending = 0  # queued, being sent or waiting for a retry
        self._finished = 0  # sent or given up
        self._sending: _Job | None = None  # the message on the wire right now
        self.connections = 0  # SMTP sessions opened (for tests and the log)
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
        self._thread.start()

    def put(self, settings: SmtpSettings, message: EmailMessage) -> None:
        """Queue one message."""
        with self._changed:
            self._pending += 1
        self._queue.put(_Job(0.0, next(self._seq), settings, message))

    @property
    def pending(self) -> int:
        """Messages not yet sent or given up."""
        return self._pending

    def alive(self) -> bool:
        """Whether the sender thread still runs."""
        return self._thread.is_alive()

    def wait_until_idle(self, stall_seconds: float, deadline_seconds: float | None = None) -> bool:
        """Wait until every queued message is sent or given up.

        False if none finished for `stall_seconds` while some were still pending, or if some
        are still pending after `deadline_seconds` in all (None: no overall bound).
        """
        with self._changed:
            start = finished_at = time.monotonic()
            finished = self._finished
            while self._pending:
                if self._finished != finished:
                    finished, finished_at = self._finished, time.monotonic()
                ends = [finished_at + stall_seconds]
                if deadline_seconds is not None:
                    ends.append(start + deadline_seconds)
                remaining = min(ends) - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def undelivered(self) -> list[str]:
        """The messages still queued or waiting for a retry (best effort, for the exit log)."""
        sending = self._sending
        jobs = [*([sending] if sending is not None else []), *list(self._queue.queue),
                *self._retries]
        return [job.describe() for job in jobs]

    # The sender thread.

    def _run(self) -> None:
        while True:
            try:
                job = self._next_job()
                if job is not None:
                    self._sending = job
                    try:
                        self._attempt(job)
                    finally:
                        self._sending = None
                    self._last_activity = time.monotonic()
            except Exception:  # the sender must outlive any surprise
                log.exception("Mail sender: unexpected error")
                time.sleep(1)

    def _next_job(self) -> _Job | None:
        """A retry that is due, else the next queued message; None after a wait with neither."""
        now = time.monotonic()
        if self._retries and self._retries[0].due <= now:
            return heapq.heappop(self._retries)
        waits = [self._retries[0].due - now] if self._retries else []
        if self._smtp is not None:
            idle_for = now - self._last_activity
            if idle_for >= IDLE_CLOSE_SECONDS:
                self._quit()
            else:
                waits.append(IDLE_CLOSE_SECONDS - idle_for)
        try:
            return self._queue.get(timeout=min(waits) if waits else None)
        except queue.Empty:
            return None

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        try:
            self._send(job)
        except Exception as error:
            if _is_temporary(error) and job.attempts < MAX_ATTEMPTS:
                delay = BACKOFF_SECONDS * 2 ** (job.attempts - 1)
                log.warning("Mail %s failed (attempt %d of %d), retrying in %.1f s: %s",
                            job.describe(), job.attempts, MAX_ATTEMPTS, delay, error)
                job.due = time.monotonic() + delay
                heapq.heappush(self._retries, job)
                return
            log.error("Mail %s not delivered after %d attempt(s): %r",
                      job.describe(), job.attempts, error)
        self._finish()

    def _send(self, job: _Job) -> None:
        smtp, reused = self._connect(job.settings)
        try:
            smtp.send_message(job.message)
        except Exception as error:
            code = _reply_code(error)
            if code is not None and code != 421:
                raise  # the server answered (smtplib sent RSET): the session stays usable
            self._drop()
            dropped = isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError))
            if reused and (dropped or code == 421):
                # The server closed (or timed out) a session we kept open: once more on a fresh
                # session (not reused, so this recursion stops there).
                self._send(job)
                return
            raise

    def _connect(self, settings: SmtpSettings) -> tuple[smtplib.SMTP, bool]:
        """An open session for `settings`, and whether it is one reused from before."""
        if self._smtp is not None and self._smtp_settings == settings:
            return self._smtp, True
        self._quit()
        self._smtp = open_connection(settings)
        self._smtp_settings = settings
        self.connections += 1
        return self._smtp, False

    def _quit(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except Exception:  # QUIT is a courtesy; the socket is closed either way
            self._smtp.close()
        self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    def _finish(self) -> None:
        with self._changed:
            self._pending -= 1
            self._finished += 1
            self._changed.notify_all()
        self._queue.task_done()


_lock = threading.Lock()
_current: MailQueue | None = None


def current() -> MailQueue | None:
    """This process's queue, if a message was queued in it."""
    return _current


def enqueue(settings: SmtpSettings, message: EmailMessage) -> None:
    """Queue one message for the background sender (started on first use in this process)."""
    global _current
    with _lock:
        if _current is None or not _current.alive():
            _current = MailQueue()
        mail_queue = _current
    mail_queue.put(settings, message)


def wait_until_idle(stall_seconds: float = FLUSH_STALL_SECONDS,
                    deadline_seconds: float | None = None) -> bool:
    """Wait for this process's queue to drain; False if it stalled or the deadline passed."""
    mail_queue = _current
    return mail_queue is None or mail_queue.wait_until_idle(stall_seconds, deadline_seconds)


def _forget_after_fork() -> None:
    # A forked child (gunicorn --preload) has no sender thread: it starts its own on first use.
    global _current, _lock
    _current = None
    _lock = threading.Lock()


def flush(deadline_seconds: float | None = None) -> bool:
    """Send what is queued before the process ends; log what could not be sent in time.

    A gunicorn worker passes a deadline below its graceful_timeout (gunicorn.conf.py), so a long
    queue is logged instead of silently cut off by the SIGKILL that follows; a CLI run (the
    digests) waits as long as messages keep going out.
    """
    mail_queue = _current
    if mail_queue is None or wait_until_idle(deadline_seconds=deadline_seconds):
        return True
    left = mail_queue.undelivered()
    log.error("Mail: %d message(s) not sent at exit: %s", mail_queue.pending, "; ".join(left))
    return False


@atexit.register
def _flush_at_exit() -> None:
    flush()


os.register_at_fork(after_in_child=_forget_after_fork)
