"""Admin pages: the dashboard and people with their site-wide roles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from forum.errors import Invalid
from forum.lib.safe_redirect import safe_next_url
from forum.services import roles

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
