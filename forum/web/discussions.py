"""Discussions pages: categories, thread lists, threads, posts. They work without JavaScript.

The thread page's actions (react, watch, accept, bookmark, reply) are plain forms; thread.js
sends the same forms with fetch() and `Accept: application/json`, and then these views answer
JSON (`wants_json()`) instead of redirecting, so the page updates in place.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.errors import Invalid
from forum.lib.safe_redirect import safe_next_url
from forum.rate_limits import posting_limit as shared_posting_limit
from forum.services import bookmarks, reactions
from forum.services import discussion_categories as categories
from forum.services import discussions as svc
from forum.web.errors import http_problem, problem, wants_json
from forum.web.form_errors import apply_errors, form_status
from forum.web.moderation import FlagForm
from forum.web.post_fragments import PostRenderer, ThreadRowRenderer

bp = Blueprint("discussions", __name__)


class NewThreadForm(FlaskForm):
    """Title, Markdown body and tags of a new thread."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    body = TextAreaField(_l("Your message"), validators=[DataRequired()])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=250)])


class ReplyForm(FlaskForm):
    """A reply to the thread or to one post (parent_id)."""

    body = TextAreaField(_l("Your reply"), validators=[DataRequired()])
    parent_id = HiddenField()


class EditForm(FlaskForm):
    """The new text of a post."""

    body = TextAreaField(_l("Text"), validators=[DataRequired()])


