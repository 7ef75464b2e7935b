"""Use cases of live chat: channels, messages, direct conversations, read state, typing.

Every writer takes the acting user first: access check → validate → sanitize → write → ONE
commit → broadcast to the channel room after the commit, carrying the stored id. A message's
(author, client_id) is unique, so a retried send returns the first one and broadcasts nothing.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from sqlalchemy import bindparam, func, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Executable

from forum.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from forum.extensions import db
from forum.lib import socket_registry
from forum.lib.degraded import note_down, note_up, shared_state_errors
from forum.lib.fragments import render_fragment
from forum.lib.realtime import broadcast, channel_room, send_to_user
from forum.lib.redis_options import storage_options
from forum.lib.text import clean_text, render_chat
from forum.lib.upsert import insert_for
from forum.models import (
    Channel,
    ChannelKind,
    ChannelMember,
    Cohort,
    Message,
    User,
    utcnow,
)
from forum.services import (
    access,
    chat_extras,
    chat_sidebar,
    live_access,
    notifications,
    presence,
    uploads,
)
from forum.services.accounts import existing_usernames
from forum.services.moderation import automod
from forum.services.notifications.core import mentioned_names

HISTORY_PAGE = 50
CATCH_UP_LIMIT = 500  # a client further behind than this reloads history page by page
MAX_DIRECT_MEMBERS = 20
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
GROUP_SECONDS = 5 * 60  # messages of one author within this time share one header
TYPING_INTERVAL = 2  # seconds: at most one typing event per user and channel in that time
_SLUG_RE = re.compile(r"[^a-z0-9]+")

__all__ = [
    "ChannelItem",
    "ChannelPage",
    "channel_list",
    "channel_page",
    "channel_title",
    "create_channel",
    "delete_message",
    "edit_message",
    "history",
    "join_channel",
    "leave_channel",
    "mark_read",
    "message_payload",
    "messages_after",
    "new_client_id",
    "open_direct_channel",
    "send_message",
    "send_message_payload",
    "socket_connected",
    "socket_disconnected",
    "typing",
    "unread_counts",
]


# --------------------------------------------------------------------------- helpers


def new_client_id() -> str:
    """A fresh client id for forms sent without JavaScript."""
    return "form-" + secrets.token_urlsafe(12)


def _clean_body(body: object) -> str:
    """Validate a message body (non-empty, within CHAT_MAX_LENGTH) and return it trimmed."""
    if not isinstance(body, str):
        raise Invalid(_("Write something first."), fields={"body": _("This field is required.")})
    source = clean_text(body)
    limit = current_app.config["CHAT_MAX_LENGTH"]
    if not source:
        raise Invalid(_("Write something first."), fields={"body": _("This field is required.")})
    if len(source) > limit:
        message = _("A message can have at most %(n)d characters.", n=limit)
        raise Invalid(message, fields={"body": message}, code="too_long")
    return source


def _check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        message = _("A message needs a client id of at most 64 letters, digits or -_.:")
        raise Invalid(message, fields={"client_id": message})
    return client_id


def _render(source: str) -> str:
    return render_chat(source, resolve_mentions=existing_usernames).html


_limiters: dict[str, tuple[MovingWindowRateLimiter, FixedWindowRateLimiter]] = {}
_MEMORY = "memory://"
_RETRY_STORAGE_SECONDS = 5.0  # after a failure, this process counts in memory for this long
_storage_down_until: dict[str, float] = {}


def _limiter_pair(uri: str) -> tuple[MovingWindowRateLimiter, FixedWindowRateLimiter]:
    """Rate limiters on a storage: memory in one process, Redis across processes."""
    if uri not in _limiters:
        storage = storage_from_string(uri, **storage_options(uri))  # fails fast: memory then
        _limiters[uri] = (MovingWindowRateLimiter(storage), FixedWindowRateLimiter(storage))
    return _limiters[uri]


def _hit(which: int, item: RateLimitItemPerSecond, *keys: str) -> bool:
    """Count one hit on RATELIMIT_STORAGE_URI (0: the moving window, 1: the fixed one).

    With Redis down the limits still hold, per process (in memory), with a warning logged once;
    Redis is tried again every few seconds and takes over when it answers.
    """
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or _MEMORY
    if uri != _MEMORY and time.monotonic() >= _storage_down_until.get(uri, 0.0):
        try:
            allowed = _limiter_pair(uri)[which].hit(item, *keys)
        except shared_state_errors() as error:
            note_down("chat rate limits", error)
            _storage_down_until[uri] = time.monotonic() + _RETRY_STORAGE_SECONDS
        else:
            note_up("chat rate limits")
            return allowed
    return _limiter_pair(_MEMORY)[which].hit(item, *keys)


def _check_rate(user: User) -> None:
    """Flood control: at most CHAT_RATE_LIMIT = (count, seconds) messages per user."""
    count, seconds = current_app.config["CHAT_RATE_LIMIT"]
    item = RateLimitItemPerSecond(count, seconds)
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "commons:")
    if not _hit(0, item, prefix, "chat", str(user.id)):
        raise RateLimited(
            _("You are sending messages too fast: at most %(n)d every %(s)d seconds. "
              "Wait a moment, then send again.", n=count, s=seconds),
            retry_after=seconds, limit=count,
        )
    automod.check_new_member_rate(user, "chat")  # the stricter tier of a member's first days


def render_message_fragment(message: Message, author: User | None) -> str:
    """The viewer-neutral HTML of one message, as pages and live updates insert it."""
    chat_extras.load_reactions([message])  # no query when loaded (pages, a new message)
    return render_fragment("chat/_message.html", message=message, author=author)


def message_payload(message: Message, author: User | None = None) -> dict:
    """The socket representation of a message: ids, author, and the server-rendered HTML."""
    if author is None and message.author_id is not None:
        author = db.session.get(User, message.author_id)
    return {
        "id": message.id,
        "channel_id": message.channel_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "author": None if author is None else {
            "id": author.id, "username": author.username, "display_name": author.display_name,
        },
        "html": render_message_fragment(message, author),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.is_removed,
        **chat_extras.extras_payload(message),  # thread fields, reactions
    }


def _find_sent(author_id: int, client_id: str) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.author_id == author_id, Message.client_id == client_id)
    )


def _same_send(existing: Message, channel_id: int) -> Message:
    """A retry of an earlier send: the stored message, unless the id was used elsewhere."""
    if existing.channel_id != channel_id:
        raise Conflict(_("This client id was already used for another message."),
                       code="client_id_reused")
    return existing


# --------------------------------------------------------------------------- messages


def send_message(user: User, channel_id: int, body: object, client_id: object, *,
                 thread_root_id: int | None = None, in_channel: bool = True) -> Message:
    """Store a message once per (author, client_id), then broadcast `message:new` to its room.

    With `thread_root_id` it is a reply in that message's thread (see chat_threads)."""
    return _send(user, channel_id, body, client_id, thread_root_id, in_channel)[0]


