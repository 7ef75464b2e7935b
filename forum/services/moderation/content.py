"""Moderator actions on content: hide, restore, delete, edit, keep, lock, pin, move.

Each action: access check (the policy package) → validate → write → resolve open flags →
audit row → notification rows → ONE commit → broadcasts after the commit → deliver.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from forum.errors import Conflict, Forbidden, Invalid
from forum.extensions import db
from forum.lib.realtime import broadcast, channel_room, thread_room
from forum.lib.text import clean_text
from forum.models import Category, Flag, Hold, Message, Post, PostRevision, Thread, User, utcnow
from forum.services import access, live_access, notifications
from forum.services.access import ContentTarget
from forum.services.moderation import audit

REASON_MAX = 500


# --------------------------------------------------------------------------- helpers


def clean_reason(reason: str | None, *, required: bool) -> str:
    """A moderator's reason: trimmed, at most REASON_MAX characters, required for some actions."""
    reason = clean_text(reason or "")
    if required and not reason:
        message = _("Give a reason: the author will see it.")
        raise Invalid(message, fields={"reason": message})
    if len(reason) > REASON_MAX:
        message = _("At most %(n)d characters.", n=REASON_MAX)
        raise Invalid(message, fields={"reason": message})
    return reason


def resolve_flags(target_type: str, target_id: int, actor: User | None, resolution: str) -> int:
    """Close the item's open flags (in the caller's transaction); returns how many."""
    result = db.session.execute(
        update(Flag).where(Flag.target_type == target_type, Flag.target_id == target_id,
                           Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id if actor else None,
                resolution=resolution))
    return result.rowcount or 0


def apply_hide(target: ContentTarget, actor: User | None, reason: str) -> None:
    """Mark an item hidden and remember why (no commit)."""
    target.obj.hidden_at = target.obj.hidden_at or utcnow()
    _withdraw_quotes(target)
    hold = db.session.scalar(select(Hold).where(Hold.target_type == target.type,
                                                Hold.target_id == target.id))
    if hold is None:
        db.session.add(Hold(target_type=target.type, target_id=target.id, reason=reason,
                            actor_id=actor.id if actor else None))
    else:
        hold.reason, hold.actor_id = reason, actor.id if actor else None


def _quoted(target: ContentTarget) -> list[tuple[str, int]]:
    """(source type, id) of what notifications quote that hiding the item withdraws.

    A thread: its title (new-thread notices) and its opening post (mentions in it).
    """
    if target.type != "thread":
        return [(target.type, target.id)]
    first = target.obj.first_post_id
    return [("thread", target.id)] + ([("post", first)] if first else [])


def _withdraw_quotes(target: ContentTarget) -> None:
    for source_type, source_id in _quoted(target):
        notifications.set_excerpts(source_type, source_id, "")
    if target.type == "thread":
        notifications.set_thread_subject(target.id, "")


def _restore_quotes(target: ContentTarget) -> None:
    """Quote the item (and a thread's opening post, unless it is removed itself) again."""
    for source_type, source_id in _quoted(target):
        item = target.obj if source_id == target.id and source_type == target.type else \
            db.session.get(Post, source_id)
        if source_type == "thread":
            notifications.set_excerpts("thread", source_id, item.title)
        elif item is not None and not item.is_removed:
            notifications.set_excerpts(source_type, source_id, notifications.quote(item.body_html))
    if target.type == "thread":
        notifications.set_thread_subject(target.id, target.obj.title)


def _notify(target: ContentTarget, actor: User | None, action: str, reason: str):
    if target.author_id is None or (actor is not None and target.author_id == actor.id):
        return None
    return notifications.notify_moderation(
        target.author_id, action=action, reason=reason, target_type=target.type,
        target_id=target.id, url=target.url, actor_id=actor.id if actor else None)


def _post_fragment(post_id: int) -> tuple[Post, str]:
    from forum.services.discussions import render_post_fragment

    post = db.session.scalar(select(Post).where(Post.id == post_id).options(
        joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author)))
    return post, render_post_fragment(post, post.thread)


def broadcast_hidden(target: ContentTarget, thread_or_channel_id: int) -> None:
    """After commit: remove a hidden item from every open page."""
    if target.type == "message":
        broadcast("message:hidden", hidden_message_event(target.obj, thread_or_channel_id),
                  channel_room(thread_or_channel_id))
    elif target.type == "post":
        post, html = _post_fragment(target.id)
        broadcast("post:hidden", {"thread_id": post.thread_id, "post_id": post.id,
                                  "html": html}, thread_room(post.thread_id))
    else:
        _close_thread_room(target.id, "thread:removed")


