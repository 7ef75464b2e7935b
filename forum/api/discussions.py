"""API: categories, threads (list by cursor, create, read), posts (reply, edit, delete, react,
accept answer), bookmarks. Every call goes through the services (forum/services/discussions.py,
bookmarks.py), so the permission rules are the pages' rules: another cohort's category, thread
or post is 404.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields

from forum.api.auth import api_blueprint, api_user
from forum.api.present import HELD, post_dict, thread_dict, written
from forum.api.schemas import (
    REACTION_KINDS,
    AcceptedSchema,
    CategorySchema,
    CursorArgs,
    EditSchema,
    PostListSchema,
    PostSchema,
    ReactionCountsSchema,
    ReplySchema,
    ThreadCreateSchema,
    ThreadDetailSchema,
    ThreadListArgs,
    ThreadListSchema,
)
from forum.errors import Invalid
from forum.rate_limits import posting_limit
from forum.services import bookmarks, discussions

blp = api_blueprint("Discussions", __name__, "Categories, threads and posts.")


# One budget per person for everything that writes a thread or post, shared with the pages.
posting = posting_limit()


def decode_after(cursor: str | None) -> int:
    """A post-list cursor is the last post id seen; anything else is Invalid."""
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 12:
        message = _("This cursor is not valid; use the next_cursor of a previous page.")
        raise Invalid(message, fields={"cursor": message})
    return int(cursor)


@blp.route("/categories", methods=["GET"])
@blp.response(200, CategorySchema(many=True))
def categories():
    """The categories I may read, with thread and unread counts."""
    return [{"id": s.category.id, "slug": s.category.slug, "name": s.category.name,
             "description": s.category.description, "mode": s.category.mode,
             "cohort_id": s.category.cohort_id, "thread_count": s.thread_count,
             "unread_count": s.unread_count} for s in discussions.list_categories(api_user())]


@blp.route("/categories/<string(maxlength=80):slug>/threads", methods=["GET"])
@blp.arguments(ThreadListArgs, location="query")
@blp.response(200, ThreadListSchema)
def threads(args: dict, slug: str):
    """A page of a category's threads, newest activity first; pass `next_cursor` on."""
    page = discussions.category_page(api_user(), slug, sort=args["sort"], tag=args.get("tag"),
                                     after=args.get("cursor"))
    return {"pinned": [thread_dict(r.thread, unread=r.unread) for r in page.pinned],
            "threads": [thread_dict(r.thread, unread=r.unread) for r in page.threads],
            "next_cursor": page.next_cursor}


def _thread_detail(thread_id: int) -> dict:
    page = discussions.read_thread(api_user(), thread_id, page=1)
    first = page.first_post
    counts = page.counts.get(first.id, {}) if first is not None else {}
    return {**thread_dict(page.thread, tags=page.tags),
            "first_post": post_dict(first, counts) if first is not None else None,
            "can_reply": page.can_post, "can_accept": page.can_accept}


HELD_NOTE = ("Held for review by the word filter: stored, visible to its author and the "
             "moderators only until released. Do not send it again.")


def _written_post(post_id: int) -> dict | tuple[dict, int]:
    """A post just written, as its author sees it: 202 `held` if the word filter held it."""
    item = discussions.post_data(api_user(), post_id)
    hidden = item.post.hidden_at is not None
    return written(post_dict(item.post, item.counts, held=hidden), hidden)


@blp.route("/threads", methods=["POST"])
@posting
@blp.arguments(ThreadCreateSchema)
@blp.response(201, ThreadDetailSchema)
@blp.alt_response(HELD, schema=ThreadDetailSchema, description=HELD_NOTE)
def create_thread(data: dict):
    """Start a thread in a category I may post in (202 `held` if the word filter held it)."""
    thread = discussions.create_thread(api_user(), data["category_id"], data["title"],
                                       data["body"], data.get("tags"))
    return written(_thread_detail(thread.id), thread.hidden_at is not None)


@blp.route("/threads/<id:thread_id>", methods=["GET"])
@blp.response(200, ThreadDetailSchema)
def thread(thread_id: int):
    """A thread with its opening post (marks the first page read)."""
    return _thread_detail(thread_id)


@blp.route("/threads/<id:thread_id>/posts", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, PostListSchema)
def posts(args: dict, thread_id: int):
    """Posts of a thread in order (the opening post first); pass `next_cursor` on."""
    _thread, items, more = discussions.list_posts(api_user(), thread_id,
                                                  decode_after(args.get("cursor")), args["limit"])
    return {"posts": [post_dict(i.post, i.counts) for i in items],
            "next_cursor": str(items[-1].post.id) if more and items else None}


@blp.route("/threads/<id:thread_id>/posts", methods=["POST"])
@posting
@blp.arguments(ReplySchema)
@blp.response(201, PostSchema)
@blp.alt_response(HELD, schema=PostSchema, description=HELD_NOTE)
def reply(data: dict, thread_id: int):
    """Reply to a thread, or to one of its posts with `parent_id` (202 `held` if held)."""
    post = discussions.reply(api_user(), thread_id, data["body"], data.get("parent_id"))
    if post.hidden_at is not None:
        return _written_post(post.id)
    return post_dict(post)


