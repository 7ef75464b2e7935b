"""Marshmallow schemas of the API: they validate requests and generate the OpenAPI document.

Input strings go through `clean_text` (forum/lib/text.py) as they are parsed: control characters
are dropped (PostgreSQL cannot even store NUL) and the ends trimmed, as the HTML forms do.
"""

from __future__ import annotations

import re

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from forum.lib.text import clean_text
from forum.models import ReactionKind
from forum.models.chat import ChannelKind
from forum.models.discussion import CategoryMode

STRICT = {"unknown": ma.RAISE}


class Text(fields.String):
    """A string checked against its limits as sent, then cleaned of control characters and
    trimmed (so the limits mean what the OpenAPI document says)."""

    def __init__(self, *, min_len: int = 0, max_len: int | None = 200, **kw) -> None:
        self.min_len, self.max_len = min_len, max_len
        if min_len:
            kw.setdefault("metadata", {}).update(pattern=VISIBLE, minLength=min_len)
        if max_len is not None:
            kw.setdefault("metadata", {})["maxLength"] = max_len
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if self.max_len is not None and len(raw) > self.max_len:
            raise ma.ValidationError(_("At most %(n)d characters.", n=self.max_len))
        if self.min_len and (len(raw) < self.min_len or not re.search(VISIBLE, raw)):
            raise ma.ValidationError(_("At least %(n)d characters, not only spaces.",
                                       n=self.min_len))
        return clean_text(raw)


# Must contain something that is not a space or a control character, so it survives cleaning.
VISIBLE = r"[^\s\x00-\x1f\x7f]"


def text(min_len: int = 0, max_len: int | None = 200, **kw) -> Text:
    """A cleaned text field with its length limits (and a non-blank pattern when required)."""
    return Text(min_len=min_len, max_len=max_len, **kw)


# Body limits are settings (POST_MAX_LENGTH, CHAT_MAX_LENGTH), so they are stated in words; a
# longer body is answered 422 with a field message.
POST_BODY = "Markdown, at most POST_MAX_LENGTH characters (50 000 by default)."
CHAT_BODY = "Markdown (chat subset), at most CHAT_MAX_LENGTH characters (4 000 by default)."

USERNAME = r"^@?[A-Za-z0-9_][A-Za-z0-9_.-]{1,28}[A-Za-z0-9_]$"
ID = {"strict": True, "validate": validate.Range(min=1, max=2**31 - 1)}
# A query string holds text only: "strict" would refuse every id sent there.
QUERY_ID = {"validate": validate.Range(min=1, max=2**31 - 1)}


def held_flag(more: str = "") -> fields.Boolean:
    """`held`: true (answered 202) when the word filter held the item just written."""
    return fields.Boolean(dump_default=False, metadata={
        "description": "true (with status 202) when the word filter held it for review: "
                       "stored, hidden from others until a moderator releases it" + more})


# --------------------------------------------------------------------------- errors


class ErrorBody(ma.Schema):
    """The body of a problem."""

    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "Per-field messages, for invalid input."})


class ProblemSchema(ma.Schema):
    """Every error: `{"error": {"code", "message", "fields"?}}`."""

    error = fields.Nested(ErrorBody, required=True)


# --------------------------------------------------------------------------- people


class UserBrief(ma.Schema):
    """A person as shown next to what they wrote."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)


class CohortBrief(ma.Schema):
    """A cohort in a list."""

    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    programme = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["active", "alumni"]})
    read_only = fields.Boolean(required=True, metadata={
        "description": "Archived read-only: only the cohort's moderators write in its spaces"})
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)


class MyCohortSchema(CohortBrief):
    """One of my cohorts, with my role in it."""

    role = fields.String(required=True, metadata={"enum": ["member", "mentor", "moderator"]})


class ProfileSchema(UserBrief):
    """A person's profile as the viewer may see it (cohorts only where the viewer may read)."""

    role = fields.String(required=True)
    organisation = fields.String(required=True)
    duty_station = fields.String(required=True)
    sponsoring_country = fields.String(required=True)
    bio = fields.String(required=True)
    open_to_mentoring = fields.Boolean(required=True)
    expertise = fields.List(fields.String(), required=True)
    cohorts = fields.List(fields.Nested(MyCohortSchema), required=True)


class MeSchema(ProfileSchema):
    """My own profile, with what only I see."""

    email = fields.String(required=True)
    language = fields.String(allow_none=True)
    timezone = fields.String(required=True)
    suspended_until = fields.DateTime(allow_none=True)