def hidden_message_event(message: Message, channel_id: int) -> dict:
    """The `message:hidden` payload: the message that leaves the log, its channel and seq."""
    # Called after the commit: reading the id loads the row again anyway, seq comes with it.
    return {"id": message.id, "channel_id": channel_id, "seq": message.seq}


def _close_thread_room(thread_id: int, event: str) -> None:
    """After commit: open pages that may no longer read the thread leave its room first (moved
    to another cohort, hidden, deleted: they are told `access:lost`), then the others hear that
    it changed place or visibility (their pages reload through the access check)."""
    live_access.recheck_threads([thread_id])
    broadcast(event, {"thread_id": thread_id}, thread_room(thread_id))


def _container_id(target: ContentTarget) -> int:
    return target.obj.channel_id if target.type == "message" else target.thread.id


# --------------------------------------------------------------------------- actions


def hide(user: User, target_type: str, target_id: int, reason: str) -> ContentTarget:
    """Hide an item (the author sees it with the reason); resolves its open flags."""
    target = access.access_moderatable(user, target_type, target_id)
    reason = clean_reason(reason, required=True)
    if target.obj.deleted_at is not None:
        raise Invalid(_("This was deleted already."))
    apply_hide(target, user, reason)
    resolve_flags(target.type, target.id, user, "hidden")
    audit.record(user, "hide", target_type=target.type, target_id=target.id,
                 cohort_id=target.cohort_id, reason=reason)
    pending = _notify(target, user, "hide", reason)
    container = _container_id(target)
    db.session.commit()
    broadcast_hidden(target, container)
    notifications.deliver(pending)
    return target


def restore(user: User, target_type: str, target_id: int, reason: str = "") -> ContentTarget:
    """Undo a hide: the item is shown again to everyone who may read it."""
    target = access.access_moderatable(user, target_type, target_id)
    access.require_may_undo(user, target, "restore")
    reason = clean_reason(reason, required=False)
    if target.obj.hidden_at is None:
        raise Invalid(_("This is not hidden."), code="not_hidden")
    announced = _unhide(target)
    audit.record(user, "restore", target_type=target.type, target_id=target.id,
                 cohort_id=target.cohort_id, reason=reason)
    pending = notifications.Pending().merge(announced).merge(
        _notify(target, user, "restore", reason))
    db.session.commit()
    _broadcast_restored(target)
    notifications.deliver(pending)
    return target


def _unhide(target: ContentTarget) -> notifications.Pending | None:
    """Show the item again (no commit); an item held on arrival is announced now."""
    target.obj.hidden_at = None
    if target.obj.deleted_at is None:
        _restore_quotes(target)
    announce = db.session.scalar(select(Hold.announce_on_release).where(
        Hold.target_type == target.type, Hold.target_id == target.id))
    db.session.execute(delete(Hold).where(Hold.target_type == target.type,
                                          Hold.target_id == target.id))
    return _announce(target) if announce else None


def _announce(target: ContentTarget) -> notifications.Pending | None:
    """Tell the people its author's send would have told of an item released from the queue.

    Replies, mentions and watchers of a held post, the category's watchers of a held thread,
    the mentioned or direct members of a held message: as if it had just been sent.
    """
    author = db.session.get(User, target.author_id) if target.author_id else None
    if author is None or target.obj.deleted_at is not None:
        return None
    if target.type == "message":
        message, channel = target.obj, target.channel
        if message.id > (channel.last_message_id or 0):
            channel.last_message_id = message.id  # it now counts as unread for the members
        return notifications.notify_message(author, channel, message)
    thread = target.thread
    if thread.hidden_at is not None or thread.deleted_at is not None:
        return None  # a post in a thread nobody else can read yet: the thread's release tells
    if target.type == "thread":
        first = db.session.get(Post, thread.first_post_id)
        return notifications.notify_new_thread(author, thread, thread.category, first)
    post = target.obj
    parent = db.session.get(Post, post.parent_id) if post.parent_id else None
    return notifications.notify_reply(author, thread, post, parent)


