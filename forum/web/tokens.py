"""Profile page section: personal access tokens for the API (create, shown once; revoke)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.errors import Invalid
from forum.services import api_tokens
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("tokens", __name__, url_prefix="/settings/tokens")


class TokenForm(FlaskForm):
    """A new token: a name to recognise it, an optional expiry, a scope."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    expires_in_days = IntegerField(
        _l("Expires after (days)"),
        validators=[Optional(), NumberRange(min=1, max=api_tokens.MAX_EXPIRY_DAYS)])
    scope = RadioField(_l("Access"), default="read", choices=[
        SelectChoice("read", _l("Read only")), SelectChoice("write", _l("Read and write"))])
    # One id per rendered form: reloading the page after a create re-posts the same id, and
    # that must not make a second token (the secret is only on the response, so no redirect).
    request_id = HiddenField(default=lambda: uuid.uuid4().hex)


_SENT = "token_requests"  # session: the request ids of the last forms that created a token


def _already_sent(request_id: str | None) -> bool:
    """Whether this form was already sent (a reload re-posting it)."""
    return bool(request_id) and request_id in session.get(_SENT, [])


def _remember_sent(request_id: str | None) -> None:
    if request_id:
        session[_SENT] = [*session.get(_SENT, [])[-9:], request_id]


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    """List my tokens and create a new one; the new secret is shown on this response only."""
    form = TokenForm()
    created, status = None, None
    if form.validate_on_submit():
        if _already_sent(form.request_id.data):
            flash(_("That form was already sent and its token created; its secret was shown "
                    "once. If you did not copy it, revoke that token and create a new one."),
                  "warning")
            form, status = TokenForm(formdata=None), 409
        else:
            try:
                created = api_tokens.create_token(current_user, form.name.data,
                                                  form.scope.data, form.expires_in_days.data)
            except Invalid as error:
                apply_errors(form, error)
            else:
                _remember_sent(form.request_id.data)
                form, status = TokenForm(formdata=None), 201
    status = status or form_status(form)
    response = render_template("profile/tokens.html", form=form, created=created,
                               tokens=api_tokens.list_tokens(current_user),
                               revoke_form=FlaskForm())
    # The secret must not linger in a shared cache or the back/forward cache.
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of my tokens: it stops working at once."""
    if FlaskForm().validate_on_submit():
        token = api_tokens.revoke_token(current_user, token_id)
        flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for(".index"))
