"""The mail backends: memory for tests, outbox folder plus log for local runs."""

from __future__ import annotations

import logging
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from forum.lib.mail import backend_name, outbox, send_mail


@pytest.fixture
def app_config(app_config, request):
    """Tests choose the backend through indirect parametrisation."""
    return {**app_config, **getattr(request, "param", {})}


@pytest.fixture
def app_log(app, caplog, monkeypatch):
    """Capture the app's INFO log.

    Alembic's env.py runs logging.config.fileConfig, which disables loggers that already exist;
    after a migration test in the same worker the "forum" logger would be silent.
    """
    monkeypatch.setattr(app.logger, "disabled", False)
    with caplog.at_level(logging.INFO):
        yield caplog


def test_memory_backend_collects_messages(ctx):
    assert backend_name() == "memory"
    message = send_mail("amina@example.org", "Hello", "Plain text", "<p>HTML</p>")
    assert outbox() == [message]
    assert message["To"] == "amina@example.org" and message["Subject"] == "Hello"
    assert message["From"]
    assert message.get_body(("plain",)).get_content().strip() == "Plain text"
    assert message.get_body(("html",)).get_content().strip() == "<p>HTML</p>"


@pytest.mark.parametrize("app_config", [{"MAIL_BACKEND": None}], indirect=True)
def test_outbox_backend_writes_eml_and_logs_the_link(ctx, app_log):
    assert backend_name() == "outbox"
    link = "http://localhost/password/reset/abc.def"
    send_mail("amina@example.org", "Reset", f"Open {link}\n")
    [path] = Path(ctx.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    stored = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert stored["To"] == "amina@example.org" and stored["Subject"] == "Reset"
    assert link in stored.get_content()
    assert link in app_log.text
    assert outbox() == []


@pytest.mark.parametrize("app_config", [{"MAIL_BACKEND": None}], indirect=True)
def test_reset_request_lands_in_the_outbox_with_a_followable_link(client, make, app_log):
    make.user("amina")
    client.post("/password/forgot", data={"email": "amina@example.org"})
    path = re.search(r"http://localhost(/password/reset/\S+)", app_log.text).group(1)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("app_config", [{"MAIL_BACKEND": None, "MAIL_SERVER": "smtp.example"}],
                         indirect=True)
def test_smtp_is_chosen_when_a_server_is_configured(ctx):
    assert backend_name() == "smtp"