def send_message_payload(user: User, channel_id: int, body: object, client_id: object, *,
                         thread_root_id: int | None = None, in_channel: bool = True) -> dict:
    """Like send_message, returning the socket payload: the one broadcast, rendered once."""
    message, payload = _send(user, channel_id, body, client_id, thread_root_id, in_channel)
    return payload if payload is not None else message_payload(message)


def _retry(user: User, channel_id: int, client_id: str) -> tuple[Message, None] | None:
    """The earlier send with this client id, as a retry returns it (None: there is none)."""
    existing = _find_sent(user.id, client_id)
    return None if existing is None else (_same_send(existing, channel_id), None)


_CHANNELS = Channel.__table__
# The channel's position moves in the UPDATE a send already made (no statement of its own):
# last_seq to the message's seq, and last_message_id unless the message is held for review.
_SET_LAST = (update(_CHANNELS).where(_CHANNELS.c.id == bindparam("channel_id"))
             .values(last_message_id=bindparam("message_id"), last_seq=bindparam("seq")))
_SET_SEQ = (update(_CHANNELS).where(_CHANNELS.c.id == bindparam("channel_id"))
            .values(last_seq=bindparam("seq")))
_INSERTED = ("channel_id", "author_id", "client_id", "body_source", "body_html",
             "thread_root_id", "in_channel")
