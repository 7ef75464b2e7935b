"""Uploads: store a checked, cleaned file; attach it to the content that references it; decide
who may fetch it (the readers of that content, now); clean up what nobody uses.

A file is referenced from Markdown by its URL, /files/<token>/<name>. Posting or sending a text
that references the author's own unattached uploads attaches them to that post or message, in
the same transaction. From then on the file is readable by exactly those who can read the post
or message; a file attached to nothing is its uploader's only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update

from forum.errors import DomainError, Invalid, NotFound, Unavailable
from forum.extensions import db
from forum.lib import file_types
from forum.lib.images import ImageRefused, clean_image, square
from forum.lib.offload import run_blocking
from forum.lib.storage import get_storage
from forum.models import Message, Post, Upload, UploadKind, User, utcnow
from forum.services import access

TOKEN_RE = re.compile(r"/files/([A-Za-z0-9_-]{22})(?=[/?#)\s\]]|$)")
AVATAR_SIZE = 256
CROP_FIELDS = ("crop_x", "crop_y", "crop_size")
MIN_CROP = 32  # a smaller square is a few pixels blown up to 256: not a picture of anyone


class TooLarge(DomainError):
    """The file is over the per-file limit or the person's quota: nothing was stored."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class FileLimits:
    """The configured limits, read once per call."""

    max_bytes: int
    quota_bytes: int
    max_pixels: int


def limits() -> FileLimits:
    """UPLOAD_MAX_BYTES, UPLOAD_QUOTA_BYTES and UPLOAD_MAX_PIXELS of the current app."""
    config = current_app.config
    return FileLimits(config["UPLOAD_MAX_BYTES"], config["UPLOAD_QUOTA_BYTES"],
                      config["UPLOAD_MAX_PIXELS"])


def safe_filename(name: str, kind: file_types.FileType) -> str:
    """A displayable file name: no path, no control characters, at most 120 characters, and
    an extension that matches the stored type."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base)
                   if unicodedata.category(c)[0] != "C").strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot or ext.lower() not in kind.extensions:
        stem, ext = base or "file", sorted(kind.extensions)[0]
    stem = stem[:100] or "file"
    return f"{stem}.{ext.lower()}"


def used_bytes(user_id: int) -> int:
    """How much the person's stored files take (what counts against the quota)."""
    return db.session.scalar(select(func.coalesce(func.sum(Upload.size), 0)).where(
        Upload.owner_id == user_id, Upload.removed_at.is_(None))) or 0


def _refuse_type() -> Invalid:
    return Invalid(_("This kind of file cannot be shared. Pictures (JPEG, PNG, GIF, WebP), PDF, "
                     "Office and OpenDocument files and plain text can; the file's name must "
                     "match what it contains."), code="type_not_allowed",
                   fields={"file": _("Not an allowed file type.")})


