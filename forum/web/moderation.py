"""The moderators' pages: flag form, review queue, actions on content and people, audit log.

Every view parses input, calls one service and renders or redirects; the services check access.
Action buttons post small forms and come back (303) to where the moderator was (`next`).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.errors import Conflict, Invalid
from forum.lib.safe_redirect import safe_next_url
from forum.services import access
from forum.services.moderation import audit, content, flags, people, queue
from forum.web.errors import problem, wants_json
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("moderation", __name__)

KINDS = "any(post, thread, message)"
KIND_LABELS = {"post": _l("post"), "thread": _l("thread"), "message": _l("chat message"),
               "user": _l("person")}
ACTION_LABELS = {
    "hide": _l("Hidden"), "restore": _l("Restored"), "delete": _l("Deleted"),
    "edit": _l("Edited"), "dismiss": _l("Flags dismissed (kept)"), "lock": _l("Locked"),
    "unlock": _l("Unlocked"), "pin": _l("Pinned"), "unpin": _l("Unpinned"), "move": _l("Moved"),
    "auto_hide": _l("Hidden automatically"), "word_hold": _l("Held by the word filter"),
    "warn": _l("Warned"), "suspend": _l("Suspended"), "ban": _l("Banned"), "lift": _l("Lifted"),
    "role_change": _l("Role changed"), "cohort_create": _l("Cohort created"),
    "cohort_archive": _l("Cohort archived"), "cohort_unarchive": _l("Cohort reactivated"),
    "invitation_create": _l("Invitation created"), "invitation_revoke": _l("Invitation revoked"),
    "roster_import": _l("Roster imported"), "member_add": _l("Member added"),
    "member_role": _l("Member role changed"), "member_remove": _l("Member removed"),
}


@bp.app_context_processor
def moderation_link() -> dict:
    """`show_moderation_link` for global moderators and facilitators (memberships are cached)."""
    # Lazy: evaluated only when base.html asks, and only for logged-in pages.
    return {"show_moderation_link": _Lazy(lambda: access.moderates_anything(current_user)),
            "cohort_writing": cohort_writing}


def cohort_writing(cohort_id: int | None) -> dict:
    """For a cohort's pages: the banner to show (archived read-only, the viewer's restriction)
    and whether the viewer may write there (composers are shown or disabled from it)."""
    return {"notice": access.cohort_notice(current_user, cohort_id),
            "can_write": access.can_write_cohort(current_user, cohort_id),
            "moderates": access.can_moderate_cohort(current_user, cohort_id)}


class _Lazy:
    """A truth value computed on first use (templates test it once)."""

    def __init__(self, compute) -> None:
        self._compute, self._value = compute, None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = bool(self._compute())
        return self._value


class FlagForm(FlaskForm):
    """Why a member flags an item."""

    reason = RadioField(_l("Reason"), choices=[SelectChoice(k, v) for k, v
                                               in flags.REASONS.items()],
                        validators=[DataRequired(_l("Choose a reason."))])
    note = TextAreaField(_l("Details for the moderators (required for “Something else”)"),
                         validators=[Optional(), Length(max=flags.NOTE_MAX)])
    next = HiddenField()


class ReasonForm(FlaskForm):
    """A moderator's reason (shown to the author) and where to go back."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=content.REASON_MAX)])
    next = HiddenField()


class EditForm(ReasonForm):
    """A moderator's correction of a post."""

    body = TextAreaField(_l("Text"), validators=[DataRequired()])


def _optional_int(value) -> int | None:
    """A select's value as an id; the empty placeholder (no destination chosen yet) is None."""
    return int(value) if value not in (None, "") else None


class MoveForm(ReasonForm):
    """Where a thread goes; no destination is preselected (the most public one least of all)."""

    category_id = SelectField(_l("Move to"), coerce=_optional_int,
                              validators=[DataRequired(_l("Choose where the thread goes."))])
    confirm_wider_audience = BooleanField(_l("I understand who will be able to read it"))
    # The destination the confirmation was shown for: ticking the box confirms that one only.
    confirmed_for = HiddenField()


class SuspendForm(ReasonForm):
    """How long a suspension lasts."""

    days = IntegerField(_l("Days"), default=1,
                        validators=[Optional(), NumberRange(min=0, max=people.MAX_SUSPENSION_DAYS)])
    hours = IntegerField(_l("Hours"), default=0, validators=[Optional(), NumberRange(0, 23)])


def _back(default: str | None = None) -> str:
    return safe_next_url(request.form.get("next") or request.args.get("next")) \
        or default or url_for(".queue")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


# --------------------------------------------------------------------------- flags


