"""The member directory and find-a-mentor."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from forum.errors import Invalid
from forum.services import directory as svc
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("directory", __name__)


class DirectoryForm(FlaskForm):
    """Directory filters; a GET form, so bookmarkable and without a CSRF token."""

    class Meta:
        csrf = False

    name = StringField(_l("Name or username"), validators=[Optional(), Length(max=80)])
    organisation = StringField(_l("Organisation or agency"),
                               validators=[Optional(), Length(max=120)])
    duty_station = StringField(_l("Duty station"), validators=[Optional(), Length(max=120)])
    sponsoring_country = StringField(_l("Sponsoring country"),
                                     validators=[Optional(), Length(max=80)])
    expertise = StringField(_l("Expertise"), validators=[Optional(), Length(max=40)])
    open_to_mentoring = BooleanField(_l("Open to mentoring"))
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=svc.MAX_PAGE)])


def _render(mentors: bool):
    form = DirectoryForm(request.args)
    page = None
    if form.validate():
        filters = svc.DirectoryFilters(
            name=form.name.data, organisation=form.organisation.data,
            duty_station=form.duty_station.data, sponsoring_country=form.sponsoring_country.data,
            expertise=form.expertise.data, open_to_mentoring=bool(form.open_to_mentoring.data),
            mentors=mentors,
        )
        try:
            page = svc.directory(current_user, filters, page=form.page.data or 1)
        except Invalid as error:
            apply_errors(form, error)
    return render_template("directory/index.html", form=form, page=page, mentors=mentors,
                           endpoint=request.endpoint), form_status(form)


@bp.get("/members")
@login_required
def index():
    """People of the user's cohorts, mentors and people met in global spaces."""
    return _render(mentors=False)


@bp.get("/members/mentors")
@login_required
def mentors():
    """Find a mentor: the directory limited to mentors and people open to mentoring."""
    return _render(mentors=True)
