"""API: channels, message history by cursor, sending (idempotent by `client_id`, exactly as the
socket's `message:send`: both call forum/services/chat.send_message), edits, read marks, DMs.
"""

from __future__ import annotations

from forum.api.auth import api_blueprint, api_user
from forum.api.chat_schemas import (
    MessageReactionsSchema,
    RepliesArgs,
    ReplySendSchema,
    ThreadRepliesSchema,
    ToThreadSchema,
)
from forum.api.discussions import HELD_NOTE, _thread_detail, decode_after, posting
from forum.api.present import HELD, user_brief, written
from forum.api.schemas import (
    ChannelSchema,
    CursorArgs,
    DirectChannelSchema,
    MessageEditSchema,
    MessageListSchema,
    MessageSchema,
    MessageSendSchema,
    ReadMarkSchema,
    ThreadDetailSchema,
)
from forum.services import chat, chat_reactions, chat_threads, chat_to_thread

blp = api_blueprint("Chat", __name__, "Chat channels and messages (live events: Socket.IO).")


def _channel(item: chat.ChannelItem) -> dict:
    channel = item.channel
    return {"id": channel.id, "kind": channel.kind, "name": channel.name, "title": item.title,
            "cohort_id": channel.cohort_id, "last_message_id": channel.last_message_id,
            "unread": item.unread, "members": [user_brief(u) for u in item.members]}


@blp.route("/channels", methods=["GET"])
@blp.response(200, ChannelSchema(many=True))
def channels():
    """My channels (cohort, global, direct) with unread counts."""
    return [_channel(item) for item in chat.channel_list(api_user())]


@blp.route("/channels/<id:channel_id>/messages", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, MessageListSchema)
def messages(args: dict, channel_id: int):
    """The newest messages, oldest first; `next_cursor` pages back to older ones."""
    before = decode_after(args.get("cursor")) or None
    rows = chat.history(api_user(), channel_id, before, limit=args["limit"] + 1)
    more = len(rows) > args["limit"]
    rows = rows[1:] if more else rows
    return {"messages": [chat.message_payload(m, m.author) for m in rows],
            "next_cursor": str(rows[0].id) if more and rows else None}


@blp.route("/channels/<id:channel_id>/messages", methods=["POST"])
@posting
@blp.arguments(MessageSendSchema)
@blp.response(201, MessageSchema)
@blp.alt_response(HELD, schema=MessageSchema, description=HELD_NOTE)
def send(data: dict, channel_id: int):
    """Send a message. Sending the same `client_id` again returns the first message (202
    `held` if the word filter held it)."""
    message = chat.send_message(api_user(), channel_id, data["body"], data["client_id"])
    return written(chat.message_payload(message), message.hidden_at is not None)


@blp.route("/channels/<id:channel_id>/read", methods=["POST"])
@blp.arguments(ReadMarkSchema)
@blp.response(204)
def mark_read(data: dict, channel_id: int):
    """Remember the newest message I have seen in a channel."""
    chat.mark_read(api_user(), channel_id, data.get("message_id"))


@blp.route("/messages/<id:message_id>", methods=["PATCH"])
@blp.arguments(MessageEditSchema)
@blp.response(200, MessageSchema)
def edit(data: dict, message_id: int):
    """Edit my message."""
    return chat.message_payload(chat.edit_message(api_user(), message_id, data["body"]))


@blp.route("/messages/<id:message_id>", methods=["DELETE"])
@blp.response(200, MessageSchema)
def delete(message_id: int):
    """Delete my message (its place stays, its text goes)."""
    return chat.message_payload(chat.delete_message(api_user(), message_id))


@blp.route("/direct-channels", methods=["POST"])
@blp.arguments(DirectChannelSchema)
@blp.response(200, ChannelSchema)
def open_direct(data: dict):
    """Open (or find) a conversation with these people."""
    user = api_user()
    channel = chat.open_direct_channel(user, data["usernames"])
    item = next((i for i in chat.channel_list(user) if i.channel.id == channel.id), None)
    if item is None:  # pragma: no cover - a channel the user just opened is in their list
        item = chat.ChannelItem(channel, chat.channel_title(user, channel))
    return _channel(item)



# --------------------------------------------------------------------------- reactions, threads


@blp.route("/messages/<id:message_id>/reactions/<emoji>", methods=["PUT"])
@blp.response(200, MessageReactionsSchema)
def add_reaction(message_id: int, emoji: str):
    """React to a message with one of the allowed emoji (idempotent); the channel hears
    `message:reactions`."""
    return chat_reactions.set_reaction(api_user(), message_id, emoji, True)


@blp.route("/messages/<id:message_id>/reactions/<emoji>", methods=["DELETE"])
@blp.response(200, MessageReactionsSchema)
def remove_reaction(message_id: int, emoji: str):
    """Take my reaction back (idempotent)."""
    return chat_reactions.set_reaction(api_user(), message_id, emoji, False)


@blp.route("/messages/<id:message_id>/replies", methods=["GET"])
@blp.arguments(RepliesArgs, location="query")
@blp.response(200, ThreadRepliesSchema)
def replies(args: dict, message_id: int):
    """A message's thread: the root and its replies after `after` (a channel seq), oldest
    first, at most 500."""
    return chat_threads.thread_replies(api_user(), message_id, args["after"])


@blp.route("/messages/<id:message_id>/replies", methods=["POST"])
@posting
@blp.arguments(ReplySendSchema)
@blp.response(201, MessageSchema)
@blp.alt_response(HELD, schema=MessageSchema, description=HELD_NOTE)
def reply(data: dict, message_id: int):
    """Reply in a message's thread (the same `client_id` again returns the first reply)."""
    message = chat_threads.send_reply(api_user(), message_id, data["body"], data["client_id"],
                                      also_to_channel=data["also_to_channel"])
    return written(message, message["deleted"])  # a new reply is removed only when held


@blp.route("/channels/<id:channel_id>/to-thread", methods=["POST"])
@posting
@blp.arguments(ToThreadSchema)
@blp.response(201, ThreadDetailSchema)
@blp.alt_response(HELD, schema=ThreadDetailSchema, description=HELD_NOTE)
def to_thread(data: dict, channel_id: int):
    """Start a forum thread quoting chat messages, with links back (409 `wider_audience`
    unless confirmed when more people can read the category than the channel)."""
    thread = chat_to_thread.make_thread(
        api_user(), channel_id, data["message_ids"], data["category_id"], data["title"],
        confirm_wider_audience=data["confirm_wider_audience"])
    return written(_thread_detail(thread.id), thread.hidden_at is not None)
