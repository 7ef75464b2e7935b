"""API for the composer (static/js/composer.js): preview, @mention candidates and emoji.

The browser never renders Markdown itself: the preview is the server's sanitized HTML. Mention
candidates are only people who can read the thread (forum/services/mentions.py). Both are
rate limited per caller on top of the API's request budget.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from forum.api.auth import api_blueprint, api_user
from forum.api.schemas import POST_BODY, QUERY_ID, UserBrief, text
from forum.extensions import limiter
from forum.lib.emoji import emoji_list
from forum.rate_limits import caller_key
from forum.services import composer, mentions
from forum.web.avatars import avatar_initials, avatar_path, avatar_tone

blp = api_blueprint("Composer", __name__, "Preview, @mention suggestions and emoji shortcodes.")

COMPOSER_LIMIT = "120 per minute"  # per caller: a preview per tab switch, a lookup per keystroke


def _composer_limit() -> str:
    return current_app.config.get("RATELIMIT_COMPOSER", COMPOSER_LIMIT)


composer_limit = limiter.limit(_composer_limit, key_func=caller_key, override_defaults=False)


class PreviewSchema(ma.Schema):
    """Markdown to preview."""

    class Meta:
        unknown = ma.RAISE

    body = text(1, None, required=True, metadata={"description": POST_BODY})


class PreviewResultSchema(ma.Schema):
    """The sanitized HTML the post would show."""

    html = fields.String(required=True)


class MentionArgs(ma.Schema):
    """Where the text will appear (a thread, or a new thread's category) and what was typed."""

    class Meta:
        unknown = ma.RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=mentions.MAX_QUERY),
                      metadata={"description": "The letters typed after @."})
    thread_id = fields.Integer(**QUERY_ID)
    category_id = fields.Integer(**QUERY_ID)


class MentionSchema(UserBrief):
    """A person who can read the thread, with their generated avatar."""

    initials = fields.String(required=True)
    tone = fields.Integer(required=True, metadata={"description": "avatar-tone-N colour class"})
    avatar_url = fields.String(required=True, allow_none=True, metadata={
        "description": "Their uploaded picture (members only), or null: show the initials."})


class MentionListSchema(ma.Schema):
    """At most 8 people."""

    people = fields.List(fields.Nested(MentionSchema), required=True)


class EmojiSchema(ma.Schema):
    """A shortcode (without colons) and its character."""

    code = fields.String(required=True)
    emoji = fields.String(required=True)


@blp.route("/preview", methods=["POST"])
@composer_limit
@blp.arguments(PreviewSchema)
@blp.response(200, PreviewResultSchema)
def preview(data: dict):
    """Render Markdown as a post would show it (sanitized HTML; nothing is stored)."""
    return {"html": composer.preview(api_user(), data["body"])}


@blp.route("/mentions", methods=["GET"])
@composer_limit
@blp.arguments(MentionArgs, location="query")
@blp.response(200, MentionListSchema)
def mention_candidates(args: dict):
    """People who can read the thread (or category) whose name starts with `q` (at most 8)."""
    people = mentions.mention_candidates(api_user(), args["q"], thread_id=args.get("thread_id"),
                                         category_id=args.get("category_id"))
    return {"people": [{"id": p.id, "username": p.username, "display_name": p.display_name,
                        "initials": avatar_initials(p.display_name),
                        "tone": avatar_tone(p.username),
                        "avatar_url": avatar_path(p.id, p.avatar_token)} for p in people]}


@blp.route("/emoji", methods=["GET"])
@blp.response(200, EmojiSchema(many=True))
def emoji():
    """The emoji shortcodes the renderer knows (`:tada:` → 🎉)."""
    return emoji_list()
