"""Admin pages for cohorts: list, create, edit, archive, members, invitations, roster import."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.errors import Invalid
from forum.services import cohorts as svc
from forum.services import invitations, roster, space_templates
from forum.services.access import require_admin
from forum.web.form_errors import form_status
from forum.web.onboarding import apply_errors

bp = Blueprint("admin_cohorts", __name__, url_prefix="/admin/cohorts")

ROLE_LABELS = [("member", _l("Member")), ("mentor", _l("Mentor")),
               ("moderator", _l("Facilitator (cohort moderator)"))]
COHORT_ROLE_CHOICES = [SelectChoice(value, label) for value, label in ROLE_LABELS]
INVITE_ROLE_CHOICES = COHORT_ROLE_CHOICES[:2]
MODE_LABELS = {"discussion": _l("Discussion"), "qa": _l("Questions and answers"),
               "ask_mentor": _l("Ask a mentor")}


class CohortForm(FlaskForm):
    """A cohort's name, programme, edition dates and description."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    programme = StringField(_l("Programme"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    # The service checks that the edition does not end before it starts.
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


ARCHIVE_MODES = [
    SelectChoice("read_only", _l("Read-only: members and mentors read but no longer post, reply, "
                                 "react or chat; moderators still can")),
    SelectChoice("writable", _l("Kept writable for alumni: everything works as before")),
]


class ArchiveForm(FlaskForm):
    """Archive as an alumni cohort: read-only, or kept writable (no default: a conscious choice)."""

    mode = RadioField(_l("After archiving, the cohort's spaces and chat channels are"),
                      choices=ARCHIVE_MODES,
                      validators=[DataRequired(_l("Choose read-only or kept writable."))])


class AddMemberForm(FlaskForm):
    """An existing user to put in the cohort, with a role."""

    identifier = StringField(_l("Username or email"), validators=[DataRequired(),
                                                                  Length(max=254)])
    role = SelectField(_l("Role"), choices=COHORT_ROLE_CHOICES, default="member")


class RoleForm(FlaskForm):
    """A new cohort role for one member."""

    role = SelectField(_l("Role"), choices=COHORT_ROLE_CHOICES)


class InvitationForm(FlaskForm):
    """A new invitation code."""

    role = SelectField(_l("Joins as"), choices=INVITE_ROLE_CHOICES, default="member")
    max_uses = IntegerField(_l("How many people can use it"), default=1,
                            validators=[DataRequired(), NumberRange(min=1, max=10_000)])
    expires_in_days = IntegerField(_l("Expires after (days)"),
                                   validators=[Optional(), NumberRange(min=1, max=365)])
    email = EmailField(_l("For this email only (optional)"),
                       validators=[Optional(), Length(max=254)])
    name = StringField(_l("Their name (optional)"), validators=[Optional(), Length(max=80)])


class RosterForm(FlaskForm):
    """A roster CSV file: name,email,role."""

    file = FileField(_l("Roster CSV file"), validators=[FileRequired()])


def _detail(cohort_id: int, status: int = 200, **forms: FlaskForm):
    """The admin page of one cohort, with fresh forms except those given."""
    view = svc.cohort_admin_view(current_user, cohort_id)
    forms.setdefault("add_form", AddMemberForm(formdata=None))
    forms.setdefault("invite_form", InvitationForm(formdata=None))
    forms.setdefault("roster_form", RosterForm(formdata=None))
    forms.setdefault("archive_form", ArchiveForm(
        formdata=None, mode=("read_only" if view.cohort.read_only else "writable")
        if view.cohort.is_archived else None))
    return render_template("admin/cohorts_detail.html", view=view, cohort=view.cohort,
                           state=invitations.invitation_state,
                           role_choices=ROLE_LABELS, **forms), status


@bp.get("/")
@login_required
def index():
    """Every cohort with its head count."""
    return render_template("admin/cohorts_index.html", summaries=svc.list_cohorts(current_user))


def _chosen_spaces() -> set[int] | None:
    """The template positions ticked on the new-cohort form; None when the form did not offer
    the choice (an older page): then every space of the template is created."""
    if "spaces_offered" not in request.form:
        return None
    return set(request.form.getlist("spaces", type=int))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a cohort with the spaces of the cohort template the admin keeps ticked."""
    require_admin(current_user)
    form = CohortForm()
    spaces = space_templates.cohort_template(current_user)
    chosen = _chosen_spaces() if request.method == "POST" else None
    if form.validate_on_submit():
        try:
            cohort = svc.create_cohort(current_user, form.name.data, form.programme.data or "",
                                       form.starts_on.data, form.ends_on.data,
                                       form.description.data or "", spaces=chosen)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Cohort %(name)s created.", name=cohort.name), "success")
            return redirect(url_for(".detail", cohort_id=cohort.id))
    status = form_status(form)
    if chosen is None:
        chosen = {spec.position for spec in spaces}
    return render_template("admin/cohorts_form.html", form=form, cohort=None, spaces=spaces,
                           chosen=chosen, modes=MODE_LABELS), status


@bp.get("/<int:cohort_id>")
@login_required
def detail(cohort_id: int):
    """A cohort's members, invitations and management forms."""
    return _detail(cohort_id)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def edit(cohort_id: int):
    """Edit a cohort's details (its address stays the same)."""
    cohort = svc.cohort_admin_view(current_user, cohort_id).cohort
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        try:
            svc.update_cohort(current_user, cohort_id, form.name.data, form.programme.data or "",
                              form.starts_on.data, form.ends_on.data,
                              form.description.data or "")
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Cohort saved."), "success")
            return redirect(url_for(".detail", cohort_id=cohort_id))
    status = form_status(form)
    return render_template("admin/cohorts_form.html", form=form, cohort=cohort), status