_INSERTS: dict[str, Executable] = {}


def _insert_statement(dialect: str) -> Executable:
    """INSERT a message ... ON CONFLICT (author_id, client_id) DO NOTHING RETURNING id,
    created_at and seq; built once per dialect (a statement costs more to build than to run).

    The seq is the channel's last_seq + 1, read inside the INSERT itself: under the row lock
    taken by lock_channel on PostgreSQL, and under SQLite's write lock (taken by this very
    statement, which sees the latest commit), so two senders never draw the same number.
    """
    if dialect not in _INSERTS:
        table = Message.__table__
        next_seq = (select(_CHANNELS.c.last_seq + 1)
                    .where(_CHANNELS.c.id == bindparam("channel_id")).scalar_subquery())
        _INSERTS[dialect] = (
            insert_for(dialect, table)
            .values({**{name: bindparam(name) for name in _INSERTED}, "seq": next_seq})
            .on_conflict_do_nothing(index_elements=[table.c.author_id, table.c.client_id])
            .returning(table.c.id, table.c.created_at, table.c.seq)
        )
    return _INSERTS[dialect]


def _insert(user: User, channel_id: int, client_id: str, source: str, html: str,
            thread_root_id: int | None = None, in_channel: bool = True) -> Message | None:
    """INSERT the message; None when (author, client_id) is taken (a retry), without an error.

    ON CONFLICT DO NOTHING on that unique constraint (both PostgreSQL and SQLite): a retry
    neither aborts the transaction nor logs a duplicate-key error on the server. A Core insert
    (the ORM's flush or ORM insert cost several times more), then the Message is put in the
    session as the stored row it is, with no second query.
    """
    values = {"channel_id": channel_id, "author_id": user.id, "client_id": client_id,
              "body_source": source, "body_html": html, "thread_root_id": thread_root_id,
              "in_channel": in_channel}
    connection = db.session.connection()
    row = connection.execute(_insert_statement(connection.dialect.name), values).first()
    if row is None:
        return None
    message = Message(id=row.id, seq=row.seq, created_at=row.created_at, edited_at=None,
                      deleted_at=None, hidden_at=None, reply_count=0, last_reply_at=None,
                      reactions=[], **values)
    make_transient_to_detached(message)  # as if loaded: persistent once added, nothing to flush
    db.session.add(message)
    return message