def _broadcast_restored(target: ContentTarget) -> None:
    if target.type == "message":
        from forum.services.chat import message_payload

        message = target.obj
        broadcast("message:restored", message_payload(message), channel_room(message.channel_id))
    elif target.type == "post":
        post, html = _post_fragment(target.id)
        broadcast("post:restored", {"thread_id": post.thread_id, "post_id": post.id,
                                    "html": html}, thread_room(post.thread_id))


def dismiss(user: User, target_type: str, target_id: int, reason: str = "") -> ContentTarget:
    """Keep the item: close its flags, and show it again if the automatic protection hid it."""
    target = access.access_moderatable(user, target_type, target_id)
    reason = clean_reason(reason, required=False)
    if not resolve_flags(target.type, target.id, user, "kept"):
        raise Invalid(_("There are no open flags on this."), code="no_flags")
    hold = db.session.scalar(select(Hold).where(Hold.target_type == target.type,
                                                Hold.target_id == target.id))
    restored = target.obj.hidden_at is not None and (hold is None or hold.actor_id is None)
    announced = _unhide(target) if restored else None
    audit.record(user, "dismiss", target_type=target.type, target_id=target.id,
                 cohort_id=target.cohort_id, reason=reason, details={"restored": restored})
    pending = notifications.Pending().merge(announced).merge(
        _notify(target, user, "restore", reason) if restored else None)
    db.session.commit()
    if restored:
        _broadcast_restored(target)
    notifications.deliver(pending)
    return target


def remove(user: User, target_type: str, target_id: int, reason: str) -> ContentTarget:
    """Delete an item for good (its text stays in the database for the record)."""
    target = access.access_moderatable(user, target_type, target_id)
    reason = clean_reason(reason, required=True)
    obj = target.obj
    if obj.deleted_at is not None:
        raise Invalid(_("This was deleted already."))
    if target.type == "post" and obj.id == target.thread.first_post_id:
        raise Invalid(_("This is the opening post: delete the thread instead."),
                      code="first_post")
    obj.deleted_at = utcnow()
    _withdraw_quotes(target)
    if target.type == "post":
        from forum.services.discussions import refresh_thread_counters

        if target.thread.accepted_post_id == obj.id:
            target.thread.accepted_post_id = None
        db.session.flush()
        refresh_thread_counters(target.thread)
    resolve_flags(target.type, target.id, user, "deleted")
    audit.record(user, "delete", target_type=target.type, target_id=target.id,
                 cohort_id=target.cohort_id, reason=reason)
    pending = _notify(target, user, "delete", reason)
    container = _container_id(target)
    db.session.commit()
    if target.type == "message":
        broadcast("message:hidden", hidden_message_event(target.obj, container),
                  channel_room(container))
    elif target.type == "post":
        post, html = _post_fragment(target.id)
        broadcast("post:deleted", {"thread_id": post.thread_id, "post_id": post.id,
                                   "html": html}, thread_room(post.thread_id))
    else:
        _close_thread_room(target.id, "thread:removed")
    notifications.deliver(pending)
    return target


def edit_post(user: User, post_id: int, body: str, reason: str = "") -> Post:
    """A moderator corrects a post (e.g. removes confidential details); history keeps the old."""
    from forum.services.discussions import render_body, render_post_fragment

    target = access.access_moderatable(user, "post", post_id)
    reason = clean_reason(reason, required=False)
    post = target.obj
    if post.deleted_at is not None:
        raise Invalid(_("This was deleted already."))
    html = render_body(body)
    body = clean_text(body)
    if body != post.body_source:
        db.session.add(PostRevision(post_id=post.id, editor_id=user.id,
                                    body_source=post.body_source, body_html=post.body_html))
        post.body_source, post.body_html, post.edited_at = body, html, utcnow()
    resolve_flags("post", post.id, user, "edited")
    audit.record(user, "edit", target_type="post", target_id=post.id, cohort_id=target.cohort_id,
                 reason=reason)
    pending = _notify(target, user, "edit", reason)
    db.session.commit()
    post, _html = _post_fragment(post.id)
    broadcast("post:edited", {"thread_id": post.thread_id, "post_id": post.id,
                              "html": render_post_fragment(post, post.thread)},
              thread_room(post.thread_id))
    notifications.deliver(pending)
    return post


