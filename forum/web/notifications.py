"""The notification centre and notification preferences."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from forum.errors import Invalid
from forum.extensions import csrf
from forum.lib.safe_redirect import safe_next_url
from forum.models import Delivery, NotificationKind
from forum.services import notifications as svc
from forum.services.notifications import mailing
from forum.services.notifications import preferences as prefs_svc
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("notifications", __name__)

K = NotificationKind
# Labels of the triggers, in the order the preferences page lists them.
KIND_LABELS = [
    (K.MENTION.value, _l("Someone mentions you (@you) in a post or chat message")),
    (K.DIRECT_MESSAGE.value, _l("Someone sends you a direct message")),
    (K.REPLY.value, _l("Someone replies to your thread or post")),
    (K.ACCEPTED.value, _l("Your answer is accepted")),
    (K.MENTOR_ANSWER.value, _l("A mentor answers in a thread you watch")),
    (K.NEW_THREAD.value, _l("A new thread starts in a category you watch")),
    (K.MODERATION.value, _l("A moderator acts on your content or account")),
]
DELIVERY_CHOICES = [SelectChoice(Delivery.APP.value, _l("In the app")),
                    SelectChoice(Delivery.EMAIL.value, _l("In the app and by email")),
                    SelectChoice(Delivery.OFF.value, _l("Off"))]


class PreferencesForm(FlaskForm):
    """One radio group per trigger, plus the daily digest."""

    digest = RadioField(_l("Daily digest by email"), choices=[
        SelectChoice(Delivery.EMAIL.value, _l("Send me a daily digest of unread activity")),
        SelectChoice(Delivery.OFF.value, _l("No digest"))])


for _kind, _label in KIND_LABELS:
    setattr(PreferencesForm, f"kind_{_kind}", RadioField(_label, choices=DELIVERY_CHOICES))


@bp.app_context_processor
def unread_badge() -> dict:
    """`unread_notifications` for the bell in base.html: one COUNT, logged-in users only."""
    if not current_user.is_authenticated:
        return {}
    # Fragments and mail rendered during the same request reuse the one count. It is kept on
    # the request (not `g`, which tests share between requests) and tied to the user.
    count = known_unread()
    if count is None:
        count = remember_unread(svc.unread_count(current_user))[1]
    return {"unread_notifications": count}


def known_unread() -> int | None:
    """The unread count this request already holds for the current user, else None."""
    cached = getattr(request, "_unread_notifications", None)
    return cached[1] if cached is not None and cached[0] == current_user.id else None


def remember_unread(count: int) -> tuple[int, int]:
    """Keep this request's unread count for the bell (tied to the user it was counted for);
    the page header (web/main.py) primes it from its one query of every header count."""
    request._unread_notifications = (current_user.id, count)
    return request._unread_notifications


@bp.app_template_filter("isodatetime")
def isodatetime(value: str) -> datetime:
    """Parse the ISO timestamps of the plain-data notification items back for formatting."""
    return datetime.fromisoformat(value)


@bp.get("/notifications")
@login_required
def index():
    """The notification centre: newest activity first, paged by cursor."""
    unread_only = request.args.get("filter") == "unread"
    page = svc.list_notifications(current_user, request.args.get("cursor"),
                                  limit=current_app.config["NOTIFICATIONS_PER_PAGE"],
                                  unread_only=unread_only)
    remember_unread(page["unread"])  # the bell shows the count the list just read
    return render_template("notifications/index.html", page=page, unread_only=unread_only)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one notification read; with open=1 go on to what it is about."""
    result = svc.mark_read(current_user, notification_id)
    if request.form.get("open"):
        return redirect(safe_next_url(result["url"]) or url_for(".index"))
    return redirect(safe_next_url(request.form.get("next")) or url_for(".index"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    """Mark every notification read."""
    result = svc.mark_all_read(current_user)
    flash(_("All notifications marked as read.") if result["marked"]
          else _("Nothing was unread."), "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Per-trigger delivery, the digest, and watched or muted categories, channels, threads."""
    prefs = prefs_svc.get_preferences(current_user)
    form = PreferencesForm()
    if not form.is_submitted():
        form.process(data={"digest": prefs.digest,
                           **{f"kind_{k}": v for k, v in prefs.kinds.items()}})
    if form.validate_on_submit():
        kinds = {kind: form[f"kind_{kind}"].data for kind, _label in KIND_LABELS}
        try:
            prefs_svc.set_preferences(current_user, kinds, form.digest.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your notification preferences were saved."), "success")
            return redirect(url_for(".preferences"))
    return render_template("notifications/preferences.html", form=form, prefs=prefs,
                           kind_labels=KIND_LABELS), form_status(form)


@bp.post("/notifications/categories/<int:category_id>")
@login_required
def category_level(category_id: int):
    """Watch, mute or reset a category."""
    level = request.form.get("level") or None
    prefs_svc.set_category_watch(current_user, category_id, level)
    flash(_("Category notifications saved."), "success")
    return redirect(safe_next_url(request.form.get("next"))
                    or url_for(".preferences") + "#categories")


@bp.post("/notifications/channels/<int:channel_id>")
@login_required
def channel_mute(channel_id: int):
    """Mute or unmute a chat channel."""
    muted = request.form.get("muted") == "1"
    prefs_svc.set_channel_mute(current_user, channel_id, muted)
    flash(_("Channel muted.") if muted else _("Channel unmuted."), "success")
    return redirect(safe_next_url(request.form.get("next"))
                    or url_for(".preferences") + "#channels")


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST it without a page (RFC 8058)
def unsubscribe(token: str):
    """GET: confirm page (no change, so link scanners do nothing). POST: unsubscribe."""
    try:
        if request.method == "POST":
            found = mailing.unsubscribe_with_token(token)
            return render_template("notifications/unsubscribed.html", kind=found.kind,
                                   kind_labels=dict(KIND_LABELS))
        found = mailing.read_unsubscribe_token(token)
    except Invalid as error:
        return render_template("notifications/unsubscribe_invalid.html",
                               message=error.message), 400
    return render_template("notifications/unsubscribe.html", token=token, kind=found.kind,
                           kind_labels=dict(KIND_LABELS))
