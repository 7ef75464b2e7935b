"""Chat pages: the channel list, a channel page that works without JavaScript, DMs."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from forum.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.services import chat as svc
from forum.services import chat_to_thread
from forum.web.form_errors import apply_errors, form_status

bp = Blueprint("chat", __name__)


class SendForm(FlaskForm):
    """A message and the client id that makes a resubmitted form idempotent."""

    body = TextAreaField(_l("Message"), validators=[DataRequired()])
    client_id = HiddenField()


class DirectForm(FlaskForm):
    """The people to start a conversation with."""

    usernames = StringField(_l("People"), validators=[DataRequired(), Length(max=700)])


def _before_id() -> int | None:
    value = request.args.get("before_id", "")
    return int(value) if value.isdigit() else None


def _channel_page(channel_id: int, form: SendForm, status: int = 200):
    page = svc.channel_page(current_user, channel_id, _before_id())
    if not form.client_id.data:
        form.client_id.data = svc.new_client_id()
    return render_template("chat/channel.html", channel=page.channel, title=page.title,
                           messages=page.messages, has_older=page.has_older,
                           before_id=_before_id(), form=form, sidebar=page.sidebar,
                           first_unread_id=page.first_unread_id,
                           muted=any(i.muted for i in page.sidebar if i.id == page.channel.id),
                           group_gap=svc.GROUP_SECONDS), status


@bp.get("/chat")
@login_required
def index():
    """The user's channels with unread counts, and a form to start a conversation."""
    return render_template("chat/index.html", items=svc.channel_list(current_user),
                           dm_form=DirectForm())


@bp.get("/chat/<int:channel_id>")
@login_required
def channel(channel_id: int):
    """A channel's newest messages (or older ones with ?before_id=) and the send form."""
    return _channel_page(channel_id, SendForm())


@bp.post("/chat/<int:channel_id>")
@login_required
def send(channel_id: int):
    """Send a message from the plain form (the same service as the socket event)."""
    form = SendForm()
    if not form.validate_on_submit():
        return _channel_page(channel_id, form, 422)
    try:
        message = svc.send_message(current_user, channel_id, form.body.data, form.client_id.data)
    except (Invalid, RateLimited, Forbidden) as error:
        # The page again, with what was typed and why it was not sent (suspended since the page
        # loaded, the cohort archived read-only, a cohort restriction): never an error page.
        form.form_errors.append(error.message)
        if isinstance(error, Invalid) and "body" in error.fields:
            form.body.errors = [error.fields["body"]]
        return _channel_page(channel_id, form, error.status)
    return redirect(url_for("chat.channel", channel_id=channel_id, _anchor=f"m-{message.id}"))


@bp.post("/chat/dm/<username>")
@login_required
def direct(username: str):
    """Open (or create) the conversation with one person, e.g. from their profile."""
    channel_ = svc.open_direct_channel(current_user, [username])
    return redirect(url_for("chat.channel", channel_id=channel_.id))


@bp.post("/chat/dm")
@login_required
def new_direct():
    """Start a conversation with one or more people named in the form."""
    form = DirectForm()
    if form.validate_on_submit():
        names = [n for n in form.usernames.data.replace(",", " ").split() if n]
        try:
            channel_ = svc.open_direct_channel(current_user, names)
        except (Invalid, NotFound) as error:
            form.usernames.errors = [error.fields.get("usernames", error.message)]
        else:
            return redirect(url_for("chat.channel", channel_id=channel_.id))
    return render_template("chat/index.html", items=svc.channel_list(current_user),
                           dm_form=form), 422


# --------------------------------------------------------------------------- chat → forum thread


def _optional_int(value) -> int | None:
    return int(value) if value not in (None, "") else None


class ToThreadForm(FlaskForm):
    """A new thread quoting chat messages: its title and category (none preselected)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    category_id = SelectField(_l("Category"), coerce=_optional_int,
                              validators=[DataRequired(_l("Choose a category."))])
    confirm_wider_audience = BooleanField(_l("I understand who will be able to read it"))
    # The category the confirmation was shown for: ticking the box confirms that one only.
    confirmed_for = HiddenField()


def _arg_id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/chat/<int:channel_id>/to-thread", methods=["GET", "POST"])
@login_required
def to_thread(channel_id: int):
    """Make a forum thread of chat messages (?from=<id>&to=<id>), asking once more when the
    category's audience is wider than the channel's."""
    choices = chat_to_thread.to_thread_choices(current_user, channel_id, _arg_id("from"),
                                               _arg_id("to"))
    form = ToThreadForm()
    form.category_id.choices = [SelectChoice("", _("Choose a category…"))] + [
        SelectChoice(c.id, c.name if c.cohort is None else f"{c.name} ({c.cohort.name})")
        for c in choices.categories]
    if request.method == "GET":
        form.title.data = choices.title
    selected = choices.selected
    warning = None
    if form.validate_on_submit():
        selected = {int(v) for v in request.form.getlist("message_ids") if v.isdigit()}
        try:
            confirmed = form.confirm_wider_audience.data and \
                form.confirmed_for.data == str(form.category_id.data)
            thread = chat_to_thread.make_thread(
                current_user, channel_id, sorted(selected), form.category_id.data,
                form.title.data, confirm_wider_audience=confirmed)
        except Conflict as error:
            if error.code != "wider_audience":
                raise
            warning = error.message
            form.confirmed_for.data = str(form.category_id.data)
            form.confirm_wider_audience.data = False
        except Invalid as error:
            apply_errors(form, error)
        else:
            return redirect(url_for("discussions.thread", thread_id=thread.id), 303)
    elif request.method == "POST":
        selected = {int(v) for v in request.form.getlist("message_ids") if v.isdigit()}
    status = 409 if warning else form_status(form)
    return render_template("chat/to_thread.html", form=form, channel=choices.channel,
                           title=svc.channel_title(current_user, choices.channel),
                           messages=choices.messages, selected=selected,
                           warning=warning), status
