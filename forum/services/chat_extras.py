"""What a chat message carries besides its text: its reactions and its thread (as a root, its
reply count and last reply; as a reply, its root). Shared by the send path (forum/services/chat)
and the reactions and threads use cases, which build on it, so neither imports the other."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import Message, MessageReaction

__all__ = ["count_reply", "extras_payload", "load_reactions", "thread_root"]

_MESSAGES = Message.__table__


def load_reactions(messages: Iterable[Message]) -> None:
    """Load the reactions of the messages that lack them, in one query (none if all have)."""
    # The instance dict holds a loaded collection (the send path sets an empty one).
    missing = {m.id: m for m in messages if "reactions" not in m.__dict__}
    if not missing:
        return
    found: dict[int, list[MessageReaction]] = {message_id: [] for message_id in missing}
    for reaction in db.session.scalars(select(MessageReaction).where(
            MessageReaction.message_id.in_(sorted(missing))).order_by(MessageReaction.id)):
        found[reaction.message_id].append(reaction)
    for message_id, message in missing.items():
        set_committed_value(message, "reactions", found[message_id])


def extras_payload(message: Message) -> dict:
    """The thread and reaction fields of a message's socket/API representation."""
    load_reactions([message])
    return {
        "thread_root_id": message.thread_root_id,
        "in_channel": message.in_channel,
        "reply_count": message.reply_count,
        "last_reply_at": message.last_reply_at.isoformat() if message.last_reply_at else None,
        "reactions": message.reaction_groups,
    }


def thread_root(channel_id: int, root_id: object) -> Message:
    """The root a reply names: a message of the same channel, not removed, not itself a reply."""
    if isinstance(root_id, bool) or not isinstance(root_id, int) or root_id < 1:
        message = _("A reply needs the id of the message it replies to.")
        raise Invalid(message, fields={"thread_root_id": message})
    root = db.session.get(Message, root_id)
    if root is None or root.channel_id != channel_id or root.hidden_at is not None:
        raise NotFound()
    if root.thread_root_id is not None:
        message = _("Reply to the thread's first message: threads have one level.")
        raise Invalid(message, fields={"thread_root_id": message})
    if root.deleted_at is not None:
        message = _("This message was deleted.")
        raise Invalid(message, fields={"thread_root_id": message})
    return root


def count_reply(root: Message, at: datetime) -> None:
    """Count a new reply on its root (in the reply's transaction), and tell the loaded root."""
    count = db.session.execute(update(_MESSAGES).where(_MESSAGES.c.id == root.id).values(
        reply_count=_MESSAGES.c.reply_count + 1, last_reply_at=at)
        .returning(_MESSAGES.c.reply_count)).scalar_one()
    set_committed_value(root, "reply_count", count)
    set_committed_value(root, "last_reply_at", at)
