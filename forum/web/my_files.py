"""Settings: my picture (upload, replace, remove) and my files (what I shared, my quota)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from forum.errors import DomainError
from forum.services import uploads
from forum.web.form_errors import form_status

bp = Blueprint("my_files", __name__)
LISTED = 100  # my most recent files on the page


class AvatarForm(FlaskForm):
    """One picture file, and the square of it to keep (set by static/js/avatar_crop.js; empty
    without JavaScript: the centre square)."""

    picture = FileField(_l("New picture"), validators=[FileRequired(_l("Choose a picture."))])
    crop_x = HiddenField()
    crop_y = HiddenField()
    crop_size = HiddenField()


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    """A size in the reader's language: "820 KB", "3.4 MB"."""
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / 2**20, 1)))


def _page(form: AvatarForm, status: int = 200):
    rows = uploads.my_files(current_user, LISTED)
    rules = uploads.limits()
    return render_template("files/settings.html", form=form, files=rows,
                           used=uploads.used_bytes(current_user.id), rules=rules), status


@bp.get("/settings/files")
@login_required
def settings():
    """My picture, my quota, and the files I shared."""
    return _page(AvatarForm())


@bp.post("/settings/avatar")
@login_required
def set_avatar():
    """Upload a new picture (cut to the chosen square, its metadata removed)."""
    form = AvatarForm()
    if form.validate_on_submit():
        data = form.picture.data.read(uploads.limits().max_bytes + 1)
        crop = {name: form[name].data for name in uploads.CROP_FIELDS}
        try:
            uploads.set_avatar(current_user, data, form.picture.data.filename or "", crop)
        except DomainError as error:  # not a picture, too large, over quota, a square off it:
            # said at the picture field (the square's fields are hidden)
            form.picture.errors = [*form.picture.errors, str(error.message)]
        else:
            flash(_("Your picture was saved."), "success")
            return redirect(url_for("my_files.settings"))
    return _page(form, form_status(form))


@bp.post("/settings/avatar/remove")
@login_required
def remove_avatar():
    """Back to the generated picture (initials)."""
    uploads.clear_avatar(current_user)
    flash(_("Your picture was removed."), "success")
    return redirect(url_for("my_files.settings"))


@bp.post("/settings/files/<string(length=22):token>/remove")
@login_required
def remove_file(token: str):
    """Remove one of my files everywhere it was shared."""
    uploads.remove(current_user, token)
    flash(_("The file was removed. Where it was shared, it no longer opens."), "success")
    return redirect(url_for("my_files.settings"))
