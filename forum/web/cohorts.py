"""Cohort pages for their people: my cohorts, redeeming a code, one cohort's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.errors import Invalid
from forum.services import cohorts as svc
from forum.services import invitations
from forum.web.onboarding import CodeForm, apply_errors

bp = Blueprint("cohorts", __name__)


def _mine_page(form: CodeForm, status: int = 200):
    return render_template("cohorts/mine.html", cohorts=svc.my_cohorts(current_user),
                           form=form), status


@bp.get("/cohorts")
@login_required
def mine():
    """The cohorts I belong to, and a form to join another with a code."""
    return _mine_page(CodeForm())


@bp.post("/cohorts/redeem")
@login_required
def redeem():
    """Join another cohort with an invitation code."""
    form = CodeForm()
    if form.validate_on_submit():
        try:
            result = invitations.redeem_invitation(current_user, form.code.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            if result.joined:
                flash(_("You have joined %(cohort)s.", cohort=result.cohort.name), "success")
            else:
                flash(_("You are already a member of %(cohort)s.", cohort=result.cohort.name),
                      "info")
            return redirect(url_for(".show", slug=result.cohort.slug))
    return _mine_page(form, 422)


@bp.get("/cohorts/<slug>")
@login_required
def show(slug: str):
    """A cohort's page: programme, dates, members and mentors (its people only; else 404)."""
    page = svc.cohort_page(current_user, slug)
    return render_template("cohorts/show.html", page=page, cohort=page.cohort)