def _send(user: User, channel_id: int, body: object, client_id: object,
          thread_root_id: int | None = None,
          in_channel: bool = True) -> tuple[Message, dict | None]:
    """The send path: (message, its broadcast payload), or (earlier message, None) on a retry.

    No lookup by client_id first: the (author, client_id) unique constraint decides, so a new
    message costs no extra query and a retry is found when its insert does nothing.
    """
    user = access.require_active(user)
    # The permission check, the channel row and its lock in one statement. The lock is taken
    # before the insert draws its id: across processes (PostgreSQL; SQLite has one writer) it
    # orders the commits, and clients order by id and catch up by last id, so nothing is missed.
    channel = access.lock_channel(user, channel_id)
    client_id = _check_client_id(client_id)
    root = None
    try:
        if thread_root_id is not None:  # a reply in a thread: its root, under the same lock
            root = chat_extras.thread_root(channel_id, thread_root_id)
        _check_rate(user)
        source = _clean_body(body)
        held = automod.screen(source)
    except (RateLimited, Invalid):
        # A retry is never refused (by the flood limit, or a word list changed since): it
        # only repeats the ack of what was already stored. (Rolled back: the row lock goes.)
        db.session.rollback()
        if (retry := _retry(user, channel_id, client_id)) is not None:
            return retry
        raise
    html = _render(source)
    # Within a process, one sender per channel from insert to broadcast, so `message:new` leaves
    # in id order (taken after the row lock, always in that order: no deadlock between them).
    with _channel_lock(channel_id):
        message = _insert(user, channel_id, client_id, source, html,
                          root.id if root else None, in_channel or root is None)
        if message is None:
            # Sent before (a retry), or the same client_id raced in from another socket or
            # process: return the stored one, with no second broadcast.
            db.session.rollback()
            if (retry := _retry(user, channel_id, client_id)) is not None:
                return retry
            raise Conflict(_("This client id was already used for another message."),
                           code="client_id_reused")
        if held:
            # Held for review: stored hidden, only its author's ack hears of it. It keeps its
            # seq (readers see a jump, ask, and get nothing: the position still moves on).
            db.session.execute(_SET_SEQ, {"channel_id": channel_id, "seq": message.seq})
            automod.hold_new("message", message, channel.cohort_id, held)
        else:
            # A plain UPDATE (the ORM's flush of one changed attribute costs several times
            # more); the loaded channel is told the value, so it is not left stale.
            db.session.execute(_SET_LAST, {"channel_id": channel_id, "message_id": message.id,
                                           "seq": message.seq})
            set_committed_value(channel, "last_message_id", message.id)
            if root is not None:
                chat_extras.count_reply(root, message.created_at)
        set_committed_value(channel, "last_seq", message.seq)
        uploads.attach_to_message(message)  # no query unless the text links a /files/ upload
        payload = message_payload(message, user)
        # Built before the commit, which expires the message (reading it after costs a query).
        activity = chat_sidebar.activity_payload(message, mentioned_names(html))
        pending = None if held else notifications.notify_message(user, channel, message)
        db.session.commit()
        if not held:
            broadcast("message:new", payload, channel_room(channel_id))
            # Sidebars: one light emit to the channel's activity room, whoever listens.
            chat_sidebar.broadcast_activity(activity)
    notifications.deliver(pending)
    return message, payload


_locks_guard = threading.Lock()
_channel_locks: dict[int, threading.Lock] = {}


def _channel_lock(channel_id: int) -> threading.Lock:
    """The in-process send lock of a channel (gevent-aware once gunicorn's worker patches)."""
    with _locks_guard:
        return _channel_locks.setdefault(channel_id, threading.Lock())


def edit_message(user: User, message_id: int, body: object) -> Message:
    """Change the text of one's own message and broadcast `message:edited`."""
    user = access.require_active(user)
    message, channel = access.access_own_message(user, message_id, write=True)
    source = _clean_body(body)
    held = automod.screen(source)
    previous_html = message.body_html
    message.body_source = source
    message.body_html = _render(source)
    message.edited_at = utcnow()
    uploads.attach_to_message(message)
    if held:
        automod.hold_new("message", message, channel.cohort_id, held)
    pending = None if held else notifications.notify_message_edit(user, channel, message,
                                                                  previous_html)
    db.session.commit()
    if held:
        broadcast("message:hidden", {"id": message.id, "channel_id": channel.id,
                                     "seq": message.seq}, channel_room(channel.id))
        return message
    broadcast("message:edited", message_payload(message, user), channel_room(channel.id))
    notifications.deliver(pending)
    return message


def delete_message(user: User, message_id: int) -> Message:
    """Delete one's own message (its place stays, its text goes) and broadcast `message:deleted`."""
    user = access.require_login(user)
    message, channel = access.access_own_message(user, message_id)
    message.deleted_at = utcnow()
    message.body_source = ""
    message.body_html = ""
    db.session.commit()
    broadcast("message:deleted", message_payload(message, user), channel_room(channel.id))
    return message


# What the main log shows: messages and the thread replies also sent to the channel.
IN_MAIN_LOG = or_(Message.thread_root_id.is_(None), Message.in_channel.is_(True))


