"""Replies in thread inside chat (Slack/Zulip style): one level under a root message.

A reply is a message of the same channel with `thread_root_id` (forum/services/chat's send
path, idempotent by client_id): it takes the channel's next seq, so channel catch-up stays
gapless, and goes to the channel room as `message:new` like any message; `in_channel` false
("also send to channel" unchecked) keeps it out of the main log. After the commit the room also
gets `replies:summary` (the root's reply count and last reply time). A thread's history and
catch-up: `thread_replies` after a seq.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum.extensions import db
from forum.lib.realtime import broadcast, channel_room
from forum.models import Message, User
from forum.services import access, chat

__all__ = ["send_reply", "summary_payload", "thread_replies"]


def summary_payload(root: Message) -> dict:
    """The root's thread summary as the room hears it: `{channel_id, root_id, reply_count,
    last_reply_at}`."""
    return {"channel_id": root.channel_id, "root_id": root.id, "reply_count": root.reply_count,
            "last_reply_at": root.last_reply_at.isoformat() if root.last_reply_at else None}


def send_reply(user: User, root_id: object, body: object, client_id: object, *,
               also_to_channel: bool = False) -> dict:
    """Reply in the thread of `root_id`; the ack's Message (the same one on a retry).

    `also_to_channel` shows the reply in the main log too. Broadcasts `message:new` (the
    send) and then `replies:summary` to the channel room.
    """
    root, channel = access.access_message(user, root_id)
    payload = chat.send_message_payload(user, channel.id, body, client_id,
                                        thread_root_id=root.id,
                                        in_channel=bool(also_to_channel))
    # Counts are absolute, so a retry's repeated summary is harmless (and one query).
    db.session.refresh(root, ["reply_count", "last_reply_at"])
    broadcast("replies:summary", summary_payload(root), channel_room(channel.id))
    return payload


def thread_replies(user: User, root_id: object, after_seq: int = 0,
                   limit: int = chat.CATCH_UP_LIMIT) -> dict:
    """A thread after the client's position: `{channel_id, root, messages, has_more, last_seq}`.

    `root` is the root Message; `messages` its replies with a channel seq above `after_seq`
    (0: all), oldest first, at most `limit`; continue after `last_seq` while `has_more`. A
    reply's id resolves to its root's thread.
    """
    message, channel = access.access_message(user, root_id)
    root = message
    if message.thread_root_id is not None:
        root, channel = access.access_message(user, message.thread_root_id)
    query = (select(Message).options(joinedload(Message.author), selectinload(Message.reactions))
             .where(Message.thread_root_id == root.id, Message.seq > max(0, after_seq or 0)))
    if not access.can_moderate_channel(user, channel):
        query = query.where(Message.hidden_at.is_(None))
    limit = max(1, min(int(limit), chat.CATCH_UP_LIMIT))
    rows = list(db.session.scalars(query.order_by(Message.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"channel_id": channel.id,
            "root": chat.message_payload(root),
            "messages": [chat.message_payload(m, m.author) for m in rows],
            "has_more": more,
            "last_seq": rows[-1].seq if rows else max(0, after_seq or 0)}
