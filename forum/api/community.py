"""API: my notifications (list by cursor, mark read), search, and the member directory.

Search and the directory page by number in their services; the API hands out the next page as
an opaque cursor, so clients page them like every other list.
"""

from __future__ import annotations

from forum.api.auth import api_blueprint, api_user
from forum.api.discussions import decode_after
from forum.api.schemas import (
    DirectoryArgs,
    DirectorySchema,
    NotificationArgs,
    NotificationListSchema,
    SearchArgs,
    SearchResultSchema,
    UnreadSchema,
)
from forum.services import directory as directory_service
from forum.services import notifications
from forum.services import search as search_service

blp = api_blueprint("Community", __name__, "Notifications, search and the member directory.")


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationListSchema)
def list_notifications(args: dict):
    """My notifications, newest activity first; pass `next_cursor` on."""
    return notifications.list_notifications(api_user(), args.get("cursor"), args["limit"],
                                            unread_only=args["unread_only"])


@blp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@blp.response(200, UnreadSchema)
def mark_read(notification_id: int):
    """Mark one of my notifications read."""
    return {"unread": notifications.mark_read(api_user(), notification_id)["unread"]}


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, UnreadSchema)
def mark_all_read():
    """Mark all my notifications read."""
    return notifications.mark_all_read(api_user())


def _page(cursor: str | None) -> int:
    return decode_after(cursor) or 1


@blp.route("/search", methods=["GET"])
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchResultSchema)
def search(args: dict):
    """Threads, posts and messages I may read that match the words, best first."""
    filters = search_service.SearchFilters(
        kind=args.get("kind"), category_id=args.get("category_id"),
        cohort_id=args.get("cohort_id"), channel_id=args.get("channel_id"),
        author=args.get("author"), date_from=args.get("date_from"),
        date_to=args.get("date_to"), accepted=args["accepted"])
    page = _page(args.get("cursor"))
    results = search_service.search(api_user(), args["q"], filters, page=page,
                                    per_page=args["limit"])
    return {"hits": [hit.to_dict() for hit in results.hits],
            "next_cursor": str(page + 1) if results.has_next else None}


@blp.route("/members", methods=["GET"])
@blp.arguments(DirectoryArgs, location="query")
@blp.response(200, DirectorySchema)
def members(args: dict):
    """The member directory: people I may find, in name order."""
    filters = directory_service.DirectoryFilters(
        name=args.get("name") or None, organisation=args.get("organisation") or None,
        duty_station=args.get("duty_station") or None,
        sponsoring_country=args.get("sponsoring_country") or None,
        expertise=(args.get("expertise") or "").lower() or None,
        open_to_mentoring=args["open_to_mentoring"], mentors=args["mentors"])
    page = _page(args.get("cursor"))
    result = directory_service.directory(api_user(), filters, page=page)
    return {"members": [card.to_dict() for card in result.members],
            "next_cursor": str(page + 1) if result.has_next else None}