class CategoryForm(FlaskForm):
    """What an administrator sets on a category."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_l("Address"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    cohort_id = SelectField(_l("Who can read it"), coerce=str)
    mode = SelectField(_l("Mode"), choices=[
        SelectChoice("discussion", _l("Discussion")),
        SelectChoice("qa", _l("Questions and answers")),
        SelectChoice("ask_mentor", _l("Ask a mentor (members see only their own threads)"))])
    position = IntegerField(_l("Position"), default=0,
                            validators=[Optional(), NumberRange(min=-1000, max=1000)])


# Per person (a shared office address does not block colleagues), one budget with the API.
posting_limit = shared_posting_limit(methods=["POST"])


@bp.errorhandler(429)
def too_fast(error):
    """Posting too fast gets its own clear message (blueprint handlers win over the app's)."""
    if wants_json():  # the page kept the text: say when to send it again
        return http_problem(error, _("You are posting too fast. Your text is kept: wait a "
                                     "minute, then send it again."))
    message = _("You are posting too fast. Please wait a minute, then send your text again "
                "— use the back button to get it back.")
    return render_template("errors/error.html", status=429, message=message), 429



def _int_arg(name: str) -> int | None:
    value = request.values.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/c")
@login_required
def index():
    """The categories the user may read, with thread and unread counts."""
    summaries = svc.list_categories(current_user)
    return render_template("discussions/index.html", summaries=summaries)


@bp.get("/c/<slug>")
@login_required
def category(slug: str):
    """A category's threads: pinned first, sorted, filtered by tag, keyset-paginated."""
    page = svc.category_page(current_user, slug, sort=request.args.get("sort", "latest"),
                             tag=request.args.get("tag"), after=request.args.get("after"))
    return render_template("discussions/category.html", page=page,
                           thread_row=ThreadRowRenderer(page))


@bp.route("/c/<slug>/new", methods=["GET", "POST"])
@login_required
@posting_limit
def new_thread(slug: str):
    """Start a thread in a category."""
    category = svc.new_thread_category(current_user, slug)
    form = NewThreadForm()
    if form.validate_on_submit():
        try:
            thread = svc.create_thread(current_user, category.id, form.title.data,
                                       form.body.data, form.tags.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            return redirect(url_for(".thread", thread_id=thread.id))
    status = form_status(form)
    return render_template("discussions/new_thread.html", form=form, category=category), status


def _render_thread(thread_id: int, form: ReplyForm, status: int = 200, page: int | None = None):
    view = svc.read_thread(current_user, thread_id, page)
    return render_template("discussions/thread.html", view=view, form=form,
                           post_html=PostRenderer(view, current_user._get_current_object()),
                           kinds=svc.REACTION_KINDS, flag_form=FlagForm()), status


@bp.get("/t/<int:thread_id>")
@login_required
def thread(thread_id: int):
    """A thread page: first post, accepted answer, nested replies, reply form."""
    form = ReplyForm(parent_id=str(_int_arg("reply_to") or ""))
    return _render_thread(thread_id, form, page=_int_arg("page"))


@bp.post("/t/<int:thread_id>/reply")
@login_required
@posting_limit
def reply(thread_id: int):
    """Post a reply, then show it in its place."""
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post = svc.reply(current_user, thread_id, form.body.data, _int_arg("parent_id"))
        except Invalid as error:
            if wants_json():
                raise  # a JSON problem with the field messages
            apply_errors(form, error)
        else:
            if wants_json():
                answer = svc.post_fragment(current_user, post.id)
                answer["message"] = _("Your reply is held for review by the moderators.") \
                    if answer["held"] else _("Your reply was posted.")
                return answer, 201
            return redirect(url_for(".permalink", post_id=post.id))
    if wants_json():
        fields = {name: " ".join(str(m) for m in messages)
                  for name, messages in form.errors.items()}
        return problem("invalid", _("Please correct the highlighted fields."), 422, fields)
    return _render_thread(thread_id, form, status=422, page=_int_arg("page"))


@bp.post("/t/<int:thread_id>/watch")
@login_required
def watch(thread_id: int):
    """Watch, mute, or go back to the default for a thread."""
    level = request.form.get("level") or None
    svc.set_watch(current_user, thread_id, level)
    messages = {"watch": _("You are watching this thread."),
                "mute": _("This thread is muted.")}
    message = messages.get(level or "", _("Notification settings reset."))
    if wants_json():
        return {"thread_id": thread_id, "level": level, "message": message}
    flash(message, "success")
    return redirect(url_for(".thread", thread_id=thread_id))


@bp.get("/p/<int:post_id>")
@login_required
def permalink(post_id: int):
    """Redirect to the page of the thread holding the post, scrolled to it."""
    thread_id, page = svc.locate_post(current_user, post_id)
    args = {"page": page} if page > 1 else {}
    return redirect(url_for(".thread", thread_id=thread_id, **args) + f"#post-{post_id}")


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@posting_limit
def edit(post_id: int):
    """Edit one's own post; the previous text is kept in its history."""
    post = svc.post_for_edit(current_user, post_id)
    form = EditForm(body=post.body_source) if request.method == "GET" else EditForm()
    if form.validate_on_submit():
        try:
            svc.edit_post(current_user, post_id, form.body.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your post was updated."), "success")
            return redirect(url_for(".permalink", post_id=post_id))
    status = form_status(form)
    return render_template("discussions/edit.html", form=form, post=post), status


@bp.post("/p/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    """Soft-delete one's own reply."""
    svc.delete_post(current_user, post_id)
    flash(_("Your post was deleted."), "success")
    return redirect(url_for(".permalink", post_id=post_id))


@bp.post("/p/<int:post_id>/react")
@login_required
def react(post_id: int):
    """Toggle one reaction on a post."""
    svc.toggle_reaction(current_user, post_id, request.form.get("kind", ""))
    if wants_json():
        state = reactions.post_reactions(current_user, post_id)
        return {"post_id": post_id, "counts": state.counts, "mine": state.mine,
                "names": state.names}
    return redirect(url_for(".permalink", post_id=post_id))


@bp.post("/p/<int:post_id>/accept")
@login_required
def accept(post_id: int):
    """Mark (or unmark) a reply as the accepted answer."""
    accept_it = request.form.get("accept", "1") == "1"
    thread = svc.accept_answer(current_user, post_id, accept_it)
    message = _("Answer accepted.") if accept_it else _("Answer no longer accepted.")
    if wants_json():
        return {**svc.accepted_answer(current_user, thread.id), "message": message}
    flash(message, "success")
    return redirect(url_for(".permalink", post_id=post_id))


@bp.post("/p/<int:post_id>/bookmark")
@login_required
def bookmark(post_id: int):
    """Bookmark a post (the opening post: the thread), or remove the bookmark."""
    on = request.form.get("bookmark", "1") == "1"
    bookmarks.set_bookmark(current_user, post_id, on)
    message = _("Saved to your bookmarks.") if on else _("Removed from your bookmarks.")
    if wants_json():
        return {"post_id": post_id, "bookmarked": on, "message": message}
    flash(message, "success")
    return redirect(safe_next_url(request.form.get("next"))
                    or url_for(".permalink", post_id=post_id))


@bp.get("/bookmarks")
@login_required
def bookmark_list():
    """The posts and threads I saved for later that I can still read, newest first."""
    items, more_before = bookmarks.list_bookmarks(current_user, _int_arg("before"))
    return render_template("bookmarks/index.html", items=items, more_before=more_before)


@bp.get("/p/<int:post_id>/history")
@login_required
def history(post_id: int):
    """Earlier versions of a post (its author and moderators only)."""
    post, revisions = svc.post_history(current_user, post_id)
    return render_template("discussions/history.html", post=post, revisions=revisions)


def _category_form(category=None) -> CategoryForm:
    form = CategoryForm(obj=category) if request.method == "GET" else CategoryForm()
    form.cohort_id.choices = [SelectChoice("", _("Everyone (global)"))] + [
        SelectChoice(str(cid), name) for cid, name in categories.cohort_choices(current_user)]
    if request.method == "GET" and category is not None:
        form.cohort_id.data = str(category.cohort_id or "")
    return form


def _save_category(form: CategoryForm, category_id: int | None):
    """Validate and save; returns a redirect, or None to re-render with errors."""
    if not form.validate_on_submit():
        return None
    try:
        categories.save_category(
            current_user, category_id, name=form.name.data, slug=form.slug.data,
            description=form.description.data or "",
            cohort_id=int(form.cohort_id.data) if form.cohort_id.data else None,
            mode=form.mode.data, position=form.position.data or 0)
    except Invalid as error:
        apply_errors(form, error)
        return None
    flash(_("Category saved."), "success")
    return redirect(url_for(".manage_categories"))


@bp.get("/admin/categories")
@login_required
def manage_categories():
    """All categories with their order, for administrators."""
    return render_template("discussions/manage.html",
                           categories=categories.list_all_categories(current_user))


@bp.route("/admin/categories/new", methods=["GET", "POST"])
@login_required
def new_category():
    """Create a category."""
    form = _category_form()
    return _save_category(form, None) or (
        render_template("discussions/category_form.html", form=form, category=None),
        form_status(form))


@bp.route("/admin/categories/<int:category_id>/edit", methods=["GET", "POST"])
@login_required
def edit_category(category_id: int):
    """Edit a category's name, address, description, cohort, mode or position."""
    category = categories.get_category(current_user, category_id)
    form = _category_form(category)
    return _save_category(form, category_id) or (
        render_template("discussions/category_form.html", form=form, category=category),
        form_status(form))