@bp.route(f"/flag/<{KINDS}:target_type>/<int:target_id>", methods=["GET", "POST"])
@login_required
def flag(target_type: str, target_id: int):
    """Flag a post, thread or chat message (works without JavaScript)."""
    target = flags.flaggable(current_user, target_type, target_id)
    form = FlagForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            flags.flag(current_user, target_type, target_id, form.reason.data,
                       form.note.data or "")
        except Conflict as error:
            if wants_json():  # the thread page's in-place flag dialog (thread.js)
                raise
            flash(error.message, "info")
            return redirect(_back(target.url), 303)
        except Invalid as error:
            if wants_json():
                raise
            apply_errors(form, error)
        else:
            message = _("Thank you. The moderators will review it.")
            if wants_json():
                return {"ok": True, "message": message}
            flash(message, "success")
            return redirect(_back(target.url), 303)
    if wants_json() and request.method == "POST":
        return problem("invalid", _("Please correct the highlighted fields."), 422,
                       {name: " ".join(map(str, errors)) for name, errors in form.errors.items()})
    return render_template("moderation/flag.html", form=form, target=target,
                           kind_label=KIND_LABELS[target_type]), form_status(form)


# --------------------------------------------------------------------------- queue


@bp.get("/moderation", endpoint="queue")
@login_required
def review():
    """Flagged items awaiting review, oldest first, filtered by cohort."""
    page = queue.review_queue(current_user, _int_arg("cohort"), request.args.get("after"))
    return render_template("moderation/queue.html", page=page, reasons=flags.REASON_LABELS,
                           kind_labels=KIND_LABELS, form=ReasonForm())


# --------------------------------------------------------------------------- content


def _content_action(action, target_type: str, target_id: int, done: str):
    form = ReasonForm()
    if not form.validate_on_submit():
        expired = "csrf_token" in form.errors
        flash(_("Your form expired. Please reload the page and try again.") if expired
              else _("The reason is too long."), "error")
        return redirect(_back(), 303)
    try:
        action(current_user, target_type, target_id, form.reason.data or "")
    except Invalid as error:
        flash(error.fields.get("reason", error.message), "error")
    else:
        flash(done, "success")
    return redirect(_back(), 303)


@bp.post(f"/moderation/<{KINDS}:target_type>/<int:target_id>/hide")
@login_required
def hide(target_type: str, target_id: int):
    """Hide an item; the author is told why."""
    return _content_action(content.hide, target_type, target_id, _("Hidden."))


@bp.post(f"/moderation/<{KINDS}:target_type>/<int:target_id>/restore")
@login_required
def restore(target_type: str, target_id: int):
    """Show a hidden item again."""
    return _content_action(content.restore, target_type, target_id, _("Restored."))


@bp.post(f"/moderation/<{KINDS}:target_type>/<int:target_id>/keep")
@login_required
def keep(target_type: str, target_id: int):
    """Keep an item: dismiss its flags."""
    return _content_action(content.dismiss, target_type, target_id,
                           _("Kept; the flags are dismissed."))


@bp.post(f"/moderation/<{KINDS}:target_type>/<int:target_id>/delete")
@login_required
def delete(target_type: str, target_id: int):
    """Delete an item."""
    return _content_action(content.remove, target_type, target_id, _("Deleted."))


