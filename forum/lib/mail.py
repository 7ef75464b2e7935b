"""A small pluggable mail backend: SMTP when configured, else an outbox folder and the log.

Backends: "smtp" (MAIL_SERVER set; queued and sent by a background thread, see
forum/lib/mail_queue.py, unless MAIL_ASYNC is off), "outbox" (default for local runs: .eml files
in instance/outbox, and the text in the log so a local user can follow links), "memory" (tests:
messages collected in app.extensions["mail_outbox"]).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

from forum.lib import mail_queue

DEFAULT_FROM = "Commons <no-reply@localhost>"


def _message(to: str, subject: str, text: str, html: str | None,
             headers: dict[str, str] | None = None) -> EmailMessage:
    message = EmailMessage()
    # Test and bare configs may not set MAIL_FROM; a local sender is a safe default.
    message["From"] = current_app.config.get("MAIL_FROM") or DEFAULT_FROM
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="commons.local")
    for name, value in (headers or {}).items():  # e.g. List-Unsubscribe (RFC 8058)
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def backend_name() -> str:
    """The backend in use: MAIL_BACKEND if set, else smtp or outbox."""
    configured = current_app.config.get("MAIL_BACKEND")
    if configured:
        return configured
    return "smtp" if current_app.config.get("MAIL_SERVER") else "outbox"


def send_mail(to: str, subject: str, text: str, html: str | None = None,
              headers: dict[str, str] | None = None) -> EmailMessage:
    """Send one message (with optional extra headers) through the configured backend.

    With SMTP (and MAIL_ASYNC on) the message is built here and queued; delivery failures are
    retried and logged by the sender, not raised to the caller.
    """
    message = _message(to, subject, text, html, headers)
    backend = backend_name()
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "smtp":
        settings = mail_queue.SmtpSettings.from_config(current_app.config)
        if current_app.config.get("MAIL_ASYNC", True):
            # Off the request path: a slow or unreachable server must not hold the page.
            mail_queue.enqueue(settings, message)
        else:
            mail_queue.send_now(settings, message)
    else:
        folder = Path(current_app.config.get("MAIL_OUTBOX_DIR")
                      or Path(current_app.instance_path) / "outbox")
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_")
        (folder / f"{name}.eml").write_bytes(bytes(message))
        current_app.logger.info("Mail to %s: %s\n%s", to, subject, text)
    return message


def outbox() -> list[EmailMessage]:
    """Messages sent with the memory backend (tests)."""
    return current_app.extensions.setdefault("mail_outbox", [])