class ProfileUpdateSchema(ma.Schema):
    """Fields of my profile to change; absent fields stay as they are."""

    class Meta:
        unknown = ma.RAISE

    display_name = text(1, 80)
    organisation = text(0, 120)
    duty_station = text(0, 120)
    sponsoring_country = text(0, 80)
    bio = text(0, 2000)
    open_to_mentoring = fields.Boolean()
    expertise = fields.List(text(1, 40), validate=validate.Length(max=10))
    language = fields.String(validate=validate.OneOf(["en", "fr", "es", "ar", "zh", "ru"]))
    timezone = fields.String(validate=validate.Length(min=1, max=64),
                             metadata={"example": "Europe/Geneva"})


class CohortDetailSchema(CohortBrief):
    """A cohort page: its people by role, and my role in it."""

    description = fields.String(required=True)
    my_role = fields.String(allow_none=True, required=True)
    facilitators = fields.List(fields.Nested(UserBrief), required=True)
    mentors = fields.List(fields.Nested(UserBrief), required=True)
    members = fields.List(fields.Nested(UserBrief), required=True)


# --------------------------------------------------------------------------- discussions


class CategorySchema(ma.Schema):
    """A category I may read."""

    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    mode = fields.String(required=True, metadata={"enum": [m.value for m in CategoryMode]})
    cohort_id = fields.Integer(allow_none=True, required=True)
    thread_count = fields.Integer(required=True)
    unread_count = fields.Integer(required=True)


class ThreadSchema(ma.Schema):
    """A thread's metadata."""

    id = fields.Integer(required=True)
    category_id = fields.Integer(required=True)
    title = fields.String(required=True)
    author = fields.Nested(UserBrief, allow_none=True, required=True)
    tags = fields.List(fields.String(), required=True)
    reply_count = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True)
    first_post_id = fields.Integer(allow_none=True, required=True)
    accepted_post_id = fields.Integer(allow_none=True, required=True)
    is_locked = fields.Boolean(required=True)
    is_pinned = fields.Boolean(required=True)
    unread = fields.Boolean(required=True)


