"""The triggers: called by other services BEFORE their single commit; they return a `Pending`.

Every trigger decides who hears about what: never the actor, never someone who may not read the
content (the policy package decides), never someone who muted the thread, category or channel.
Within one event a person gets one row: a mention beats a reply, a reply beats a mentor answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    Category,
    CategoryWatch,
    Channel,
    ChannelMember,
    ChannelMute,
    CohortRole,
    Message,
    NotificationKind,
    Post,
    Thread,
    ThreadWatch,
    User,
    WatchLevel,
)
from forum.services import access
from forum.services.notifications.core import (
    Event,
    Pending,
    excerpt,
    mentioned_names,
    path,
    record,
    set_excerpts,
    users_by_id,
    users_by_name,
)

K = NotificationKind


# --------------------------------------------------------------------------- audiences


def _muted_in_thread(user_ids: list[int], thread: Thread, category: Category) -> set[int]:
    """Who muted this thread or its category."""
    if not user_ids:
        return set()
    muted = set(db.session.scalars(select(ThreadWatch.user_id).where(
        ThreadWatch.thread_id == thread.id, ThreadWatch.level == WatchLevel.MUTE.value,
        ThreadWatch.user_id.in_(user_ids))))
    muted |= set(db.session.scalars(select(CategoryWatch.user_id).where(
        CategoryWatch.category_id == category.id, CategoryWatch.level == WatchLevel.MUTE.value,
        CategoryWatch.user_id.in_(user_ids))))
    return muted


def _thread_audience(users: Iterable[User], thread: Thread, category: Category) -> set[int]:
    """Of these people, those who may read the thread and did not mute it (or its category)."""
    users = list(users)
    access.prime_memberships([u.id for u in users])  # one query, not one per person
    readers = [u.id for u in users if access.can_read_thread(u, thread, category)]
    return set(readers) - _muted_in_thread(readers, thread, category)


def _channel_audience(users: Iterable[User], channel: Channel) -> set[int]:
    """Of these people, those who may read the channel and did not mute it."""
    users = list(users)
    if not channel.is_direct:  # direct channels check their member rows instead
        access.prime_memberships([u.id for u in users])
    readers = [u.id for u in users if access.can_read_channel(u, channel)]
    if not readers:
        return set()
    muted = set(db.session.scalars(select(ChannelMute.user_id).where(
        ChannelMute.channel_id == channel.id, ChannelMute.user_id.in_(readers))))
    return set(readers) - muted


def _is_mentor_author(user: User, category: Category) -> bool:
    """Whether the author carries the mentor badge in this space (as the thread page shows)."""
    if user.is_mentor:
        return True
    return (category.cohort_id is not None
            and access.cohort_role(user, category.cohort_id) == CohortRole.MENTOR.value)


def _post_event(kind: str, author: User, thread: Thread, category: Category, post: Post,
                ) -> Event:
    return Event(kind=kind, target_type="thread", target_id=thread.id, actor_id=author.id,
                 cohort_id=category.cohort_id, subject=thread.title,
                 excerpt=excerpt(post.body_html), source_type="post", source_id=post.id,
                 url=path("discussions.permalink", post_id=post.id))


def _mentions_in_post(pending: Pending, author: User, thread: Thread, category: Category,
                      post: Post, names: set[str]) -> set[int]:
    if post.is_removed:  # hidden (e.g. held for review) or deleted: nobody hears of it
        return set()
    names.discard(author.username.lower())
    audience = _thread_audience(users_by_name(names), thread, category)
    return record(pending, _post_event(K.MENTION.value, author, thread, category, post),
                  audience)


# --------------------------------------------------------------------------- discussions


def notify_new_thread(author: User, thread: Thread, category: Category, post: Post) -> Pending:
    """A new thread: people it mentions, and people watching its category."""
    pending = Pending()
    if post.is_removed or thread.hidden_at is not None:
        return pending
    told = _mentions_in_post(pending, author, thread, category, post,
                             mentioned_names(post.body_html))
    watcher_ids = set(db.session.scalars(select(CategoryWatch.user_id).where(
        CategoryWatch.category_id == category.id,
        CategoryWatch.level == WatchLevel.WATCH.value))) - told - {author.id}
    audience = _thread_audience(users_by_id(watcher_ids), thread, category)
    record(pending, Event(
        kind=K.NEW_THREAD.value, target_type="category", target_id=category.id,
        actor_id=author.id, cohort_id=category.cohort_id, subject=category.name,
        excerpt=thread.title, url=path("discussions.thread", thread_id=thread.id),
        source_type="thread", source_id=thread.id,
    ), audience)
    return pending


def notify_reply(author: User, thread: Thread, post: Post, parent: Post | None) -> Pending:
    """A reply: mentioned people, the thread's and the parent post's authors, and — when a
    mentor answers — everyone watching the thread."""
    category = thread.category
    pending = Pending()
    if post.is_removed:
        return pending
    told = _mentions_in_post(pending, author, thread, category, post,
                             mentioned_names(post.body_html))
    owners = {thread.author_id} | ({parent.author_id} if parent is not None else set())
    owners -= told | {author.id, None}
    audience = _thread_audience(users_by_id(owners), thread, category)
    told |= record(pending, _post_event(K.REPLY.value, author, thread, category, post),
                   audience)
    if _is_mentor_author(author, category):
        watchers = set(db.session.scalars(select(ThreadWatch.user_id).where(
            ThreadWatch.thread_id == thread.id,
            ThreadWatch.level == WatchLevel.WATCH.value))) - told - {author.id}
        audience = _thread_audience(users_by_id(watchers), thread, category)
        record(pending, _post_event(K.MENTOR_ANSWER.value, author, thread, category, post),
               audience)
    return pending


def notify_post_edit(author: User, post: Post, previous_html: str) -> Pending:
    """An edited post: only people mentioned now who were not mentioned before.

    Notifications already quoting the post quote its new text: an edit that takes words back
    takes them out of people's notification centres too.
    """
    thread = post.thread
    pending = Pending()
    if not post.is_removed:
        set_excerpts("post", post.id, excerpt(post.body_html))
    names = mentioned_names(post.body_html) - mentioned_names(previous_html)
    if names:
        _mentions_in_post(pending, author, thread, thread.category, post, names)
    return pending


def notify_accepted(actor: User, thread: Thread, post: Post) -> Pending:
    """An accepted answer: its author hears of it (unless they accepted it themselves)."""
    category = thread.category
    pending = Pending()
    if post.author_id is None or post.author_id == actor.id:
        return pending
    audience = _thread_audience(users_by_id([post.author_id]), thread, category)
    record(pending, Event(
        kind=K.ACCEPTED.value, target_type="post", target_id=post.id, actor_id=actor.id,
        cohort_id=category.cohort_id, subject=thread.title, excerpt=excerpt(post.body_html),
        source_type="post", source_id=post.id, url=path("discussions.permalink", post_id=post.id),
    ), audience)
    return pending


# --------------------------------------------------------------------------- chat


def notify_message(author: User, channel: Channel, message: Message) -> Pending:
    """A chat message: the other members of a direct conversation; people @mentioned in a
    cohort or global channel who may read it."""
    pending = Pending()
    # A message in a cohort channel usually tells nobody: the excerpt (a second pass of bleach
    # over the HTML) and the URL are only built once someone is to be told.
    if channel.is_direct:
        member_ids = set(db.session.scalars(select(ChannelMember.user_id).where(
            ChannelMember.channel_id == channel.id, ChannelMember.is_member.is_(True))))
        audience = _channel_audience(users_by_id(member_ids - {author.id}), channel)
        if audience:
            record(pending, Event(
                kind=K.DIRECT_MESSAGE.value, target_type="channel", target_id=channel.id,
                actor_id=author.id, subject=channel.name, excerpt=excerpt(message.body_html),
                source_type="message", source_id=message.id,
                url=path("chat.channel", channel_id=channel.id),
            ), audience)
        return pending
    names = mentioned_names(message.body_html) - {author.username.lower()}
    if names:
        audience = _channel_audience(users_by_name(names), channel)
        if audience:
            record(pending, Event(
                kind=K.MENTION.value, target_type="channel", target_id=channel.id,
                actor_id=author.id, cohort_id=channel.cohort_id, subject=channel.name,
                excerpt=excerpt(message.body_html),
                source_type="message", source_id=message.id,
                url=path("chat.channel", channel_id=channel.id),
            ), audience)
    return pending


def notify_message_edit(author: User, channel: Channel, message: Message,
                        previous_html: str) -> Pending:
    """An edited chat message: only people mentioned now who were not mentioned before.

    Notifications already quoting the message quote its new text (see notify_post_edit).
    """
    pending = Pending()
    if not message.is_removed:
        set_excerpts("message", message.id, excerpt(message.body_html))
    names = (mentioned_names(message.body_html) - mentioned_names(previous_html)
             - {author.username.lower()})
    if channel.is_direct or message.is_removed or not names:
        return pending  # in a direct conversation everyone was already told of the message
    audience = _channel_audience(users_by_name(names), channel)
    record(pending, Event(
        kind=K.MENTION.value, target_type="channel", target_id=channel.id, actor_id=author.id,
        cohort_id=channel.cohort_id, subject=channel.name, excerpt=excerpt(message.body_html),
                source_type="message", source_id=message.id,
        url=path("chat.channel", channel_id=channel.id),
    ), audience)
    return pending


# --------------------------------------------------------------------------- moderation


def notify_moderation(recipient_id: int, *, action: str, reason: str, target_type: str,
                      target_id: int, url: str | None, actor_id: int) -> Pending:
    """Tell an author a moderator acted on their content or account (hide, restore, warn...).

    Never collapsed: each decision is its own line. The moderator's name is not shown.
    """
    pending = Pending()
    if recipient_id == actor_id or not users_by_id([recipient_id]):
        return pending
    record(pending, Event(
        kind=K.MODERATION.value, target_type=target_type[:24], target_id=target_id,
        actor_id=actor_id, excerpt=(reason or "")[:1000], url=url or "", detail=action,
        collapse=False,
    ), [recipient_id])
    return pending
