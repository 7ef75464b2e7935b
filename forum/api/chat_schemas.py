"""Schemas of the chat reactions, replies-in-thread and chat-to-thread API (forum/api/chat)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from forum.api.schemas import CHAT_BODY, ID, MessageSchema, text
from forum.models import REACTION_EMOJI


class ReactionGroupSchema(ma.Schema):
    """One emoji on a message: how many, and who (each viewer marks its own)."""

    emoji = fields.String(required=True, metadata={"enum": list(REACTION_EMOJI)})
    count = fields.Integer(required=True)
    user_ids = fields.List(fields.Integer(), required=True)


class MessageReactionsSchema(ma.Schema):
    """A message's reactions after a change (the same as the socket's `message:reactions`)."""

    message_id = fields.Integer(required=True)
    channel_id = fields.Integer(required=True)
    reactions = fields.List(fields.Nested(ReactionGroupSchema), required=True)


class RepliesArgs(ma.Schema):
    """The client's position in a thread: the channel seq of the last reply it holds."""

    class Meta:
        unknown = ma.RAISE

    after = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1), metadata={
        "description": "return replies with a channel `seq` above this (0: from the start)"})


class ThreadRepliesSchema(ma.Schema):
    """A chat thread: its root and replies oldest first; continue after `last_seq` while
    `has_more` (the same as the socket's `replies:since`)."""

    channel_id = fields.Integer(required=True)
    root = fields.Nested(MessageSchema, required=True)
    messages = fields.List(fields.Nested(MessageSchema), required=True)
    has_more = fields.Boolean(required=True)
    last_seq = fields.Integer(required=True)


class ReplySendSchema(ma.Schema):
    """A reply in a thread; `client_id` makes a retry return the first reply, not a twin."""

    class Meta:
        unknown = ma.RAISE

    body = text(1, None, required=True, metadata={"description": CHAT_BODY})
    client_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,64}$"))
    also_to_channel = fields.Boolean(load_default=False, metadata={
        "description": "also show the reply in the channel's main log"})


class ToThreadSchema(ma.Schema):
    """Chat messages to quote in a new forum thread."""

    class Meta:
        unknown = ma.RAISE

    message_ids = fields.List(fields.Integer(**ID), required=True,
                              validate=validate.Length(1, 50))
    category_id = fields.Integer(required=True, **ID)
    title = text(3, 200, required=True)
    confirm_wider_audience = fields.Boolean(load_default=False, metadata={
        "description": "required (else 409 `wider_audience`, nothing written) when more "
                       "people can read the category than the channel"})
