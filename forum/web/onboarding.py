"""Joining: registration through an invitation (/join/<code>, /register?code=...), and the
link mailed to confirm an address (/register/confirm?token=...)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from forum.errors import Invalid
from forum.extensions import limiter
from forum.services import accounts, login_sessions, registrations
from forum.services import invitations as svc
from forum.web.auth_session import sign_in
from forum.web.form_errors import form_status

bp = Blueprint("onboarding", __name__)


class CodeForm(FlaskForm):
    """The invitation code someone was given."""

    code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=64)])


class RegisterForm(FlaskForm):
    """A new account joining the invitation's cohort."""

    code = HiddenField()
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=30)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


def apply_errors(form: FlaskForm, error: Invalid) -> None:
    """Show a service's field errors next to the fields, or at the top of the form."""
    for name, message in error.fields.items():
        if name in form._fields and not isinstance(form[name], HiddenField):
            form[name].errors = [*form[name].errors, message]
        elif message not in form.form_errors:
            form.form_errors.append(message)
    if not error.fields and error.message not in form.form_errors:
        form.form_errors.append(error.message)


def _unusable(code: str, error: Invalid):
    """A friendly page explaining why the code cannot be used."""
    return render_template("onboarding/unusable.html", message=error.message, code=code), 410


def _register(code: str):
    """The registration form for a usable invitation code."""
    try:
        invitation = svc.usable_invitation(code)
    except Invalid as error:
        return _unusable(code, error)
    form = RegisterForm(code=code)
    if request.method == "GET":
        form.email.data = invitation.email or ""
        form.display_name.data = invitation.name or ""
    if invitation.email:
        form.email.data = invitation.email  # locked: the invitation is personal
    if form.validate_on_submit():
        try:
            result = registrations.register(
                code, form.email.data, form.username.data, form.display_name.data,
                form.password.data)
        except Invalid as error:
            if error.code == "invitation_unusable":
                return _unusable(code, error)
            apply_errors(form, error)
        else:
            if result.user is None:  # a mail went out (to confirm, or to the address's owner)
                return redirect(url_for(".check_email"))
            return _welcome(result.user, result.cohort)
    status = form_status(form)
    return render_template("onboarding/register.html", form=form, invitation=invitation,
                           cohort=invitation.cohort), status


def _welcome(user, cohort):
    """Sign the new account in on this device and show its cohort."""
    if current_user.is_authenticated:  # a confirmation link opened while logged in as another
        login_sessions.end_current_session(current_user)
    sign_in(user)
    flash(_("Welcome to %(cohort)s, %(name)s!", cohort=cohort.name, name=user.display_name),
          "success")
    return redirect(url_for("cohorts.show", slug=cohort.slug))


def _register_email_key() -> str:
    """Per address too, so nobody floods one inbox with confirmation or warning mails."""
    return "register:" + accounts.normalise_email(request.form.get("email", ""))


def _no_email() -> bool:
    return not request.form.get("email")  # a logged-in join posts no address


_per_address = limiter.limit("10 per hour", methods=["POST"], key_func=_register_email_key,
                             exempt_when=_no_email)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@_per_address
def register():
    """Registration needs an invitation: ask for the code, or show the form for it."""
    code = request.values.get("code", "").strip()
    if current_user.is_authenticated:
        # Already have an account: a code means "join this cohort too".
        return redirect(url_for(".join", code=code) if code else url_for("cohorts.mine"))
    if code:
        return _register(code)
    form = CodeForm(meta={"csrf": False})  # a GET form: it only navigates to /join/<code>
    return render_template("onboarding/code.html", form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@_per_address
def join(code: str):
    """An invitation link: register when anonymous, or join the cohort when logged in."""
    if not current_user.is_authenticated:
        return _register(code)
    if request.method == "POST":
        form = FlaskForm()
        if form.validate_on_submit():
            try:
                result = svc.redeem_invitation(current_user, code)
            except Invalid as error:
                return _unusable(code, error)
            if result.joined:
                flash(_("You have joined %(cohort)s.", cohort=result.cohort.name), "success")
            else:
                flash(_("You are already a member of %(cohort)s.", cohort=result.cohort.name),
                      "info")
            return redirect(url_for("cohorts.show", slug=result.cohort.slug))
    try:
        invitation = svc.usable_invitation(code)
    except Invalid as error:
        return _unusable(code, error)
    return render_template("onboarding/join.html", invitation=invitation,
                           cohort=invitation.cohort, form=FlaskForm())


@bp.get("/register/sent")
def check_email():
    """After the registration form: the next step is in the mailbox."""
    return render_template("onboarding/check_email.html")


@bp.route("/register/confirm", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def confirm():
    """The mailed link: a button makes the account (a GET alone never does: mail scanners
    open links)."""
    token = request.args.get("token", "")
    form = FlaskForm()
    try:
        if form.validate_on_submit():
            user, cohort = registrations.confirm(token)
            return _welcome(user, cohort)
        record, invitation = registrations.pending_registration(token)
    except Invalid as error:
        return render_template("onboarding/confirm.html", message=error.message), 400
    return render_template("onboarding/confirm.html", form=form, record=record,
                           cohort=invitation.cohort)