def history(user: User, channel_id: int, before_id: int | None = None,
            limit: int = HISTORY_PAGE) -> list[Message]:
    """Up to `limit` messages before `before_id` (newest page when None), oldest first.

    Keyset on the (channel_id, id) index: as fast on page 20 000 as on page 1.
    """
    channel = access.access_channel(user, channel_id)
    limit = max(1, min(int(limit), 200))
    # Reactions joined in the same statement (a page stays within its query budget); the
    # message LIMIT applies before the join (SQLAlchemy nests it), so a page is still 50.
    query = (select(Message).options(joinedload(Message.author), joinedload(Message.reactions))
             .where(Message.channel_id == channel_id, IN_MAIN_LOG))
    if not access.can_moderate_channel(user, channel):
        query = query.where(Message.hidden_at.is_(None))  # hidden: gone for all but moderators
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = list(db.session.scalars(query.order_by(Message.id.desc()).limit(limit)).unique())
    rows.reverse()
    return rows


def messages_after(user: User, channel_id: int, after_id: int | None,
                   limit: int = CATCH_UP_LIMIT, *, after_seq: int | None = None) -> list[Message]:
    """Messages after the client's position (`after_seq`, else `after_id`), oldest first: what
    a reconnecting client missed. With neither, the newest page, like history."""
    channel = access.access_channel(user, channel_id)
    # Thread-only replies included: they hold seqs of the channel (a client keeps them out of
    # its main log by `in_channel`), so a catch-up has no hole.
    query = (select(Message).options(joinedload(Message.author), selectinload(Message.reactions))
             .where(Message.channel_id == channel_id))
    if not access.can_moderate_channel(user, channel):
        query = query.where(Message.hidden_at.is_(None))  # a catch-up never brings it back
    if after_seq is not None:
        query = query.where(Message.seq > after_seq)
    elif after_id is not None:
        query = query.where(Message.id > after_id)
    elif limit:
        return history(user, channel_id, limit=min(limit, HISTORY_PAGE))
    # seq and id grow together within a channel (both drawn under the channel's lock).
    return list(db.session.scalars(query.order_by(Message.seq).limit(limit)))


def catch_up(user: User, channel_id: int, after_id: int | None = None,
             after_seq: int | None = None) -> dict:
    """One page of what a client missed: `{channel_id, messages, has_more, last_seq}`.

    Oldest first after the client's position, at most CATCH_UP_LIMIT. `last_seq` is the
    position the page brings the client to (hidden messages' numbers included): continue from
    it while `has_more`; after the last page every seq up to it is accounted for, so a later
    live message whose seq is beyond last_seq + 1 reveals a gap.
    """
    # The channel's position is read BEFORE the messages: whatever it counts was committed
    # before the query, so the query returns it (unless hidden).
    position = access.access_channel(user, channel_id).last_seq
    missed = messages_after(user, channel_id, after_id, CATCH_UP_LIMIT + 1, after_seq=after_seq)
    more = len(missed) > CATCH_UP_LIMIT
    missed = missed[:CATCH_UP_LIMIT]
    if more:
        position = missed[-1].seq
    elif missed:
        position = max(position, missed[-1].seq)
    return {"channel_id": channel_id, "messages": [message_payload(m, m.author) for m in missed],
            "has_more": more, "last_seq": position}


# --------------------------------------------------------------------------- channels


@dataclass
class ChannelItem:
    """A line of the channel list."""

    channel: Channel
    title: str
    unread: int = 0  # at most UNREAD_CAP + 1, which lists show as "99+"
    members: list[User] = field(default_factory=list)

    @property
    def unread_capped(self) -> bool:
        """Whether there are more unread messages than the list counts ("99+")."""
        return self.unread > UNREAD_CAP