def _confirmed() -> bool:
    """Whether the admin already answered the confirmation step (page or modal dialog)."""
    return request.form.get("confirmed") == "1"


@bp.post("/<int:cohort_id>/archive")
@login_required
def archive(cohort_id: int):
    """Make the cohort an alumni cohort, read-only or kept writable (also changes the choice),
    after a confirmation that says what changes."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        return _detail(cohort_id, 422, archive_form=form)
    read_only = form.mode.data == "read_only"
    if not _confirmed():
        cohort = svc.cohort_admin_view(current_user, cohort_id).cohort
        return render_template("admin/cohorts_confirm.html", cohort=cohort, action="archive",
                               mode=form.mode.data, form=form)
    svc.set_cohort_status(current_user, cohort_id, archived=True, read_only=read_only)
    flash(_("The cohort is now an alumni cohort: read-only.") if read_only
          else _("The cohort is now an alumni cohort, kept writable."), "success")
    return redirect(url_for(".detail", cohort_id=cohort_id))


@bp.post("/<int:cohort_id>/reactivate")
@login_required
def reactivate(cohort_id: int):
    """Make an alumni cohort active again, after a confirmation that says what changes."""
    form = FlaskForm()
    cohort = svc.cohort_admin_view(current_user, cohort_id).cohort
    if form.validate_on_submit():
        if not _confirmed():
            return render_template("admin/cohorts_confirm.html", cohort=cohort,
                                   action="reactivate", mode=None, form=form)
        svc.set_cohort_status(current_user, cohort_id, archived=False)
        flash(_("The cohort is active again."), "success")
    return redirect(url_for(".detail", cohort_id=cohort_id))


@bp.post("/<int:cohort_id>/members")
@login_required
def add_member(cohort_id: int):
    """Add an existing user to the cohort."""
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            person = svc.add_member(current_user, cohort_id, form.identifier.data,
                                    form.role.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("%(name)s added.", name=person.display_name), "success")
            return redirect(url_for(".detail", cohort_id=cohort_id))
    return _detail(cohort_id, 422, add_form=form)


@bp.post("/<int:cohort_id>/members/<int:membership_id>/role")
@login_required
def change_role(cohort_id: int, membership_id: int):
    """Change someone's role in the cohort."""
    form = RoleForm()
    if form.validate_on_submit():
        svc.change_member_role(current_user, cohort_id, membership_id, form.role.data)
        flash(_("Role changed."), "success")
    else:
        flash(_("Choose member, mentor or moderator."), "error")
    return redirect(url_for(".detail", cohort_id=cohort_id))


@bp.post("/<int:cohort_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(cohort_id: int, membership_id: int):
    """Remove someone from the cohort."""
    if FlaskForm().validate_on_submit():
        svc.remove_member(current_user, cohort_id, membership_id)
        flash(_("Removed from the cohort."), "success")
    return redirect(url_for(".detail", cohort_id=cohort_id))


@bp.post("/<int:cohort_id>/invitations")
@login_required
def invite(cohort_id: int):
    """Create an invitation code and its shareable link."""
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation = invitations.create_invitation(
                current_user, cohort_id, role=form.role.data, max_uses=form.max_uses.data,
                expires_in_days=form.expires_in_days.data, email=form.email.data or None,
                name=form.name.data or None)
        except Invalid as error:
            apply_errors(form, error)
        else:
            link = url_for("onboarding.join", code=invitation.code, _external=True)
            flash(_("Invitation created. Share this link: %(link)s", link=link), "success")
            return redirect(url_for(".detail", cohort_id=cohort_id))
    return _detail(cohort_id, 422, invite_form=form)


@bp.post("/<int:cohort_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(cohort_id: int, invitation_id: int):
    """Withdraw an invitation."""
    if FlaskForm().validate_on_submit():
        invitations.revoke_invitation(current_user, cohort_id, invitation_id)
        flash(_("Invitation revoked."), "success")
    return redirect(url_for(".detail", cohort_id=cohort_id))


@bp.post("/<int:cohort_id>/roster")
@login_required
def import_roster(cohort_id: int):
    """Import a roster CSV: invitations for good rows, a report for bad ones."""
    form = RosterForm()
    if form.validate_on_submit():
        # Read one byte past the limit: enough to tell "too large" without reading a huge file.
        data = form.file.data.read(roster.MAX_BYTES + 1)
        try:
            result = roster.import_roster(
                current_user, cohort_id, data,
                lambda code: url_for("onboarding.join", code=code, _external=True))
        except Invalid as error:
            apply_errors(form, error)
        else:
            return render_template("admin/cohorts_roster.html", result=result,
                                   cohort=result.cohort)
    return _detail(cohort_id, 422, roster_form=form)
