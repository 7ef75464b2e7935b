"""Turn a chat exchange into a forum thread: the chosen messages, quoted (author, time, text)
with links back to each, become the first post of a new thread in a category the person may
post in. A category whose audience is wider than the channel's (access.channel_space_audience,
the rule of thread moves) needs `confirm_wider_audience`; without it nothing is written and
Conflict `wider_audience` says who would gain access.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.models import Category, Channel, Message, Thread, User
from forum.services import access, chat, discussions

__all__ = ["MAX_MESSAGES", "ToThreadChoices", "make_thread", "postable_categories",
           "quote_messages", "to_thread_choices"]

MAX_MESSAGES = 50
NEIGHBOURS = 10  # messages offered before and after the chosen range
_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


@dataclass
class ToThreadChoices:
    """What the form offers: the channel, its messages around the range, and categories."""

    channel: Channel
    title: str
    messages: list[Message]
    selected: set[int]
    categories: list[Category]


def postable_categories(user: User) -> list[Category]:
    """Categories the user may read and start threads in, global first."""
    rows = db.session.scalars(
        select(Category).where(access.visible_categories_clause(user))
        .options(joinedload(Category.cohort))
        .order_by(Category.cohort_id.is_not(None), Category.position, Category.name)).all()
    return [c for c in rows if access.can_write_cohort(user, c.cohort_id)]


def _visible(query, user: User, channel: Channel):
    """Messages a quote may take: shown in the main log, not deleted or hidden."""
    return query.where(Message.channel_id == channel.id, Message.deleted_at.is_(None),
                       Message.hidden_at.is_(None), chat.IN_MAIN_LOG)


def to_thread_choices(user: User, channel_id: int, from_id: int | None,
                      to_id: int | None) -> ToThreadChoices:
    """The form's data: messages `from_id`..`to_id` chosen, NEIGHBOURS more on each side."""
    user = access.require_active(user)
    channel = access.access_channel(user, channel_id)
    if from_id is None:
        raise NotFound()
    to_id = from_id if to_id is None else to_id
    low, high = sorted((from_id, to_id))
    base = select(Message).options(joinedload(Message.author))
    chosen = list(db.session.scalars(_visible(base, user, channel).where(
        Message.id >= low, Message.id <= high).order_by(Message.seq).limit(MAX_MESSAGES)))
    if not chosen:
        raise NotFound()
    before = list(db.session.scalars(_visible(base, user, channel).where(
        Message.seq < chosen[0].seq).order_by(Message.seq.desc()).limit(NEIGHBOURS)))
    after = list(db.session.scalars(_visible(base, user, channel).where(
        Message.seq > chosen[-1].seq).order_by(Message.seq).limit(NEIGHBOURS)))
    first_line = chosen[0].body_source.strip().splitlines()[0] if chosen[0].body_source else ""
    return ToThreadChoices(channel, first_line[:120], [*reversed(before), *chosen, *after],
                           {m.id for m in chosen}, postable_categories(user))


def _quote(message: Message, channel: Channel) -> str:
    """One message as a Markdown quote: author, time (UTC), a link back, then its text."""
    name = message.author.display_name if message.author else _("deleted user")
    when = message.created_at.strftime("%Y-%m-%d %H:%M UTC")
    link = url_for("chat.channel", channel_id=channel.id, _anchor=f"m-{message.id}")
    head = f"**{name.translate(_MARKDOWN_SPECIALS)}** · [{when}]({link})"
    lines = [head, "", *message.body_source.splitlines()]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def quote_messages(messages: list[Message], channel: Channel) -> str:
    """The new thread's first post: each message quoted, oldest first."""
    heading = _("From the chat channel %(name)s:", name=channel.name)
    # The links are built with url_for, also outside a request (the CLI, tests).
    with nullcontext() if has_request_context() else current_app.test_request_context("/"):
        return "\n\n".join([heading, *(_quote(m, channel) for m in messages)])


def make_thread(user: User, channel_id: int, message_ids: list[int], category_id: int,
                title: str, *, confirm_wider_audience: bool = False) -> Thread:
    """Start a thread in `category_id` whose first post quotes the messages, with links back."""
    user = access.require_active(user)
    channel = access.access_channel(user, channel_id)
    ids = sorted({i for i in message_ids if isinstance(i, int) and not isinstance(i, bool)})
    if not ids:
        message = _("Choose at least one message.")
        raise Invalid(message, fields={"message_ids": message})
    if len(ids) > MAX_MESSAGES:
        message = _("A thread can quote at most %(n)d messages.", n=MAX_MESSAGES)
        raise Invalid(message, fields={"message_ids": message})
    messages = list(db.session.scalars(_visible(
        select(Message).options(joinedload(Message.author)), user, channel)
        .where(Message.id.in_(ids)).order_by(Message.seq)))
    if len(messages) != len(ids):
        raise NotFound()  # another channel's, removed, or none at all: nothing to reveal
    if not isinstance(category_id, int) or isinstance(category_id, bool):
        message = _("Choose a category.")
        raise Invalid(message, fields={"category_id": message})
    category = access.writable_category(user, category_id)
    audience = access.channel_space_audience(channel, category, user.id)
    if audience.widens and not confirm_wider_audience:
        raise Conflict(audience.warning, code="wider_audience",
                       fields={"confirm_wider_audience": audience.warning})
    body = quote_messages(messages, channel)
    return discussions.create_thread(user, category.id, title if isinstance(title, str) else "",
                                     body)