def _direct_members(channel_ids: list[int]) -> dict[int, list[User]]:
    if not channel_ids:
        return {}
    rows = db.session.execute(
        select(ChannelMember.channel_id, User).join(User, User.id == ChannelMember.user_id)
        .where(ChannelMember.channel_id.in_(channel_ids), ChannelMember.is_member.is_(True))
        .order_by(User.display_name)
    ).all()
    members: dict[int, list[User]] = {}
    for channel_id, person in rows:
        members.setdefault(channel_id, []).append(person)
    return members


def _title(user: User, channel: Channel, members: list[User],
           cohort_names: dict[int, str]) -> str:
    if channel.is_direct:
        others = [m.display_name for m in members if m.id != user.id]
        return ", ".join(others) or _("Just you")
    if channel.cohort_id is not None and channel.cohort_id in cohort_names:
        return f"{cohort_names[channel.cohort_id]} · {channel.name}"
    return channel.name


def channel_title(user: User, channel: Channel) -> str:
    """How a channel is named for this user (DMs are named after the other people)."""
    members = _direct_members([channel.id]).get(channel.id, []) if channel.is_direct else []
    names = {}
    if channel.cohort_id is not None:
        cohort = db.session.get(Cohort, channel.cohort_id)
        names = {cohort.id: cohort.name} if cohort else {}
    return _title(user, channel, members, names)


UNREAD_CAP = 99  # lists say "99+" beyond this, so counting can stop there
_UNREAD_BATCH = 200  # channels per query (SQLite allows 500 terms in a compound select)


def unread_counts(user: User, channel_ids: list[int]) -> dict[int, int]:
    """Unread messages per channel (omitted when none), counted up to UNREAD_CAP + 1 only;
    one query per _UNREAD_BATCH channels (the channel list, the home page's cohort strip)."""
    unread: dict[int, int] = {}
    for start in range(0, len(channel_ids), _UNREAD_BATCH):
        unread.update(_unread_counts(user, channel_ids[start:start + _UNREAD_BATCH]))
    return unread


def _unread_counts(user: User, channel_ids: list[int]) -> dict[int, int]:
    """Unread messages per channel, counted up to UNREAD_CAP + 1 only.

    A plain COUNT reads every unread row (at a million messages, hundreds of thousands for a
    member back from leave); each channel's count here is a LIMITed range scan on the
    (channel_id, id) index after the read marker, so the list costs the same at any size.
    """
    counts = []
    for channel_id in channel_ids:
        read = select(ChannelMember.last_read_message_id).where(
            ChannelMember.channel_id == channel_id,
            ChannelMember.user_id == user.id).scalar_subquery()
        newest = (
            select(Message.id)
            .where(Message.channel_id == channel_id, Message.id > func.coalesce(read, 0),
                   Message.deleted_at.is_(None), Message.hidden_at.is_(None), IN_MAIN_LOG,
                   or_(Message.author_id.is_(None), Message.author_id != user.id))
            .order_by(Message.id).limit(UNREAD_CAP + 1).subquery()
        )
        counts.append(select(literal(channel_id), func.count()).select_from(newest))
    if not counts:
        return {}
    statement = counts[0] if len(counts) == 1 else union_all(*counts)
    return {channel_id: n for channel_id, n in db.session.execute(statement).all() if n}


def channel_list(user: User) -> list[ChannelItem]:
    """The user's channels (cohort, global, direct) with unread counts, in four queries."""
    user = access.require_login(user)
    channels = list(db.session.scalars(
        select(Channel).where(access.listed_channels_clause(user))
        .order_by(Channel.kind, Channel.name, Channel.id)
    ))
    unread = unread_counts(user, [c.id for c in channels])
    members = _direct_members([c.id for c in channels if c.is_direct])
    cohort_ids = {c.cohort_id for c in channels if c.cohort_id is not None}
    cohort_names = dict(db.session.execute(
        select(Cohort.id, Cohort.name).where(Cohort.id.in_(sorted(cohort_ids)))
    ).all()) if cohort_ids else {}
    return [ChannelItem(c, _title(user, c, members.get(c.id, []), cohort_names),
                        unread.get(c.id, 0), members.get(c.id, [])) for c in channels]