@blp.route("/posts/<id:post_id>", methods=["GET"])
@blp.response(200, PostSchema)
def post(post_id: int):
    """One post."""
    item = discussions.post_data(api_user(), post_id)
    return post_dict(item.post, item.counts)


@blp.route("/posts/<id:post_id>", methods=["PATCH"])
@posting
@blp.arguments(EditSchema)
@blp.response(200, PostSchema)
@blp.alt_response(HELD, schema=PostSchema, description=HELD_NOTE)
def edit(data: dict, post_id: int):
    """Change my post's text (the old text is kept in its history; 202 `held` if held)."""
    discussions.edit_post(api_user(), post_id, data["body"])
    return _written_post(post_id)


@blp.route("/posts/<id:post_id>", methods=["DELETE"])
@blp.response(200, PostSchema)
def delete(post_id: int):
    """Delete my reply (a placeholder keeps its replies in context)."""
    post = discussions.delete_post(api_user(), post_id)
    return post_dict(post)


def _reaction(post_id: int, kind: str, on: bool) -> dict:
    if kind not in REACTION_KINDS:
        message = _("Unknown reaction; use one of: %(kinds)s", kinds=", ".join(REACTION_KINDS))
        raise Invalid(message, fields={"kind": message})
    return {"post_id": post_id, "counts": discussions.react(api_user(), post_id, kind, on=on)}


@blp.route("/posts/<id:post_id>/reactions/<string(maxlength=16):kind>", methods=["PUT"])
@blp.response(200, ReactionCountsSchema)
def add_reaction(post_id: int, kind: str):
    """Add my reaction (`like` or `helpful`); adding it twice changes nothing."""
    return _reaction(post_id, kind, True)


@blp.route("/posts/<id:post_id>/reactions/<string(maxlength=16):kind>", methods=["DELETE"])
@blp.response(200, ReactionCountsSchema)
def remove_reaction(post_id: int, kind: str):
    """Take my reaction back."""
    return _reaction(post_id, kind, False)


@blp.route("/posts/<id:post_id>/accepted", methods=["PUT"])
@blp.response(200, AcceptedSchema)
def accept(post_id: int):
    """Mark a reply as the thread's accepted answer (Q&A spaces; author or mentors)."""
    thread = discussions.accept_answer(api_user(), post_id, accept=True)
    return {"thread_id": thread.id, "accepted_post_id": thread.accepted_post_id}


@blp.route("/posts/<id:post_id>/accepted", methods=["DELETE"])
@blp.response(200, AcceptedSchema)
def unaccept(post_id: int):
    """Clear the accepted answer."""
    thread = discussions.accept_answer(api_user(), post_id, accept=False)
    return {"thread_id": thread.id, "accepted_post_id": thread.accepted_post_id}


# --------------------------------------------------------------------------- bookmarks


class BookmarkStateSchema(ma.Schema):
    """Whether I bookmarked the post, after the change."""

    post_id = fields.Integer(required=True)
    bookmarked = fields.Boolean(required=True)


class BookmarkSchema(ma.Schema):
    """A bookmark: the saved post, its thread's title and when it was saved."""

    id = fields.Integer(required=True)
    saved_at = fields.DateTime(required=True)
    thread_id = fields.Integer(required=True)
    thread_title = fields.String(required=True)
    is_thread = fields.Boolean(required=True, metadata={
        "description": "The opening post: the bookmark stands for the whole thread"})
    post = fields.Nested(PostSchema, required=True)


class BookmarkListSchema(ma.Schema):
    """My bookmarks, newest first, that I can still read."""

    bookmarks = fields.List(fields.Nested(BookmarkSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


@blp.route("/bookmarks", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, BookmarkListSchema)
def bookmark_list(args: dict):
    """My bookmarks, newest first; one I can no longer read (moved, deleted) is left out."""
    items, more_before = bookmarks.list_bookmarks(
        api_user(), decode_after(args.get("cursor")) or None, args["limit"])
    return {"bookmarks": [{"id": i.id, "saved_at": i.saved_at, "thread_id": i.thread.id,
                           "thread_title": i.thread.title, "is_thread": i.is_thread,
                           "post": post_dict(i.post, held=i.post.hidden_at is not None)}
                          for i in items],
            "next_cursor": str(more_before) if more_before else None}


@blp.route("/posts/<id:post_id>/bookmark", methods=["PUT"])
@blp.response(200, BookmarkStateSchema)
def add_bookmark(post_id: int):
    """Bookmark a post (the opening post bookmarks the thread); twice changes nothing."""
    return {"post_id": post_id, "bookmarked": bookmarks.set_bookmark(api_user(), post_id, True)}


@blp.route("/posts/<id:post_id>/bookmark", methods=["DELETE"])
@blp.response(200, BookmarkStateSchema)
def remove_bookmark(post_id: int):
    """Remove my bookmark of a post."""
    return {"post_id": post_id, "bookmarked": bookmarks.set_bookmark(api_user(), post_id, False)}
