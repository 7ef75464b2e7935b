"""Admin pages: the dashboard, people with their site-wide roles, and the cohort template."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from forum.errors import Invalid
from forum.lib.safe_redirect import safe_next_url
from forum.services import roles, space_templates
from forum.services.access import require_admin
from forum.web.onboarding import apply_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {
    "member": _l("Member"),
    "mentor": _l("Mentor"),
    "moderator": _l("Moderator"),
    "admin": _l("Admin"),
}


class RoleForm(FlaskForm):
    """A new site-wide role for one person."""

    role = SelectField(_l("Role"), validators=[DataRequired()],
                       choices=[SelectChoice(v, label) for v, label in ROLE_LABELS.items()])
    next = HiddenField()


@bp.get("/", strict_slashes=False)
@login_required
def index():
    """Admin home: counts and links to the admin pages."""
    counts = roles.dashboard(current_user)
    return render_template("admin/index.html", counts=counts)


@bp.get("/users")
@login_required
def users():
    """Search and page through people, with a role form on each row."""
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int) or 1
    pagination = roles.list_users(current_user, query, page)
    return render_template("admin/users.html", pagination=pagination, query=query,
                           role_labels=ROLE_LABELS, form=RoleForm())


@bp.post("/users/<int:user_id>/role")
@login_required
def set_role(user_id: int):
    """Change one person's role and go back to the list where the admin was."""
    form = RoleForm()
    back = safe_next_url(form.next.data) or url_for("admin.users")
    if not form.validate_on_submit():
        flash(_("Choose member, mentor, moderator or admin."), "error")
        return redirect(back, 303)
    try:
        user = roles.set_role(current_user, user_id, form.role.data)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s is now: %(role)s.", name=user.display_name,
                role=ROLE_LABELS[user.role]), "success")
    return redirect(back, 303)


# --------------------------------------------------------------------------- cohort template

SPACE_KINDS = [SelectChoice("category", _l("Discussion category")),
               SelectChoice("channel", _l("Chat channel"))]
SPACE_MODES = [
    SelectChoice("discussion", _l("Discussion")),
    SelectChoice("qa", _l("Questions and answers")),
    SelectChoice("ask_mentor", _l("Ask a mentor (members see only their own threads)"))]


class SpaceForm(FlaskForm):
    """One space of the cohort template: what it is, its name and address patterns."""

    kind = SelectField(_l("Kind"), choices=SPACE_KINDS, default="category")
    name_pattern = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug_pattern = StringField(_l("Address"), validators=[DataRequired(), Length(max=80)])
    mode = SelectField(_l("Mode (categories)"), choices=SPACE_MODES, default="discussion")
    description = TextAreaField(_l("Description (categories)"),
                                validators=[Optional(), Length(max=2000)])


def _space_form(spec: space_templates.SpaceSpec | None = None) -> SpaceForm:
    """A fresh form, prefixed so that every space's form on the page has its own field ids."""
    if spec is None:
        return SpaceForm(formdata=None, prefix="new")
    return SpaceForm(formdata=None, prefix=f"s{spec.position}", obj=spec)


def _template_page(status: int = 200, failed: SpaceForm | None = None,
                   failed_position: int | None = None):
    spaces = space_templates.cohort_template(current_user)
    forms = [failed if failed is not None and failed_position == spec.position
             else _space_form(spec) for spec in spaces]
    new_form = failed if failed is not None and failed_position is None else _space_form()
    return render_template("admin/cohort_template.html", spaces=list(zip(spaces, forms,
                                                                        strict=True)),
                           new_form=new_form, modes={c.value: c.label for c in SPACE_MODES},
                           move_form=FlaskForm(), open_position=failed_position,
                           failed_new=failed is not None and failed_position is None), status


@bp.get("/cohort-template")
@login_required
def cohort_template():
    """The spaces every new cohort starts with: list, edit, add, reorder, remove."""
    return _template_page()


def _save_space(position: int | None):
    form = SpaceForm(prefix="new" if position is None else f"s{position}")
    if form.validate_on_submit():
        try:
            spec = space_templates.save_space(
                current_user, position, kind=form.kind.data, name_pattern=form.name_pattern.data,
                slug_pattern=form.slug_pattern.data, mode=form.mode.data,
                description=form.description.data or "")
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Template space “%(name)s” saved.", name=spec.name_pattern), "success")
            return redirect(url_for(".cohort_template"), 303)
    space_templates.cohort_template(current_user)  # 403 before showing anything to others
    return _template_page(422, form, position)


@bp.post("/cohort-template/spaces")
@login_required
def add_template_space():
    """Add a space at the end of the cohort template."""
    return _save_space(None)


@bp.post("/cohort-template/spaces/<int:position>")
@login_required
def save_template_space(position: int):
    """Change one space of the cohort template."""
    return _save_space(position)


@bp.post("/cohort-template/spaces/<int:position>/move")
@login_required
def move_template_space(position: int):
    """Move a space up or down in the cohort template."""
    require_admin(current_user)
    if FlaskForm().validate_on_submit():
        offset = -1 if request.form.get("direction") == "up" else 1
        space_templates.move_space(current_user, position, offset)
    return redirect(url_for(".cohort_template"), 303)


@bp.post("/cohort-template/spaces/<int:position>/remove")
@login_required
def remove_template_space(position: int):
    """Remove a space from the cohort template (cohorts made before keep theirs)."""
    require_admin(current_user)
    if FlaskForm().validate_on_submit():
        try:
            spec = space_templates.remove_space(current_user, position)
        except Invalid as error:
            flash(error.message, "error")
        else:
            flash(_("“%(name)s” removed from the template.", name=spec.name_pattern), "success")
    return redirect(url_for(".cohort_template"), 303)