def _slugify(name: str) -> str:
    return _SLUG_RE.sub("-", name.lower()).strip("-")[:60] or "channel"


def create_channel(user: User, name: str, cohort_id: int | None = None) -> Channel:
    """A cohort channel (by its facilitators or moderators) or a global one (by moderators)."""
    user = access.require_active(user)
    if cohort_id is not None:
        access.access_cohort(user, cohort_id)
    if not access.can_moderate_cohort(user, cohort_id):
        raise Forbidden()
    name = clean_text(name)
    if not 2 <= len(name) <= 80:
        message = _("A channel name has 2 to 80 characters.")
        raise Invalid(message, fields={"name": message})
    base = (f"c{cohort_id}-" if cohort_id else "") + _slugify(name)
    slug = base
    while db.session.scalar(select(Channel.id).where(Channel.slug == slug)) is not None:
        slug = f"{base}-{secrets.token_hex(2)}"
    channel = Channel(kind=(ChannelKind.COHORT if cohort_id else ChannelKind.GLOBAL).value,
                      cohort_id=cohort_id, name=name, slug=slug)
    db.session.add(channel)
    db.session.commit()
    return channel


def open_direct_channel(user: User, usernames: list[str]) -> Channel:
    """Open a conversation with these people: 1:1 reuses the existing one, groups are new."""
    user = access.require_active(user)
    wanted = {u.strip().lstrip("@").lower() for u in usernames if u and u.strip()}
    wanted.discard(user.username.lower())
    if not wanted:
        message = _("Choose at least one other person.")
        raise Invalid(message, fields={"usernames": message})
    if len(wanted) > MAX_DIRECT_MEMBERS - 1:
        message = _("A conversation has at most %(n)d people.", n=MAX_DIRECT_MEMBERS)
        raise Invalid(message, fields={"usernames": message})
    others = list(db.session.scalars(
        select(User).where(func.lower(User.username).in_(sorted(wanted)),
                           User.banned_at.is_(None))
    ))
    if len(others) != len(wanted):
        raise NotFound(_("No such person."))
    ids = sorted([user.id, *(o.id for o in others)])
    if len(ids) == 2:
        slug = f"dm-{ids[0]}-{ids[1]}"
        found = db.session.scalar(select(Channel).where(Channel.slug == slug))
        if found is not None:
            return found
    else:
        slug = f"group-{secrets.token_hex(8)}"
    channel = Channel(kind=ChannelKind.DIRECT.value, name=", ".join(
        sorted(o.display_name for o in others))[:120], slug=slug)
    db.session.add(channel)
    try:
        db.session.flush()
        for member_id in ids:
            db.session.add(ChannelMember(channel_id=channel.id, user_id=member_id,
                                         is_member=True))
        db.session.commit()
    except IntegrityError:
        # Both people opened their 1:1 at the same moment: use the one that won.
        db.session.rollback()
        found = db.session.scalar(select(Channel).where(Channel.slug == slug))
        if found is None:
            raise
        return found
    # After the commit: every member's open sidebars list the new conversation at once.
    for member_id in ids:
        send_to_user(member_id, "chat:listed", {"channel_id": channel.id})
    return channel


def mark_read(user: User, channel_id: int, message_id: int | None = None) -> int | None:
    """Remember the newest message the user has seen in a channel (never moves backwards);
    returns the marker as it was before (None: the channel was never opened)."""
    user = access.require_login(user)
    channel = access.access_channel(user, channel_id)
    message_id = message_id if message_id is not None else channel.last_message_id
    if message_id is None:
        return None
    message_id = min(message_id, channel.last_message_id or message_id)
    row = db.session.scalar(select(ChannelMember).where(
        ChannelMember.channel_id == channel_id, ChannelMember.user_id == user.id))
    previous = row.last_read_message_id if row is not None else None
    if row is None:
        db.session.add(ChannelMember(channel_id=channel_id, user_id=user.id,
                                     last_read_message_id=message_id))
    elif (row.last_read_message_id or 0) < message_id:
        row.last_read_message_id = message_id
    else:
        return previous
    try:
        db.session.commit()
    except IntegrityError:  # two tabs marked it at once; either value is fine
        db.session.rollback()
    return previous


