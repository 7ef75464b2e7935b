"""Notification mail: immediate mail only to offline people, digests, one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import g
from sqlalchemy import select

from forum.extensions import db
from forum.lib.mail import outbox
from forum.models import Notification, NotificationPreference, Thread
from forum.services import chat, discussions
from forum.services.notifications import mailing, preferences
from tests import discussions_helpers
from tests.discussions_helpers import Browser, login

world = discussions_helpers.world  # the fixture


def _to(address: str) -> list:
    return [m for m in outbox() if m["To"] == address]


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _link(message) -> str:
    return re.search(r"(http://\S+/notifications/unsubscribe/\S+)", _text(message)).group(1)


def test_offline_user_gets_mail_for_a_mention_online_user_does_not(app, world, socket_client):
    g.pop("_login_user", None)
    online = socket_client(login(app, world.mentor))  # mona has a live socket
    g.pop("_login_user", None)
    assert online.is_connected()
    discussions.create_thread(world.amina, world.lounge_a.id, "Visa", "Ask @bilal and @mona")
    [mail] = outbox()
    assert mail["To"] == "bilal@example.org"
    assert mail["Subject"] == "Amina mentioned you in “Visa”"
    body = _text(mail)
    assert "Ask @bilal and @mona" in body and "http://" in body and "/p/" in body
    assert mail["List-Unsubscribe"] == f"<{_link(mail)}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Stop these emails" in mail.get_body(("html",)).get_content()
    row = db.session.scalar(select(Notification).where(Notification.user_id == world.bilal.id))
    assert row.emailed_at is not None


def test_burst_of_direct_messages_mails_once_until_read(app, world):
    dm = chat.open_direct_channel(world.amina, ["bilal"])
    for n in range(3):
        chat.send_message(world.amina, dm.id, f"Message {n}", f"m{n}")
    [mail] = _to("bilal@example.org")
    assert mail["Subject"] == "Amina sent you a direct message"
    assert "Message 0" in _text(mail)


def test_no_mail_when_preference_is_app_or_outsider_or_not_immediate_kind(app, world):
    preferences.set_preferences(world.bilal, {"mention": "app"})
    discussions.create_thread(world.amina, world.lounge_a.id, "Visa", "Ask @bilal and @carla")
    thread = db.session.scalar(select(Thread))
    discussions.reply(world.bilal, thread.id, "A reply to amina")  # reply: digest, not mail
    assert outbox() == []  # bilal chose app only; carla may not read it; replies wait


def test_digest_command_mails_unread_activity_and_marks_it(app, world, runner):
    thread = discussions.create_thread(world.mentor, world.lounge_a.id, "Housing in Geneva",
                                       "Where do you live?")
    discussions.reply(world.bilal, thread.id, "Near the lake, @amina too")  # amina: mention
    discussions.create_thread(world.carla, world.lounge_b.id, "Bravo only", "Secret")
    preferences.set_preferences(world.facilitator, {}, digest="off")
    outbox().clear()  # immediate mention mail to amina is not what this test is about
    result = runner.invoke(args=["forum", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "Sent" in result.output
    mails = {m["To"]: m for m in outbox()}
    assert "fatou@example.org" not in mails  # digest off
    assert "bilal@example.org" not in mails  # he has read everything: nothing to send
    amina = _text(mails["amina@example.org"])
    assert "Active in your cohorts" in amina and "Housing in Geneva" in amina
    assert "mentioned you" not in amina  # already mailed at once: not repeated
    mona = _text(mails["mona@example.org"])
    assert "Bilal replied in “Housing in Geneva”" in mona  # her unread notification
    for text in (amina, mona):
        assert "Bravo only" not in text  # another cohort's threads never appear
    assert "carla@example.org" not in mails  # her own thread; cohort A is not hers
    assert mails["mona@example.org"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in mona
    # Notifications go into one digest only; the cohort activity window is what is repeated.
    outbox().clear()
    runner.invoke(args=["forum", "send-digests"])
    again = {m["To"]: _text(m) for m in outbox()}
    assert "Bilal replied" not in again.get("mona@example.org", "")


def test_digest_skips_people_with_nothing_new(app, world, runner):
    old = discussions.create_thread(world.mentor, world.lounge_a.id, "Old news", "Old")
    old.last_activity_at = old.last_activity_at - timedelta(days=3)
    db.session.commit()
    outbox().clear()
    result = runner.invoke(args=["forum", "send-digests"])
    assert result.exit_code == 0
    assert outbox() == []
    assert "Sent 0 digest(s)" in result.output


def test_unsubscribe_link_confirms_on_get_and_unsubscribes_on_post(app, world):
    discussions.create_thread(world.amina, world.lounge_a.id, "Visa", "Ask @bilal")
    [mail] = outbox()
    path = _link(mail).split("://", 1)[1]
    path = path[path.index("/"):]
    visitor = Browser(app)  # not logged in: the link alone is enough
    page = visitor.get(path)
    assert page.status_code == 200 and "Stop emails for" in page.text
    assert db.session.scalar(select(NotificationPreference.id)) is None  # GET changes nothing
    app.config["WTF_CSRF_ENABLED"] = True  # one-click POST from a mail client has no CSRF token
    done = visitor.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    stored = db.session.execute(select(NotificationPreference.kind,
                                       NotificationPreference.delivery)).all()
    assert stored == [("mention", "app")]
    outbox().clear()
    discussions.create_thread(world.amina, world.lounge_a.id, "Again", "Ask @bilal")
    assert outbox() == []  # still told in the app, no longer by mail
    assert db.session.scalar(select(Notification.id).where(
        Notification.subject == "Again")) is not None


def test_tampered_or_foreign_unsubscribe_token_is_a_clear_error(app, world):
    with app.test_request_context("/"):
        token = mailing.unsubscribe_token(world.bilal.id, "digest")
    visitor = Browser(app)
    tampered = token[:-3] + ("abc" if token[-3:] != "abc" else "xyz")
    for bad in (tampered, "garbage", token.replace(".", "", 1)):
        page = visitor.get(f"/notifications/unsubscribe/{bad}")
        assert page.status_code == 400
        assert "This unsubscribe link is broken or has expired" in page.text
        assert visitor.post(f"/notifications/unsubscribe/{bad}").status_code == 400
    assert db.session.scalar(select(NotificationPreference.id)) is None
    # A token signed with the right key but for another purpose is refused too.
    from forum.lib.tokens import make_token

    with app.test_request_context("/"):
        other = make_token({"u": world.bilal.id, "k": "digest"}, "password-reset")
    assert visitor.get(f"/notifications/unsubscribe/{other}").status_code == 400
    assert visitor.post(f"/notifications/unsubscribe/{token}").status_code == 200
    assert db.session.scalar(select(NotificationPreference.delivery)) == "off"