def _refuse_image(error: ImageRefused, rules: FileLimits) -> Invalid:
    if error.code == "too_many_pixels":
        return Invalid(_("This picture is too large (at most %(mp)d megapixels).",
                         mp=rules.max_pixels // 1_000_000), code="too_many_pixels",
                       fields={"file": _("Picture too large.")})
    return Invalid(_("This picture could not be read. Is the file damaged?"),
                   code="unreadable", fields={"file": _("Unreadable picture.")})


def _check_size(user: User, size: int, rules: FileLimits) -> None:
    if size == 0:
        raise Invalid(_("The file is empty."), code="empty", fields={"file": _("Empty file.")})
    if size > rules.max_bytes:
        raise TooLarge(_("Files can be at most %(mb)d MB.", mb=rules.max_bytes // 2**20))
    if used_bytes(user.id) + size > rules.quota_bytes:
        raise TooLarge(_("You have used your %(mb)d MB for files. Remove some of your files "
                         "to share more.", mb=rules.quota_bytes // 2**20), code="quota_exceeded")


def _put(key: str, data: bytes, content_type: str) -> None:
    try:
        get_storage().put(key, data, content_type)
    except Exception as error:  # the store's own errors vary (OSError, botocore's)
        current_app.logger.warning("upload storage failed: %s", error)
        raise Unavailable() from error


@dataclass(frozen=True)
class CropBox:
    """The square of an avatar to keep: left, top and side in the upright picture's pixels."""

    x: int
    y: int
    size: int


def crop_box(values: Mapping[str, object] | None) -> CropBox | None:
    """The crop square asked for by `crop_x`, `crop_y` and `crop_size` (all or none; empty
    counts as absent), as whole pixels; None for the centre square. Raises Invalid naming the
    fields that are not whole numbers, are missing or are out of range."""
    given = {name: (values or {}).get(name) for name in CROP_FIELDS}
    given = {k: v for k, v in given.items() if v is not None and str(v).strip() != ""}
    if not given:
        return None
    problems: dict[str, str] = {}
    for name in CROP_FIELDS:
        if name not in given:
            problems[name] = _("Missing: give crop_x, crop_y and crop_size together.")
    numbers: dict[str, int] = {}
    for name, value in given.items():
        # Nine digits are more than any allowed picture; a longer text is no size at all (and
        # int() of thousands of digits is slow).
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d{1,9}", text):
            problems[name] = _("A whole number of pixels.")
        else:
            numbers[name] = int(text)
    for name in ("crop_x", "crop_y"):
        if numbers.get(name, 0) < 0:
            problems[name] = _("At least 0: the square starts inside the picture.")
    if numbers.get("crop_size", MIN_CROP) < MIN_CROP:
        problems["crop_size"] = _("At least %(min)d pixels.", min=MIN_CROP)
    if problems:
        raise Invalid(_("The square to keep of the picture is not valid."), code="invalid_crop",
                      fields=problems)
    return CropBox(numbers["crop_x"], numbers["crop_y"], numbers["crop_size"])


def _check_crop(box: CropBox, width: int, height: int) -> None:
    """Refuse a square that does not lie inside the (upright) picture."""
    problems: dict[str, str] = {}
    if box.size > min(width, height):
        problems["crop_size"] = _("At most %(max)d pixels: the picture is %(width)d by "
                                  "%(height)d.", max=min(width, height), width=width,
                                  height=height)
    else:
        if box.x + box.size > width:
            problems["crop_x"] = _("At most %(max)d: the square would go past the picture's "
                                   "right edge (it is %(width)d pixels wide).",
                                   max=width - box.size, width=width)
        if box.y + box.size > height:
            problems["crop_y"] = _("At most %(max)d: the square would go past the picture's "
                                   "bottom edge (it is %(height)d pixels high).",
                                   max=height - box.size, height=height)
    if problems:
        raise Invalid(_("The square to keep does not fit inside the picture (%(width)d by "
                        "%(height)d pixels).", width=width, height=height),
                      code="invalid_crop", fields=problems)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(user: User, data: bytes, filename: str, *, avatar: bool = False,
          crop: CropBox | None = None) -> Upload:
    """Check, clean and store one file for `user`; returns the unattached Upload row. An
    avatar is cut to the `crop` square (else the centre square) and scaled to AVATAR_SIZE."""
    access.require_active(user)
    rules = limits()
    _check_size(user, len(data), rules)
    kind = file_types.allowed_type(data, filename)
    if kind is None or (avatar and not kind.is_image):
        raise _refuse_type()
    width = height = None
    thumbnail = None
    if kind.is_image:
        fmt = kind.content_type.split("/")[1].upper()
        try:
            cleaned = run_blocking(clean_image, data, fmt, rules.max_pixels)
            if avatar:
                if crop is not None:
                    _check_crop(crop, cleaned.width, cleaned.height)
                box = (crop.x, crop.y, crop.size) if crop else None
                cleaned = run_blocking(square, cleaned.data, AVATAR_SIZE, box)
        except ImageRefused as error:
            raise _refuse_image(error, rules) from error
        data, width, height, thumbnail = (cleaned.data, cleaned.width, cleaned.height,
                                          cleaned.thumbnail)
    token = secrets.token_urlsafe(16)
    name = safe_filename(filename, kind)
    key = f"{token[:2]}/{token}/original.{name.rpartition('.')[2]}"
    thumb_key = f"{token[:2]}/{token}/thumbnail.{name.rpartition('.')[2]}" if thumbnail else None
    _put(key, data, kind.content_type)
    if thumbnail:
        _put(thumb_key, thumbnail, kind.content_type)
    # Hashing 10 MB takes tens of milliseconds: not on the hub (hashlib releases the GIL).
    digest = run_blocking(_sha256, data)
    upload = Upload(token=token, owner_id=user.id,
                    kind=UploadKind.IMAGE if kind.is_image else UploadKind.DOCUMENT,
                    content_type=kind.content_type, filename=name, size=len(data), width=width,
                    height=height, sha256=digest, storage_key=key,
                    thumbnail_key=thumb_key, is_avatar=avatar)
    db.session.add(upload)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _forget_bytes(upload)  # nothing refers to them: don't leave them behind
        raise
    return upload


def referenced_tokens(source: str) -> set[str]:
    """Upload tokens a Markdown text refers to (/files/<token>/…)."""
    if "/files/" not in source:  # the common case costs no regex and no query
        return set()
    return set(TOKEN_RE.findall(source))


def _attach(author_id: int | None, source: str, **target) -> None:
    tokens = referenced_tokens(source)
    if not tokens or author_id is None:
        return
    # Only the author's own files that are not yet attached anywhere: referencing someone
    # else's file (or one from another thread) shows it only to those who could read it anyway.
    db.session.execute(update(Upload).where(
        Upload.token.in_(tokens), Upload.owner_id == author_id, Upload.post_id.is_(None),
        Upload.message_id.is_(None), Upload.is_avatar.is_(False), Upload.removed_at.is_(None),
        Upload.attached_at.is_(None)).values(attached_at=utcnow(), **target))


def attach_to_post(post: Post) -> None:
    """Attach the author's unattached files referenced by this post (same transaction)."""
    _attach(post.author_id, post.body_source, post_id=post.id)


def attach_to_message(message: Message) -> None:
    """Attach the author's unattached files referenced by this message (same transaction)."""
    _attach(message.author_id, message.body_source, message_id=message.id)


def _readable(user: User | None, upload: Upload) -> bool:
    if upload.removed_at is not None or user is None or not user.is_authenticated:
        return False
    if upload.is_avatar:
        return True  # like the profile it belongs to: every logged-in member
    if upload.post_id is not None:
        post = access.access_post(user, upload.post_id)  # NotFound when unreadable
        return not post.is_removed or access.can_moderate_cohort(
            user, post.thread.category.cohort_id)
    if upload.message_id is not None:
        message = db.session.get(Message, upload.message_id)
        if message is None:
            return False
        channel = access.access_channel(user, message.channel_id)
        return not message.is_removed or access.can_moderate_channel(user, channel)
    # Attached once, but its content is gone: nobody. Never attached: its uploader only.
    return upload.attached_at is None and upload.owner_id == user.id


def fetchable(user: User | None, token: str) -> Upload:
    """The upload `user` may fetch now, or NotFound (never saying whether it exists)."""
    upload = db.session.scalar(select(Upload).where(Upload.token == token))
    try:
        if upload is not None and _readable(user, upload):
            return upload
    except NotFound:
        pass
    raise NotFound()


def my_files(user: User, limit: int = 100) -> list[Upload]:
    """The person's own shared or pending files (not avatars, not removed), newest first."""
    return list(db.session.scalars(select(Upload).where(
        Upload.owner_id == user.id, Upload.removed_at.is_(None), Upload.is_avatar.is_(False))
        .order_by(Upload.id.desc()).limit(limit)))


def current_avatar(viewer: User | None, user_id: int) -> Upload:
    """A member's current picture, for a logged-in viewer; NotFound when there is none."""
    person = db.session.get(User, user_id)
    if person is None or not person.avatar_token:
        raise NotFound()
    return fetchable(viewer, person.avatar_token)


def remove(user: User, token: str) -> None:
    """Remove a file everywhere it was shared: its uploader may, and so may a moderator of the
    space it was shared in. It is never served again; the bytes go at the next clean-up."""
    upload = db.session.scalar(select(Upload).where(Upload.token == token,
                                                    Upload.removed_at.is_(None)))
    if upload is None or not (upload.owner_id == user.id or _moderates(user, upload)):
        raise NotFound()
    upload.removed_at = utcnow()
    if upload.is_avatar and user.avatar_token == upload.token:
        user.avatar_token = None
    db.session.commit()


def _moderates(user: User, upload: Upload) -> bool:
    try:
        if upload.post_id is not None:
            post = access.access_post(user, upload.post_id)
            return access.can_moderate_cohort(user, post.thread.category.cohort_id)
        if upload.message_id is not None:
            message = db.session.get(Message, upload.message_id)
            return message is not None and access.can_moderate_channel(
                user, access.access_channel(user, message.channel_id))
    except NotFound:
        return False
    return False


def set_avatar(user: User, data: bytes, filename: str,
               crop: Mapping[str, object] | None = None) -> Upload:
    """Store a new avatar (cleaned, cut to the square given by `crop` — crop_x, crop_y,
    crop_size in the upright picture's pixels — or else its centre square) and make it the
    person's picture."""
    access.require_active(user)  # a suspended account hears that, not that its square is off
    upload = store(user, data, filename, avatar=True, crop=crop_box(crop))
    previous = user.avatar_token
    user.avatar_token = upload.token
    if previous:
        db.session.execute(update(Upload).where(Upload.token == previous)
                           .values(removed_at=utcnow()))
    db.session.commit()
    return upload


def clear_avatar(user: User) -> None:
    """Back to the generated initials (a profile edit: not while suspended, like the others)."""
    access.require_active(user)
    if user.avatar_token:
        db.session.execute(update(Upload).where(Upload.token == user.avatar_token)
                           .values(removed_at=utcnow()))
        user.avatar_token = None
        db.session.commit()


def _forget_bytes(upload: Upload) -> None:
    storage = get_storage()
    for key in (upload.storage_key, upload.thumbnail_key):
        if key:
            try:
                storage.delete(key)
            except Exception as error:  # retried at the next cleanup
                current_app.logger.warning("could not delete %s: %s", key, error)


def cleanup(*, orphan_hours: int | None = None, retention_days: int | None = None) -> int:
    """Delete stored bytes nobody may fetch any more: orphans older than a day, files removed
    or whose content is gone for longer than the moderation retention. Returns how many."""
    config = current_app.config
    now = utcnow()
    orphan_before = now - timedelta(hours=orphan_hours if orphan_hours is not None
                                    else config["UPLOAD_ORPHAN_HOURS"])
    removed_before = now - timedelta(days=retention_days if retention_days is not None
                                     else config["UPLOAD_RETENTION_DAYS"])
    orphans = and_(Upload.attached_at.is_(None), Upload.is_avatar.is_(False),
                   Upload.removed_at.is_(None), Upload.created_at < orphan_before)
    removed = and_(Upload.removed_at.is_not(None), Upload.removed_at < removed_before)
    # Deleted content keeps its files for the retention period (a moderator may need them),
    # hidden content keeps them (it may be restored); content gone from the database, none.
    deleted_posts = Upload.post_id.in_(select(Post.id).where(Post.deleted_at < removed_before))
    deleted_messages = Upload.message_id.in_(
        select(Message.id).where(Message.deleted_at < removed_before))
    gone = and_(Upload.attached_at.is_not(None), Upload.post_id.is_(None),
                Upload.message_id.is_(None), Upload.is_avatar.is_(False))
    condition = orphans | removed | deleted_posts | deleted_messages | gone
    rows = db.session.scalars(select(Upload).where(condition)).all()
    for upload in rows:
        _forget_bytes(upload)
        db.session.delete(upload)
    db.session.commit()
    return len(rows)
