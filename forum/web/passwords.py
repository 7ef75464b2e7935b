"""Password pages: change it while logged in, or reset it through a mailed link."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from forum.errors import Invalid
from forum.extensions import limiter
from forum.services import accounts
from forum.web.auth_session import sign_in
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("passwords", __name__)


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=1000)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])


class ForgotForm(FlaskForm):
    """The address to send the reset link to."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    """The new password twice."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])




def _reset_limit() -> str:
    return current_app.config.get("RATELIMIT_PASSWORD_RESET", "5 per hour")


def _reset_email_key() -> str:
    """Per address too, so nobody can flood one person's inbox from many addresses."""
    return "reset:" + accounts.normalise_email(request.form.get("email", ""))


@bp.errorhandler(429)
def too_many(error):
    """Reset requests have their own clear message."""
    message = _("Too many reset requests. Please wait a while, then ask again.")
    return render_template("errors/error.html", status=429, message=message), 429


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def change():
    """Change the password; every other login session ends, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your password was changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("passwords.change"))
    status = form_status(form)
    return render_template("auth/change_password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_email_key)
def forgot():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        flash(_("If an account exists for that address, we sent a link to reset the "
                "password. Check your inbox."), "info")
        return redirect(url_for("passwords.forgot"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password through a mailed link, then continue logged in."""
    form = ResetForm()
    if request.method == "GET":
        try:
            accounts.user_for_reset_token(token)
        except Invalid as error:
            return render_template("auth/reset_invalid.html", message=error.message), 400
    elif form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.new_password.data)
        except Invalid as error:
            if error.code == "bad_token":
                return render_template("auth/reset_invalid.html", message=error.message), 400
            apply_errors(form, error)
        else:
            sign_in(user)  # every older session ended with the reset: a new one for this device
            flash(_("Your password was changed and you are logged in."), "success")
            return redirect(url_for("main.index"))
    status = form_status(form)
    return render_template("auth/reset.html", form=form), status
