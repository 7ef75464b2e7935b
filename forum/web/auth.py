"""Log in and log out (registration lives in onboarding, password pages in passwords)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from forum.extensions import limiter
from forum.lib.safe_redirect import safe_next_url
from forum.services import accounts, login_sessions
from forum.web.auth_session import sign_in

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """Email and password, with "remember me"."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()


def _login_account_key() -> str:
    """Throttle per account as well as per address, so a botnet cannot spray one account."""
    return "login:" + accounts.normalise_email(request.form.get("email", ""))


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_account_key)
def login():
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.log_in(form.email.data, form.password.data,
                               request.user_agent.string, request.remote_addr or "")
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        elif not user.is_active:
            form.email.errors.append(_("This account is banned."))
        else:
            sign_in(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next_url(form.next.data) or url_for("main.index"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    """End this login session server-side (its cookies are refused from now on) and close its
    live sockets; the person's other devices stay logged in."""
    login_sessions.end_current_session(current_user)
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))