def set_thread_state(user: User, thread_id: int, *, locked: bool | None = None,
                     pinned: bool | None = None, reason: str = "") -> Thread:
    """Lock/unlock or pin/unpin a thread."""
    target = access.access_moderatable(user, "thread", thread_id)
    reason = clean_reason(reason, required=False)
    thread = target.obj
    actions = []
    if locked is False and thread.is_locked:
        access.require_may_undo(user, target, "unlock")
    if locked is not None and thread.is_locked != locked:
        thread.is_locked = locked
        actions.append("lock" if locked else "unlock")
    if pinned is not None and thread.is_pinned != pinned:
        thread.is_pinned = pinned
        actions.append("pin" if pinned else "unpin")
    for action in actions:
        audit.record(user, action, target_type="thread", target_id=thread.id,
                     cohort_id=target.cohort_id, reason=reason)
    db.session.commit()
    if actions:
        broadcast("thread:state", {"thread_id": thread.id, "locked": thread.is_locked,
                                   "pinned": thread.is_pinned}, thread_room(thread.id))
    return thread


def move_categories(user: User, thread_id: int) -> tuple[Thread, list[Category]]:
    """The thread and the categories a moderator may move it to (they moderate both ends)."""
    target = access.access_moderatable(user, "thread", thread_id)
    categories = db.session.scalars(
        select(Category).where(access.visible_categories_clause(user))
        .options(joinedload(Category.cohort))
        .order_by(Category.cohort_id.is_not(None), Category.position, Category.name)).all()
    return target.obj, [c for c in categories if c.id != target.obj.category_id
                        and access.can_moderate_cohort(user, c.cohort_id)]


def move_destination(user: User, thread_id: int,
                     category_id: int) -> tuple[ContentTarget, Category, access.MoveAudience]:
    """Check a move (the moderator moderates both ends) and say who would read the thread."""
    target = access.access_moderatable(user, "thread", thread_id)
    thread = target.obj
    destination = access.access_category(user, category_id)
    if not access.can_moderate_cohort(user, destination.cohort_id):
        raise Forbidden(_("You can only move threads into spaces you moderate."))
    if destination.id == thread.category_id:
        raise Invalid(_("The thread is already there."),
                      fields={"category_id": _("Choose another category.")})
    return target, destination, access.move_audience(thread, thread.category, destination)


def move_thread(user: User, thread_id: int, category_id: int, reason: str = "", *,
                confirm_wider_audience: bool = False) -> Thread:
    """Move a thread to another category; flags follow it, open pages reload through access.

    A move that lets more people read the thread (an "ask a mentor" question into a cohort's
    discussions, a cohort thread into a global space...) needs `confirm_wider_audience`;
    without it nothing is written and Conflict `wider_audience` says who would gain access.
    """
    target, destination, audience = move_destination(user, thread_id, category_id)
    reason = clean_reason(reason, required=False)
    thread = target.obj
    if audience.widens and not confirm_wider_audience:
        raise Conflict(audience.warning, code="wider_audience",
                       fields={"confirm_wider_audience": audience.warning})
    origin = thread.category_id
    thread.category_id = destination.id
    post_ids = select(Post.id).where(Post.thread_id == thread.id).scalar_subquery()
    db.session.execute(update(Flag).where(
        ((Flag.target_type == "thread") & (Flag.target_id == thread.id))
        | ((Flag.target_type == "post") & Flag.target_id.in_(post_ids))
    ).values(cohort_id=destination.cohort_id))
    details = {"from_category": origin, "to_category": destination.id,
               "from_cohort": target.cohort_id, "to_cohort": destination.cohort_id}
    audit.record(user, "move", target_type="thread", target_id=thread.id,
                 cohort_id=target.cohort_id, reason=reason, details=details)
    if destination.cohort_id != target.cohort_id and destination.cohort_id is not None:
        # The destination cohort's facilitators see the move in their own trail too.
        audit.record(user, "move", target_type="thread", target_id=thread.id,
                     cohort_id=destination.cohort_id, reason=reason, details=details)
    db.session.commit()
    _close_thread_room(thread.id, "thread:moved")
    current_app.logger.info("thread %s moved to category %s", thread.id, destination.id)
    return thread


def hold_reasons(target_type: str, ids: list[int]) -> dict[int, str]:
    """Why each of these hidden items is hidden (one query)."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Hold.target_id, Hold.reason).where(Hold.target_type == target_type,
                                                  Hold.target_id.in_(sorted(set(ids))))).all())
