"""Plain dictionaries of models for API responses (the schemas validate and document them)."""

from __future__ import annotations

from forum.models import Cohort, Invitation, Post, Thread, User


def user_brief(user: User | None) -> dict | None:
    """id, username and display name (None for a deleted account)."""
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "display_name": user.display_name}


def cohort_brief(cohort: Cohort, **extra) -> dict:
    """A cohort's public fields."""
    return {"id": cohort.id, "slug": cohort.slug, "name": cohort.name,
            "programme": cohort.programme, "status": cohort.status,
            "read_only": cohort.is_read_only,
            "starts_on": cohort.starts_on, "ends_on": cohort.ends_on, **extra}


def thread_dict(thread: Thread, *, unread: bool = False, tags: list[str] | None = None) -> dict:
    """A thread's metadata (its author and tags must be loaded, or `tags` given)."""
    return {
        "id": thread.id, "category_id": thread.category_id, "title": thread.title,
        "author": user_brief(thread.author),
        "tags": tags if tags is not None else [t.tag for t in thread.tags],
        "reply_count": thread.reply_count, "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at, "first_post_id": thread.first_post_id,
        "accepted_post_id": thread.accepted_post_id, "is_locked": thread.is_locked,
        "is_pinned": thread.is_pinned, "unread": unread,
    }


def post_dict(post: Post, counts: dict[str, int] | None = None, *, held: bool = False) -> dict:
    """A post; removed posts (deleted or hidden) keep their place but not their text.

    `held`: the answer to its author's write that the word filter held, with its text.
    """
    removed = post.deleted_at is not None or (post.hidden_at is not None and not held)
    return {
        "id": post.id, "thread_id": post.thread_id, "parent_id": post.parent_id,
        "depth": post.depth, "author": user_brief(post.author),
        "body": "" if removed else post.body_source, "html": "" if removed else post.body_html,
        "created_at": post.created_at, "edited_at": post.edited_at, "deleted": removed,
        "reactions": counts or {}, "held": held,
    }


HELD = 202  # stored, but hidden from others until a moderator releases it


def written(body: dict, hidden: bool) -> dict | tuple[dict, int]:
    """The answer to a write: the body as it is, or 202 with `held: true` when the word filter
    held it (a new or just-edited item is hidden for no other reason), so clients do not retry."""
    return ({**body, "held": True}, HELD) if hidden else body


def invitation_dict(invitation: Invitation, state: str, link: str) -> dict:
    """An invitation for administrators."""
    return {"id": invitation.id, "code": invitation.code, "role": invitation.role,
            "email": invitation.email, "name": invitation.name,
            "max_uses": invitation.max_uses, "uses": invitation.uses,
            "expires_at": invitation.expires_at, "state": state, "link": link}