class ThreadListSchema(ma.Schema):
    """A page of a category's threads; pinned threads come with the first page only."""

    pinned = fields.List(fields.Nested(ThreadSchema), required=True)
    threads = fields.List(fields.Nested(ThreadSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ThreadListArgs(ma.Schema):
    """Sorting, filtering and the cursor of a thread list."""

    class Meta:
        unknown = ma.RAISE

    sort = fields.String(load_default="latest",
                         validate=validate.OneOf(["latest", "newest", "unanswered"]))
    tag = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$"))
    cursor = fields.String(validate=validate.Length(max=100),
                           metadata={"description": "`next_cursor` of the previous page."})


class ThreadCreateSchema(ma.Schema):
    """A new thread and its opening post (Markdown)."""

    class Meta:
        unknown = ma.RAISE

    category_id = fields.Integer(required=True, **ID)
    title = text(3, 200, required=True)
    body = text(1, None, required=True, metadata={"description": POST_BODY})
    tags = fields.List(fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$")),
                       validate=validate.Length(max=5))


class PostSchema(ma.Schema):
    """A post: its Markdown source and the sanitized HTML the server rendered from it."""

    id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    depth = fields.Integer(required=True)
    author = fields.Nested(UserBrief, allow_none=True, required=True)
    body = fields.String(required=True, metadata={"description": "Markdown; empty if removed"})
    html = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(allow_none=True, required=True)
    deleted = fields.Boolean(required=True)
    reactions = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    held = held_flag()


class ThreadDetailSchema(ThreadSchema):
    """A thread with its opening post."""

    first_post = fields.Nested(PostSchema, allow_none=True, required=True)
    can_reply = fields.Boolean(required=True)
    can_accept = fields.Boolean(required=True)
    held = held_flag()


class PostListSchema(ma.Schema):
    """Posts of a thread in id order, after the cursor."""

    posts = fields.List(fields.Nested(PostSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class CursorArgs(ma.Schema):
    """An opaque cursor and a page size."""

    class Meta:
        unknown = ma.RAISE

    cursor = fields.String(validate=validate.Length(max=100),
                           metadata={"description": "`next_cursor` of the previous page."})
    limit = fields.Integer(strict=False, load_default=50, validate=validate.Range(min=1, max=100))


class ReplySchema(ma.Schema):
    """A reply (Markdown), optionally to one post of the thread."""

    class Meta:
        unknown = ma.RAISE

    body = text(1, None, required=True, metadata={"description": POST_BODY})
    parent_id = fields.Integer(allow_none=True, **ID)


class EditSchema(ma.Schema):
    """New text (Markdown)."""

    class Meta:
        unknown = ma.RAISE

    body = text(1, None, required=True, metadata={"description": POST_BODY})


class ReactionCountsSchema(ma.Schema):
    """Reaction counts of a post after the change."""

    post_id = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class AcceptedSchema(ma.Schema):
    """The accepted answer of a thread after the change."""

    thread_id = fields.Integer(required=True)
    accepted_post_id = fields.Integer(allow_none=True, required=True)


REACTION_KINDS = [kind.value for kind in ReactionKind]


# --------------------------------------------------------------------------- chat


class ChannelSchema(ma.Schema):
    """A channel in my list."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in ChannelKind]})
    name = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "As shown to me"})
    cohort_id = fields.Integer(allow_none=True, required=True)
    last_message_id = fields.Integer(allow_none=True, required=True)
    unread = fields.Integer(required=True)
    members = fields.List(fields.Nested(UserBrief), required=True,
                          metadata={"description": "Direct channels only"})


class MessageSchema(ma.Schema):
    """A chat message (the same shape as the socket's `message:new`)."""

    id = fields.Integer(required=True)
    channel_id = fields.Integer(required=True)
    seq = fields.Integer(metadata={
        "description": "the message's number in its channel (1, 2, 3 ... with no hole)"})
    client_id = fields.String(required=True)
    author = fields.Nested(UserBrief, allow_none=True, required=True)
    html = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    edited_at = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    deleted = fields.Boolean(required=True)
    held = held_flag("; its text is then shown to moderators only")
    # Replies in thread and reactions (chatthreads): see forum/api/chat_schemas.py.
    thread_root_id = fields.Integer(allow_none=True, metadata={
        "description": "a reply in a thread: its root message; null for other messages"})
    in_channel = fields.Boolean(metadata={
        "description": "false: a thread reply shown in its thread only, not the channel"})
    reply_count = fields.Integer(metadata={"description": "a root's number of replies"})
    last_reply_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    reactions = fields.List(fields.Dict(), metadata={
        "description": "[{emoji, count, user_ids}] in the picker's order"})


class MessageListSchema(ma.Schema):
    """Messages oldest first; `next_cursor` fetches the older page before them."""

    messages = fields.List(fields.Nested(MessageSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class MessageSendSchema(ma.Schema):
    """A message; `client_id` makes a retried send return the first message, not a twin."""

    class Meta:
        unknown = ma.RAISE

    body = text(1, None, required=True, metadata={"description": CHAT_BODY})
    client_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,64}$"))


class MessageEditSchema(ma.Schema):
    """New text of a message."""

    class Meta:
        unknown = ma.RAISE

    body = text(1, None, required=True, metadata={"description": CHAT_BODY})


class ReadMarkSchema(ma.Schema):
    """The newest message seen (omitted: the channel's newest)."""

    class Meta:
        unknown = ma.RAISE

    message_id = fields.Integer(allow_none=True, **ID)


class DirectChannelSchema(ma.Schema):
    """People to talk to (usernames)."""

    class Meta:
        unknown = ma.RAISE

    usernames = fields.List(
        fields.String(validate=validate.Regexp(USERNAME)),
        required=True, validate=validate.Length(min=1, max=19))


# --------------------------------------------------------------------------- admin


class CohortAdminSchema(CohortBrief):
    """A cohort as administrators see it."""

    description = fields.String(required=True)
    member_count = fields.Integer(required=True)


class CohortWriteSchema(ma.Schema):
    """Fields of a cohort."""

    class Meta:
        unknown = ma.RAISE

    name = text(1, 120, required=True)
    programme = text(0, 120, load_default="")
    starts_on = fields.Date(allow_none=True, load_default=None)
    ends_on = fields.Date(allow_none=True, load_default=None)
    description = text(0, 5000, load_default="")


class CohortPatchSchema(ma.Schema):
    """Fields of a cohort to change; `archived` moves it to the alumni or back, `read_only`
    (archived cohorts only) stops members' writes in its spaces and channels."""

    class Meta:
        unknown = ma.RAISE

    name = text(1, 120)
    programme = text(0, 120)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    description = text(0, 5000)
    archived = fields.Boolean()
    read_only = fields.Boolean(metadata={
        "description": "With `archived: true`: only moderators may write in the cohort's "
                       "spaces and channels. Omitted: unchanged (false when reactivating)."})


class MembershipSchema(ma.Schema):
    """A person's membership of a cohort."""

    id = fields.Integer(required=True)
    user = fields.Nested(UserBrief, required=True)
    role = fields.String(required=True)
    joined_at = fields.DateTime(required=True)


class InvitationSchema(ma.Schema):
    """An invitation code and its state."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    role = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    name = fields.String(allow_none=True, required=True)
    max_uses = fields.Integer(required=True)
    uses = fields.Integer(required=True)
    expires_at = fields.DateTime(allow_none=True, required=True)
    state = fields.String(required=True,
                          metadata={"enum": ["active", "revoked", "expired", "used"]})
    link = fields.String(required=True)


class CohortAdminDetailSchema(CohortAdminSchema):
    """A cohort with its memberships and invitations."""

    memberships = fields.List(fields.Nested(MembershipSchema), required=True)
    invitations = fields.List(fields.Nested(InvitationSchema), required=True)


class MemberAddSchema(ma.Schema):
    """Add an existing person (username or email) with a cohort role."""

    class Meta:
        unknown = ma.RAISE

    identifier = text(1, 254, required=True)
    role = fields.String(load_default="member",
                         validate=validate.OneOf(["member", "mentor", "moderator"]))


class MemberRoleSchema(ma.Schema):
    """A new cohort role."""

    class Meta:
        unknown = ma.RAISE

    role = fields.String(required=True, validate=validate.OneOf(["member", "mentor", "moderator"]))


class InvitationCreateSchema(ma.Schema):
    """A new invitation code."""

    class Meta:
        unknown = ma.RAISE

    role = fields.String(load_default="member", validate=validate.OneOf(["member", "mentor"]))
    max_uses = fields.Integer(strict=True, load_default=1,
                              validate=validate.Range(min=1, max=10_000))
    expires_in_days = fields.Integer(strict=True, allow_none=True, load_default=None,
                                     validate=validate.Range(min=1, max=365))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    name = text(0, 80, allow_none=True, load_default=None)


class RosterUploadSchema(ma.Schema):
    """A roster CSV file (columns name, email and optionally role)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RosterResultSchema(ma.Schema):
    """What an import did: invitations mailed, rows refused (line, reason)."""

    invited = fields.List(fields.Nested(ma.Schema.from_dict({
        "name": fields.String(required=True), "email": fields.String(required=True),
        "role": fields.String(required=True)}, name="RosterInvite")), required=True)
    errors = fields.List(fields.Nested(ma.Schema.from_dict({
        "line": fields.Integer(required=True), "reason": fields.String(required=True)},
        name="RosterError")), required=True)


# --------------------------------------------------------------------------- tokens


class EmptySchema(ma.Schema):
    """No fields."""

    class Meta:
        unknown = ma.RAISE





# --------------------------------------------------------------------------- notifications


class NotificationSchema(ma.Schema):
    """One notification (several similar events collapse into one, with a count)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "In my language"})
    excerpt = fields.String(required=True)
    count = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "Site-relative link"})
    target_type = fields.String(required=True)
    target_id = fields.Integer(required=True)
    actor = fields.Nested(UserBrief, allow_none=True, required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})
    read = fields.Boolean(required=True)


class NotificationListSchema(ma.Schema):
    """A page of notifications, newest activity first, and my unread count."""

    items = fields.List(fields.Nested(NotificationSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    unread = fields.Integer(required=True)


class NotificationArgs(ma.Schema):
    """Cursor, page size, and whether to list unread ones only."""

    class Meta:
        unknown = ma.RAISE

    cursor = fields.String(validate=validate.Length(max=100))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    unread_only = fields.Boolean(load_default=False)


class UnreadSchema(ma.Schema):
    """My unread notification count after the change."""

    unread = fields.Integer(required=True)
    marked = fields.Integer(metadata={"description": "How many were marked (read-all)"})


# --------------------------------------------------------------------------- search, directory


class SearchArgs(ma.Schema):
    """Words to find and optional filters; ids I cannot read simply match nothing."""

    class Meta:
        unknown = ma.RAISE

    q = text(0, 200, required=True, metadata={"description": "Words; no words, no results"})
    kind = fields.String(validate=validate.OneOf(["threads", "posts", "messages"]))
    category_id = fields.Integer(**QUERY_ID)
    cohort_id = fields.Integer(**QUERY_ID)
    channel_id = fields.Integer(**QUERY_ID)
    author = fields.String(validate=validate.Regexp(USERNAME))
    date_from = fields.Date()
    date_to = fields.Date()
    accepted = fields.Boolean(load_default=False)
    cursor = fields.String(validate=validate.Length(max=12))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SearchHitSchema(ma.Schema):
    """A hit: `snippet` is escaped text with <mark> around the matches."""

    kind = fields.String(required=True, metadata={"enum": ["thread", "post", "message"]})
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    snippet = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    author = fields.String(allow_none=True, required=True)
    author_name = fields.String(allow_none=True, required=True)
    place = fields.String(required=True)
    thread_id = fields.Integer(allow_none=True, required=True)
    channel_id = fields.Integer(allow_none=True, required=True)
    has_accepted_answer = fields.Boolean(required=True)


class SearchResultSchema(ma.Schema):
    """Ranked hits; `next_cursor` fetches the next ones."""

    hits = fields.List(fields.Nested(SearchHitSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class DirectoryArgs(ma.Schema):
    """Directory filters (text filters match anywhere, case-insensitively)."""

    class Meta:
        unknown = ma.RAISE

    name = text(0, 80)
    organisation = text(0, 120)
    duty_station = text(0, 120)
    sponsoring_country = text(0, 80)
    expertise = text(0, 40)
    open_to_mentoring = fields.Boolean(load_default=False)
    mentors = fields.Boolean(load_default=False,
                             metadata={"description": "Mentors and people open to mentoring"})
    cursor = fields.String(validate=validate.Length(max=12))


class MemberCardSchema(ma.Schema):
    """A person in the directory (cohorts only where I may read them)."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    organisation = fields.String(required=True)
    duty_station = fields.String(required=True)
    sponsoring_country = fields.String(required=True)
    open_to_mentoring = fields.Boolean(required=True)
    is_mentor = fields.Boolean(required=True)
    expertise = fields.List(fields.String(), required=True)
    cohorts = fields.List(fields.Nested(ma.Schema.from_dict({
        "slug": fields.String(required=True), "name": fields.String(required=True),
        "role": fields.String(required=True)}, name="CardCohort")), required=True)


class DirectorySchema(ma.Schema):
    """A page of the directory, in name order."""

    members = fields.List(fields.Nested(MemberCardSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


__all__ = [name for name, obj in list(globals().items())
           if isinstance(obj, type) and issubclass(obj, ma.Schema)] + [
    "REACTION_KINDS", "STRICT", "Text", "text"]


# --------------------------------------------------------------------------- uploads


class UploadFileSchema(ma.Schema):
    """One file, as the multipart field `file`."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


def _crop_field(description: str) -> fields.Integer:
    return fields.Integer(strict=False, metadata={"description": description})


_CROP_DOCS = {
    "crop_x": "Left edge of the square to keep, in pixels of the picture as it is shown "
              "(after its EXIF orientation). Give all three crop fields or none (the centre "
              "square).",
    "crop_y": "Top edge of the square to keep, in the same pixels.",
    "crop_size": "Side of the square to keep, at least 32 pixels; the square must lie inside "
                 "the picture.",
}


class AvatarCropArgs(ma.Schema):
    """The square of the picture to keep (optional; else its centre square)."""

    class Meta:
        unknown = ma.RAISE

    crop_x = _crop_field(_CROP_DOCS["crop_x"])
    crop_y = _crop_field(_CROP_DOCS["crop_y"])
    crop_size = _crop_field(_CROP_DOCS["crop_size"])


class AvatarFileSchema(UploadFileSchema):
    """The picture as the multipart field `file`; the square to keep may come as the fields
    `crop_x`, `crop_y` and `crop_size` next to it (or in the query)."""

    crop_x = _crop_field(_CROP_DOCS["crop_x"])
    crop_y = _crop_field(_CROP_DOCS["crop_y"])
    crop_size = _crop_field(_CROP_DOCS["crop_size"])


class UploadSchema(ma.Schema):
    """A stored file. `markdown` is what to put in a post or message to show it there; the file
    is then readable by exactly the readers of that post or message."""

    token = fields.String(required=True)
    url = fields.String(required=True)
    thumbnail_url = fields.String(allow_none=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["image", "document"]})
    size = fields.Integer(required=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    attached = fields.Boolean(required=True)
    markdown = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class StorageUseSchema(ma.Schema):
    """How much of the person's file quota is used."""

    used_bytes = fields.Integer(required=True)
    quota_bytes = fields.Integer(required=True)
    max_file_bytes = fields.Integer(required=True)