@bp.route("/moderation/post/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    """Correct a post as a moderator (the old text stays in its history)."""
    target = access.access_moderatable(current_user, "post", post_id)
    form = EditForm(body=target.obj.body_source) if request.method == "GET" else EditForm()
    if form.validate_on_submit():
        try:
            content.edit_post(current_user, post_id, form.body.data, form.reason.data or "")
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("The post was updated."), "success")
            return redirect(_back(target.url), 303)
    return render_template("moderation/edit.html", form=form, target=target), form_status(form)


@bp.post("/moderation/thread/<int:thread_id>/state")
@login_required
def thread_state(thread_id: int):
    """Lock, unlock, pin or unpin a thread."""
    change = request.form.get("change", "")
    values = {"lock": {"locked": True}, "unlock": {"locked": False},
              "pin": {"pinned": True}, "unpin": {"pinned": False}}
    if change not in values:
        abort(400)
    content.set_thread_state(current_user, thread_id, reason=request.form.get("reason", ""),
                             **values[change])
    flash(_("Thread updated."), "success")
    return redirect(_back(url_for("discussions.thread", thread_id=thread_id)), 303)


@bp.route("/moderation/thread/<int:thread_id>/move", methods=["GET", "POST"])
@login_required
def move(thread_id: int):
    """Move a thread to another category the moderator also moderates.

    A move that widens who can read the thread comes back once as a confirmation step saying
    who will be able to read it; it happens only with the box ticked.
    """
    thread, categories = content.move_categories(current_user, thread_id)
    form = MoveForm()
    form.category_id.choices = [SelectChoice("", _("Choose a destination…"))] + [
        SelectChoice(c.id, _category_label(c)) for c in categories]
    warning = None
    if form.validate_on_submit():
        try:
            confirmed = form.confirm_wider_audience.data and \
                form.confirmed_for.data == str(form.category_id.data)
            content.move_thread(current_user, thread_id, form.category_id.data,
                                form.reason.data or "", confirm_wider_audience=confirmed)
        except Conflict as error:
            if error.code != "wider_audience":
                raise
            warning = error.message
            form.confirmed_for.data = str(form.category_id.data)
            form.confirm_wider_audience.data = False
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("The thread was moved."), "success")
            return redirect(url_for("discussions.thread", thread_id=thread_id), 303)
    status = 409 if warning else form_status(form)
    return render_template("moderation/move.html", form=form, thread=thread,
                           warning=warning), status


def _category_label(category) -> str:
    """A destination as the select shows it: the space, and whose it is."""
    if category.cohort is None:
        return _("%(name)s (everyone on Commons)", name=category.name) \
            if not category.is_ask_mentor else _("%(name)s (ask a mentor, site-wide)",
                                                 name=category.name)
    return _("%(name)s (cohort %(cohort)s)", name=category.name, cohort=category.cohort.name)


# --------------------------------------------------------------------------- people


def _person_page(user_id: int, forms: dict | None = None, status: int = 200):
    view = people.person_view(current_user, user_id)
    forms = forms or {}
    return render_template(
        "moderation/person.html", view=view, action_labels=ACTION_LABELS,
        warn_form=forms.get("warn") or ReasonForm(), suspend_form=forms.get("suspend")
        or SuspendForm(), ban_form=forms.get("ban") or ReasonForm(),
        lift_form=forms.get("lift") or ReasonForm()), status


@bp.get("/moderation/people/<int:user_id>")
@login_required
def person(user_id: int):
    """A person's status, the actions a moderator may take, and their recent history."""
    return _person_page(user_id)


def _person_action(user_id: int, key: str, form: FlaskForm, call, done: str):
    if form.validate_on_submit():
        try:
            call()
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(done, "success")
            return redirect(_back(url_for(".person", user_id=user_id)), 303)
    else:
        people.person_view(current_user, user_id)  # access first: 403/404 before form errors
    return _person_page(user_id, {key: form}, 422)


@bp.post("/moderation/people/<int:user_id>/warn")
@login_required
def warn(user_id: int):
    """Send a warning."""
    form = ReasonForm()
    return _person_action(user_id, "warn", form, lambda: people.warn(
        current_user, user_id, form.reason.data or ""), _("Warning sent."))


@bp.post("/moderation/people/<int:user_id>/suspend")
@login_required
def suspend(user_id: int):
    """Suspend for a number of days and hours."""
    form = SuspendForm()
    return _person_action(user_id, "suspend", form, lambda: people.suspend(
        current_user, user_id, form.days.data, form.reason.data or "", hours=form.hours.data or 0),
        _("Suspended."))


@bp.post("/moderation/people/<int:user_id>/ban")
@login_required
def ban(user_id: int):
    """Ban (global moderators)."""
    form = ReasonForm()
    return _person_action(user_id, "ban", form, lambda: people.ban(
        current_user, user_id, form.reason.data or ""), _("Banned."))


@bp.post("/moderation/people/<int:user_id>/lift")
@login_required
def lift(user_id: int):
    """Lift a suspension or a ban."""
    form = ReasonForm()
    return _person_action(user_id, "lift", form, lambda: people.lift(
        current_user, user_id, form.reason.data or ""), _("Lifted."))


# --------------------------------------------------------------------------- audit


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/moderation/audit")
@login_required
def audit_log():
    """Every moderator and admin action the viewer may see, newest first, filterable."""
    filters = audit.AuditFilters(
        actor=request.args.get("actor", ""), action=request.args.get("action", ""),
        target_type=request.args.get("target_type", ""), cohort_id=_int_arg("cohort"),
        since=_date_arg("since"), until=_date_arg("until"))
    status = 200
    try:
        page = audit.list_entries(current_user, filters, _int_arg("before"))
    except Invalid as error:
        flash(error.message, "error")
        page, status = audit.list_entries(current_user, audit.AuditFilters()), 422
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("moderation/audit.html", page=page, filters=filters, args=args,
                           cohorts=audit.audit_cohort_choices(current_user),
                           actions=ACTION_LABELS, kinds=KIND_LABELS,
                           target_types=audit.TARGET_TYPES), status
