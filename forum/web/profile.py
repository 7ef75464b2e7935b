"""Profile pages: a person's public page, the form to edit one's own profile, and the list of
one's signed-in devices (login sessions) with buttons to end them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from forum.errors import Forbidden, Invalid
from forum.lib.timezones import offered_zones
from forum.lib.user_agents import describe
from forum.services import login_sessions, profiles
from forum.web import LANGUAGE_NAMES
from forum.web.errors import problem
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("profile", __name__)


class ProfileForm(FlaskForm):
    """Everything a person can say about themselves."""

    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    organisation = StringField(_l("Organisation or agency"), validators=[Length(max=120)])
    duty_station = StringField(_l("Duty station"), validators=[Length(max=120)])
    sponsoring_country = StringField(_l("Sponsoring country"), validators=[Length(max=80)])
    # Length is checked per tag by the service; this only caps the raw input.
    expertise = StringField(_l("Expertise"), validators=[Length(max=1000)])
    bio = TextAreaField(_l("About you"), validators=[Length(max=profiles.MAX_BIO_LENGTH)])
    open_to_mentoring = BooleanField(_l("Open to mentoring"))
    language = SelectField(_l("Language"), choices=[
        SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES])
    # Empty follows the browser's zone; a zone or a city name ("Geneva") is the member's choice.
    timezone = StringField(_l("Time zone"), validators=[Length(max=64)],
                           render_kw={"list": "timezone-names", "autocomplete": "off",
                                      "spellcheck": "false"})




@bp.get("/u/<username>")
@login_required
def show(username: str):
    """A person's public profile (cohorts only where the viewer may read them)."""
    profile = profiles.get_profile(current_user, username)
    return render_template("profile/show.html", profile=profile)


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit():
    """Edit one's own profile; typed input is kept when something is wrong."""
    form = ProfileForm()
    if not form.is_submitted():
        form.process(data={
            **{name: getattr(current_user, name) for name in profiles.EDITABLE - {"expertise"}},
            "expertise": ", ".join(profiles.expertise_of(current_user.id)),
            "language": current_user.language or "en",
            "timezone": current_user.timezone if current_user.timezone_chosen else "",
        })
    # Suspended accounts read their profile form but cannot save it (the service refuses).
    blocked = profiles.edit_refusal(current_user)
    if form.validate_on_submit():
        fields = {name: form[name].data for name in profiles.EDITABLE}
        try:
            profiles.update_profile(current_user, **fields)
        except Invalid as error:
            apply_errors(form, error)
        except Forbidden as error:
            return render_template("profile/edit.html", form=form,
                                   blocked=str(error.message)), 403
        else:
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("profile.show", username=current_user.username))
    status = form_status(form)
    return render_template("profile/edit.html", form=form, blocked=blocked,
                           zones=offered_zones()), status


@bp.post("/settings/timezone/browser")
@login_required
def browser_timezone():
    """The zone the browser reports (static/js/time.js), used until the member picks one."""
    payload = request.get_json(silent=True)
    name = payload.get("timezone") if isinstance(payload, dict) else None
    try:
        changed = profiles.follow_browser_timezone(current_user, name)
    except Invalid as error:
        return problem("invalid", str(error.message), 422, error.fields)
    return {"timezone": current_user.timezone, "changed": changed}


# --------------------------------------------------------------------------------- sessions

@bp.get("/settings/sessions")
@login_required
def sessions():
    """The devices where one is logged in, with a button to end each session."""
    records = login_sessions.list_sessions(current_user)
    rows = [(record, describe(record.user_agent)) for record in records]
    return render_template("profile/sessions.html", rows=rows,
                           current_id=current_user.login_session.id)


def _logged_out_here():
    """This device's session was just ended: forget its cookies and go to the login page."""
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/settings/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """End one login session (its cookies are refused and its live sockets closed at once)."""
    if session_id == current_user.login_session.id:
        login_sessions.end_current_session(current_user)
        return _logged_out_here()
    login_sessions.end_session(current_user, session_id)
    flash(_("That session was ended."), "success")
    return redirect(url_for(".sessions"))


@bp.post("/settings/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out everywhere else: every session but this one."""
    ended = login_sessions.end_other_sessions(current_user)
    flash(ngettext("%(num)d other session was ended.", "%(num)d other sessions were ended.",
                   ended), "success")
    return redirect(url_for(".sessions"))


@bp.post("/settings/sessions/end-all")
@login_required
def end_all_sessions():
    """Log out everywhere, this device included (remember-me cookies of any age too)."""
    login_sessions.end_everywhere(current_user)
    return _logged_out_here()
