"""Notification mail: immediate mail for mentions and DMs to people who are offline, the daily
digest, and one-click unsubscribe links (signed tokens, RFC 8058 headers)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from forum.errors import Invalid
from forum.extensions import db
from forum.lib.mail import send_mail
from forum.lib.tokens import TokenError, load_token, make_token
from forum.models import Category, Delivery, Notification, Thread, ThreadRead, User, utcnow
from forum.services import access, presence
from forum.services.notifications.centre import describe
from forum.services.notifications.core import (
    DIGEST,
    KINDS,
    all_deliveries,
    deliveries,
    path,
    visible_clause,
)
from forum.services.notifications.preferences import unsubscribe

UNSUBSCRIBE_SALT = "notifications-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 60 * 60  # a year: old digests should still unsubscribe
DIGEST_MAX_ITEMS = 30
DIGEST_MAX_THREADS = 10


# --------------------------------------------------------------------------- links and tokens


def absolute(site_path: str) -> str:
    """An absolute URL for mail: SITE_URL (or the current host) + a site-relative path."""
    base = current_app.config.get("SITE_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://localhost").rstrip("/") + site_path


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token that stops one kind of mail ("digest", a kind, or "all") for one user."""
    return make_token({"u": user_id, "k": kind}, UNSUBSCRIBE_SALT)


def unsubscribe_url(user_id: int, kind: str) -> str:
    """The absolute one-click unsubscribe link for a mail."""
    return absolute(path("notifications.unsubscribe", token=unsubscribe_token(user_id, kind)))


@dataclass
class UnsubscribeRequest:
    """What a valid unsubscribe link is about."""

    user: User
    kind: str


def read_unsubscribe_token(token: str) -> UnsubscribeRequest:
    """Check a link's token; a forged, tampered or expired one raises a clear Invalid."""
    broken = Invalid(_("This unsubscribe link is broken or has expired. You can change your "
                       "notification mail in your preferences after logging in."),
                     code="bad_token")
    try:
        payload = load_token(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
    except TokenError:
        raise broken from None
    if not isinstance(payload, dict) or payload.get("k") not in (*KINDS, DIGEST, "all"):
        raise broken
    user = db.session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    if user is None:
        raise broken
    return UnsubscribeRequest(user, payload["k"])


def unsubscribe_with_token(token: str) -> UnsubscribeRequest:
    """One-click unsubscribe (the POST of the confirm page or of a mail client)."""
    found = read_unsubscribe_token(token)
    unsubscribe(found.user, found.kind)
    return found


def _headers(link: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _render(template: str, **context) -> str:
    scope = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with scope:
        return render_template(template, **context)


# --------------------------------------------------------------------------- immediate mail


def send_immediate(notification_ids: list[int]) -> int:
    """Mail new mention/DM notifications to recipients with no live socket; returns how many.

    Decided after the commit, so a person who reads it in the app meanwhile gets no mail.
    """
    if not notification_ids:
        return 0
    rows = list(db.session.scalars(
        select(Notification).where(Notification.id.in_(sorted(notification_ids)),
                                   Notification.read_at.is_(None),
                                   Notification.emailed_at.is_(None), visible_clause())
        .options(joinedload(Notification.actor))))
    if not rows:
        return 0
    recipients = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(sorted({r.user_id for r in rows})), User.banned_at.is_(None)))}
    online = presence.online_among(sorted(recipients))
    sent = 0
    for row in rows:
        user = recipients.get(row.user_id)
        if user is None or user.id in online or not user.email:
            continue
        if deliveries([user.id], row.kind)[user.id] != Delivery.EMAIL.value:
            continue
        with force_locale(user.language or "en"):
            link = unsubscribe_url(user.id, row.kind)
            context = {"user": user, "text": describe(row), "excerpt": row.excerpt,
                       "url": absolute(row.url or "/"), "unsubscribe_url": link,
                       "preferences_url": absolute(path("notifications.preferences"))}
            send_mail(user.email, describe(row), _render("mail/notification.txt", **context),
                      _render("mail/notification.html", **context), headers=_headers(link))
        row.emailed_at = utcnow()
        sent += 1
    db.session.commit()
    return sent


# --------------------------------------------------------------------------- digests


@dataclass
class DigestThread:
    """A thread in one of the person's cohorts with activity they have not read."""

    thread: Thread
    category: Category
    url: str


def _digest_notifications(user: User) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None),
            Notification.digested_at.is_(None), Notification.emailed_at.is_(None),
            visible_clause())
        .options(joinedload(Notification.actor))
        .order_by(Notification.updated_at.desc()).limit(DIGEST_MAX_ITEMS)))


def _cohort_activity(user: User, since) -> list[DigestThread]:
    """Threads of the person's cohorts active since `since` and unread by them."""
    cohorts = sorted(access.member_cohort_ids(user))
    if not cohorts:
        return []
    rows = db.session.execute(
        select(Thread, Category)
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id,
                                    ThreadRead.user_id == user.id))
        .where(Category.cohort_id.in_(cohorts), Thread.last_activity_at >= since,
               Thread.last_post_id > func.coalesce(ThreadRead.last_read_post_id, 0),
               access.visible_threads_clause(user))
        .order_by(Thread.last_activity_at.desc()).limit(DIGEST_MAX_THREADS)).all()
    return [DigestThread(t, c, absolute(path("discussions.thread", thread_id=t.id)))
            for t, c in rows]


def send_digest(user: User, since) -> bool:
    """Mail one person's digest if there is anything; marks the notifications included."""
    if user.banned_at is not None or not user.email:
        return False
    chosen = all_deliveries(user.id)
    if chosen[DIGEST] != Delivery.EMAIL.value:
        return False
    items = [row for row in _digest_notifications(user)
             if chosen.get(row.kind) == Delivery.EMAIL.value]
    threads = _cohort_activity(user, since)
    if not items and not threads:
        return False
    with force_locale(user.language or "en"):
        link = unsubscribe_url(user.id, DIGEST)
        context = {
            "user": user, "threads": threads, "unsubscribe_url": link,
            "items": [{"text": describe(r), "excerpt": r.excerpt,
                       "url": absolute(r.url or "/")} for r in items],
            "preferences_url": absolute(path("notifications.preferences")),
            "centre_url": absolute(path("notifications.index")),
        }
        subject = _("Your Commons digest: %(n)d new", n=len(items) + len(threads))
        send_mail(user.email, subject, _render("mail/digest.txt", **context),
                  _render("mail/digest.html", **context), headers=_headers(link))
    now = utcnow()
    for row in items:
        row.digested_at = now
    db.session.commit()
    return True


def send_digests(since_hours: int = 24) -> tuple[int, int]:
    """Send every digest due; returns (mailed, people considered). One commit per person, so a
    crash half-way never mails the same notifications twice."""
    since = utcnow() - timedelta(hours=since_hours)
    ids = list(db.session.scalars(select(User.id).where(User.banned_at.is_(None))
                                  .order_by(User.id)))
    mailed = 0
    for user_id in ids:
        user = db.session.get(User, user_id)
        if user is not None and send_digest(user, since):
            mailed += 1
        access.forget_memberships(user_id)
    return mailed, len(ids)
