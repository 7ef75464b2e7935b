"""Reactions on chat messages: one emoji of a small fixed set, once per person and message,
live for everyone in the channel (`message:reactions`, after the commit).

Setting is idempotent (`on` true twice stores one row; false twice removes nothing), so a
retried event or API call never counts twice. Every write re-checks access with the channel's
row lock (lock_channel): outsiders get NotFound, an archived read-only cohort refuses.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from limits import RateLimitItemPerSecond
from sqlalchemy import delete, select

from forum.errors import Invalid, NotFound, RateLimited
from forum.extensions import db
from forum.lib.realtime import broadcast, channel_room
from forum.lib.upsert import insert_for
from forum.models import REACTION_EMOJI, Message, MessageReaction, User, group_reactions, utcnow
from forum.services import access, chat

__all__ = ["REACTION_EMOJI", "clean_emoji", "set_reaction", "toggle_reaction"]

DEFAULT_RATE = (30, 10)  # reactions per seconds, per user (CHAT_REACTION_RATE_LIMIT)
# "❤" and "❤️" are the same heart: compare without the emoji presentation selector.
_BY_BASE = {emoji.replace("\ufe0f", ""): emoji for emoji in REACTION_EMOJI}


def clean_emoji(emoji: object) -> str:
    """The allowed emoji `emoji` names (with or without U+FE0F), or Invalid."""
    found = _BY_BASE.get(emoji.replace("\ufe0f", "")) if isinstance(emoji, str) else None
    if found is None:
        message = _("Choose one of these reactions: %(list)s", list=" ".join(REACTION_EMOJI))
        raise Invalid(message, fields={"emoji": message})
    return found


def _check_rate(user: User) -> None:
    count, seconds = current_app.config.get("CHAT_REACTION_RATE_LIMIT", DEFAULT_RATE)
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "commons:")
    # The chat flood limiter's storage (Redis across processes, memory while Redis is down).
    if not chat._hit(0, RateLimitItemPerSecond(count, seconds), prefix, "reaction",
                     str(user.id)):
        raise RateLimited(_("You are reacting too fast. Wait a moment, then try again."),
                          retry_after=seconds, limit=count)


def _groups(message_id: int) -> list[dict]:
    return group_reactions(db.session.execute(
        select(MessageReaction.emoji, MessageReaction.user_id)
        .where(MessageReaction.message_id == message_id).order_by(MessageReaction.id)).all())


def _mine(user: User, message_id: int, emoji: str) -> bool:
    return db.session.scalar(select(MessageReaction.id).where(
        MessageReaction.message_id == message_id, MessageReaction.user_id == user.id,
        MessageReaction.emoji == emoji)) is not None


def set_reaction(user: User, message_id: int, emoji: object, on: bool = True) -> dict:
    """Add (`on`) or remove the user's emoji on a message; broadcast the new counts if changed.

    Returns `{message_id, channel_id, reactions: [{emoji, count, user_ids}]}` (the broadcast
    is shared by every viewer: each marks its own from `user_ids`).
    """
    user = access.require_active(user)
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None:
        raise NotFound()
    channel = access.lock_channel(user, message.channel_id)  # read, write rules, row lock
    if message.is_removed:
        raise NotFound()
    emoji = clean_emoji(emoji)
    try:
        _check_rate(user)
    except RateLimited:
        db.session.rollback()  # the row lock goes
        raise
    table = MessageReaction.__table__
    if on:
        connection = db.session.connection()
        changed = connection.execute(
            insert_for(connection.dialect.name, table)
            .values(message_id=message.id, user_id=user.id, emoji=emoji,
                    created_at=utcnow())
            .on_conflict_do_nothing(index_elements=[table.c.message_id, table.c.user_id,
                                                    table.c.emoji])
            .returning(table.c.id)).first() is not None
    else:
        # RETURNING rather than rowcount: drivers differ on the rowcount of a conflict.
        changed = db.session.execute(delete(table).where(
            table.c.message_id == message.id, table.c.user_id == user.id,
            table.c.emoji == emoji).returning(table.c.id)).first() is not None
    db.session.commit()
    payload = {"message_id": message_id, "channel_id": channel.id,
               "reactions": _groups(message_id)}
    if changed:
        broadcast("message:reactions", payload, channel_room(payload["channel_id"]))
    return payload


def toggle_reaction(user: User, message_id: int, emoji: object,
                    on: bool | None = None) -> dict:
    """set_reaction with `on` given, or flipped from the user's current state when None."""
    if on is None:
        user = access.require_active(user)
        on = not _mine(user, message_id, clean_emoji(emoji))
    return set_reaction(user, message_id, emoji, on)
