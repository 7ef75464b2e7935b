"""Serving uploaded files, through the permission check on every request.

/files/<token>/<name> answers only to those who may read the content the file is attached to,
now (forum/services/uploads.py `fetchable`); for the others it does not exist (404). Responses
are never shared by caches (private, revalidated by ETag), cannot be sniffed into HTML, run no
script (a sandboxing CSP), and documents always download instead of opening in the page.
With UPLOADS_ACCEL_REDIRECT, nginx sends a local file itself after the app said yes.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from forum.errors import NotFound, Unavailable
from forum.extensions import talisman
from forum.lib.storage import get_storage
from forum.services import api_tokens, uploads

bp = Blueprint("files", __name__)

FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _viewer():
    """The session's user, or a personal access token's owner (API clients fetch files too)."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return api_tokens.resolve_token(secret.strip())[0]  # Unauthorized when not valid
    return current_user._get_current_object()


def _disposition(upload, inline: bool) -> str:
    # RFC 6266 with RFC 5987 for any language's file name; the ASCII fallback for old clients.
    fallback = upload.filename.encode("ascii", "replace").decode().replace('"', "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(upload.filename)}"


@bp.get("/avatars/<int:user_id>/<string(length=22):token>")
@talisman(content_security_policy=FILE_CSP, content_security_policy_nonce_in=[],
          frame_options="DENY")
def avatar(user_id: int, token: str) -> Response:
    """A member's current picture, for logged-in members. The token in the URL only names the
    version (so a changed picture is a new URL, cached apart); an old URL shows the new one,
    so fragments rendered before a change never show a broken picture."""
    upload = uploads.current_avatar(_viewer(), user_id)
    return _serve(upload, thumbnail=False, cache="private, max-age=86400"
                  if token == upload.token else "private, no-cache")


@bp.get("/files/<string(length=22):token>/<path:name>")
@talisman(content_security_policy=FILE_CSP, content_security_policy_nonce_in=[],
          frame_options="DENY")
def file(token: str, name: str) -> Response:
    """One file, or its thumbnail with ?size=thumb, for a reader of its content."""
    upload = uploads.fetchable(_viewer(), token)
    thumbnail = request.args.get("size") == "thumb" and upload.thumbnail_key is not None
    return _serve(upload, thumbnail=thumbnail)


def _serve(upload, *, thumbnail: bool, cache: str = "private, no-cache") -> Response:
    key = upload.thumbnail_key if thumbnail else upload.storage_key
    etag = upload.sha256 + ("-thumb" if thumbnail else "")
    headers = {
        "X-Content-Type-Options": "nosniff",
        # Revalidated on every use, so losing access takes effect at once; 304s are cheap.
        "Cache-Control": cache,
        "Content-Disposition": _disposition(upload, inline=upload.is_image),
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if etag in request.if_none_match:
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
    storage = get_storage()
    accel = current_app.config.get("UPLOADS_ACCEL_REDIRECT")
    if accel and storage.local_path(key) is not None:
        response = Response(headers={**headers, "X-Accel-Redirect": accel.rstrip("/") + "/" + key},
                            content_type=upload.content_type)
    else:
        try:
            body = storage.stream(key)
        except FileNotFoundError as error:
            raise NotFound() from error
        except Exception as error:  # the store is down: say so, don't 500
            current_app.logger.warning("upload storage unavailable: %s", error)
            raise Unavailable() from error
        response = Response(body, headers=headers, content_type=upload.content_type,
                            direct_passthrough=True)
        if not thumbnail:
            response.content_length = upload.size
    response.set_etag(etag)
    return response