# --------------------------------------------------------------------------- live sockets


def join_channel(user: User, channel_id: int, after_id: int | None, sid: str,
                 after_seq: int | None = None) -> dict:
    """Subscribe a socket to a channel: join the room FIRST, then catch up after the client's
    position (`after_seq`, else `after_id`): see catch_up.

    Joining first means a message committed meanwhile arrives live and in the catch-up; the
    client de-duplicates by id, so nothing falls in the gap between the two.
    """
    live_access.join_channel(user, channel_id, sid)
    page = catch_up(user, channel_id, after_id, after_seq)
    presence.joined(user.id, channel_id, sid)
    return {**page, "presence": presence.online_users(channel_id)}


def leave_channel(user: User, channel_id: int, sid: str) -> None:
    """Unsubscribe a socket from a channel (no permission needed to stop listening)."""
    socket_registry.unsubscribe(sid, channel_room(channel_id))
    presence.left([channel_id], sid)


def typing(user: User, channel_id: int, sid: str) -> bool:
    """Tell the others in the room that the user is typing; throttled, never stored."""
    user = access.require_active(user)
    access.access_channel(user, channel_id)
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "commons:")
    item = RateLimitItemPerSecond(1, TYPING_INTERVAL)
    if not _hit(1, item, prefix, "typing", str(user.id), str(channel_id)):
        return False
    broadcast("typing", {"channel_id": channel_id, "user": {
        "id": user.id, "username": user.username, "display_name": user.display_name}},
        channel_room(channel_id), skip_sid=sid)
    return True


def socket_connected(user: User, sid: str) -> None:
    """Register a new authenticated socket of the user."""
    socket_registry.connected(user.id, sid)
    presence.connected(user.id, sid)


def socket_disconnected(user_id: int | None, sid: str) -> None:
    """Forget a socket and update presence in the channels it was in."""
    rooms = socket_registry.disconnected(user_id, sid)
    presence.disconnected(user_id, sid)
    presence.left(sorted(int(room.split(":", 1)[1]) for room in rooms
                         if room.startswith("channel:")), sid)


# --------------------------------------------------------------------------- pages


@dataclass
class ChannelPage:
    """What the chat page shows: the channel, its title, one page of messages, the sidebar."""

    channel: Channel
    title: str
    messages: list[Message]
    has_older: bool
    sidebar: list[chat_sidebar.SidebarItem] = field(default_factory=list)
    first_unread_id: int | None = None  # where the "new messages" divider goes


def channel_page(user: User, channel_id: int, before_id: int | None = None) -> ChannelPage:
    """A page of a channel (the newest 50 by default), marking the newest page as read, with
    the workspace's sidebar (one statement for every channel and its counts)."""
    previous = None
    if before_id is None:
        # Mark read first: the commit expires loaded objects, and the page's messages must keep
        # their eagerly loaded authors for rendering.
        previous = mark_read(user, channel_id)
    channel = access.access_channel(user, channel_id)
    rows = history(user, channel_id, before_id, limit=HISTORY_PAGE + 1)
    has_older = len(rows) > HISTORY_PAGE
    rows = rows[1:] if has_older else rows
    items = chat_sidebar.sidebar(user)
    listed = next((item for item in items if item.id == channel.id), None)
    # A global moderator may open a cohort channel their list does not show: named apart.
    title = listed.title if listed is not None else channel_title(user, channel)
    first_unread = None if previous is None else next(
        (m.id for m in rows if m.id > previous and m.author_id != user.id), None)
    return ChannelPage(channel, title, rows, has_older, items, first_unread)
