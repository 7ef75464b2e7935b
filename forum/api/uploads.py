"""API: upload a file, read its metadata, remove it; my avatar; my storage use."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from forum.api.auth import api_blueprint, api_user
from forum.api.schemas import (
    AvatarCropArgs,
    AvatarFileSchema,
    StorageUseSchema,
    UploadFileSchema,
    UploadSchema,
)
from forum.errors import Invalid
from forum.models import Upload
from forum.rate_limits import posting_limit
from forum.services import uploads

blp = api_blueprint("Uploads", __name__, "Pictures and documents for posts and messages.")
posting = posting_limit()


def upload_body(upload: Upload) -> dict:
    """The JSON of an upload (also used by the browser composer)."""
    url = upload_url(upload)
    if upload.is_image:
        # The name without its extension is a first alt text; the composer asks for a better one.
        markdown = f"![{_markdown_text(upload.filename.rpartition('.')[0])}]({url})"
    else:
        # The link's title says what the file card shows next to the name: type and size.
        kind = upload.filename.rpartition(".")[2].upper()
        markdown = f'[{_markdown_text(upload.filename)}]({url} "{kind} · {_size(upload.size)}")'
    return {"token": upload.token, "url": url,
            "thumbnail_url": f"{url}?size=thumb" if upload.thumbnail_key else None,
            "filename": upload.filename, "content_type": upload.content_type,
            "kind": upload.kind, "size": upload.size, "width": upload.width,
            "height": upload.height, "attached": upload.attached_at is not None,
            "markdown": markdown, "created_at": upload.created_at}


def upload_url(upload: Upload) -> str:
    """The file's path; its name part is for people and ignored by the server."""
    from urllib.parse import quote

    return f"/files/{upload.token}/{quote(upload.filename)}"


def _size(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB" if size < 2**20 else f"{size / 2**20:.1f} MB"


def _markdown_text(text: str) -> str:
    return "".join("\\" + c if c in "[]\\*_`<>" else c for c in text)


def _file_bytes() -> tuple[bytes, str]:
    sent = request.files.get("file")
    if sent is None:
        message = _("Attach the file as the multipart field `file`.")
        raise Invalid(message, fields={"file": message})
    limit = uploads.limits().max_bytes
    return sent.read(limit + 1), sent.filename or ""


@blp.route("/uploads", methods=["POST"])
@posting
@blp.arguments(UploadFileSchema, location="files")
@blp.response(201, UploadSchema)
def create_upload(_files: dict):
    """Upload a file (picture, PDF, Office, OpenDocument or text). It stays private to me until
    a post or message of mine that references its `markdown` is published."""
    data, name = _file_bytes()
    return upload_body(uploads.store(api_user(), data, name))


@blp.route("/uploads/<string(length=22):token>", methods=["GET"])
@blp.response(200, UploadSchema)
def get_upload(token: str):
    """A file's metadata, for those who may read it."""
    return upload_body(uploads.fetchable(api_user(), token))


@blp.route("/uploads/<string(length=22):token>", methods=["DELETE"])
@blp.response(204)
def delete_upload(token: str):
    """Remove a file wherever it was shared: my own, or one shared in a space I moderate."""
    uploads.remove(api_user(), token)


@blp.route("/me/storage", methods=["GET"])
@blp.response(200, StorageUseSchema)
def storage_use():
    """How much of my file quota I use."""
    rules = uploads.limits()
    return {"used_bytes": uploads.used_bytes(api_user().id), "quota_bytes": rules.quota_bytes,
            "max_file_bytes": rules.max_bytes}


@blp.route("/me/avatar", methods=["PUT"])
@posting
@blp.arguments(AvatarCropArgs, location="query")
@blp.arguments(AvatarFileSchema, location="files")
@blp.response(200, UploadSchema)
def put_avatar(query: dict, _files: dict):
    """Set my picture: the square given by `crop_x`, `crop_y` and `crop_size` (in the query
    or as multipart fields), else its centre square, scaled to 256 pixels, metadata removed."""
    data, name = _file_bytes()
    # The multipart fields are read as sent: the service checks them (and the query's, again)
    # with the page's rules and messages.
    crop = {key: request.form.get(key) for key in uploads.CROP_FIELDS} | query
    return upload_body(uploads.set_avatar(api_user(), data, name, crop))


@blp.route("/me/avatar", methods=["DELETE"])
@blp.response(204)
def delete_avatar():
    """Back to the generated picture (my initials)."""
    uploads.clear_avatar(api_user())
