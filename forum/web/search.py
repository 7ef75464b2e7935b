"""Full-text search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from forum.errors import Invalid
from forum.services import search as svc
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("search", __name__)


def _optional_int(value: object) -> int | None:
    """Select values: "" means any; anything that is not a number matches nothing useful."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SearchForm(FlaskForm):
    """The query and its filters; a GET form, so bookmarkable and without a CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search for"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Show"), choices=[
        SelectChoice("", _l("Everything")), SelectChoice("threads", _l("Thread titles")),
        SelectChoice("posts", _l("Posts")), SelectChoice("messages", _l("Chat messages"))],
        validators=[Optional()])
    category = SelectField(_l("Category"), coerce=_optional_int, validate_choice=False)
    cohort = SelectField(_l("Cohort"), coerce=_optional_int, validate_choice=False)
    channel = SelectField(_l("Chat channel"), coerce=_optional_int, validate_choice=False)
    author = StringField(_l("Author (username)"), validators=[Optional(), Length(max=30)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    accepted = BooleanField(_l("Only answered questions"))
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=svc.MAX_PAGE)])


def _fill_choices(form: SearchForm, options: svc.SearchOptions) -> None:
    anything = SelectChoice("", _l("Any"))
    form.category.choices = [anything, *(SelectChoice(c.id, c.name) for c in options.categories)]
    form.cohort.choices = [anything, *(SelectChoice(c.id, c.name) for c in options.cohorts)]
    form.channel.choices = [anything, *(SelectChoice(c.id, c.name) for c in options.channels)]


@bp.get("/search")
@login_required
def index():
    """Search threads, posts and chat messages the user may read; no query shows the form."""
    form = SearchForm(request.args)
    _fill_choices(form, svc.search_options(current_user))
    results = None
    if (form.q.data or "").strip() and form.validate():
        filters = svc.SearchFilters(
            kind=form.kind.data or None, category_id=form.category.data,
            cohort_id=form.cohort.data, channel_id=form.channel.data,
            author=form.author.data or None, date_from=form.date_from.data,
            date_to=form.date_to.data, accepted=bool(form.accepted.data),
        )
        try:
            results = svc.search(current_user, form.q.data, filters, page=form.page.data or 1)
        except Invalid as error:
            apply_errors(form, error)
    return render_template("search/index.html", form=form, results=results), form_status(form)
