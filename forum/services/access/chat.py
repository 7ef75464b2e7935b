"""Access rules for channels and messages.

Cohort channels: that cohort's people plus global moderators and admins. Global channels: every
logged-in user. Direct channels: their members only. Anything unreadable raises NotFound, so a
private channel's existence is never revealed — pages, socket events and counts all ask here.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, or_, select

from forum.errors import NotFound
from forum.extensions import db
from forum.models import (
    Channel,
    ChannelKind,
    ChannelMember,
    Cohort,
    CohortMembership,
    CohortRestriction,
    CohortStatus,
    Message,
    User,
    utcnow,
)
from forum.services.access.core import (
    can_moderate_cohort,
    can_read_cohort,
    cohort_member_clause,
    global_moderator_clause,
    member_cohort_ids,
)
from forum.services.access.writing import read_only_error, require_can_write, restricted_error

__all__ = [
    "access_channel",
    "access_message",
    "access_own_message",
    "can_moderate_channel",
    "can_read_channel",
    "channel_audience_clause",
    "listed_channels_clause",
    "lock_channel",
]


def _authenticated(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _is_direct_member(user: User, channel_id: int) -> bool:
    return db.session.scalar(
        select(ChannelMember.id).where(
            ChannelMember.channel_id == channel_id,
            ChannelMember.user_id == user.id,
            ChannelMember.is_member.is_(True),
        )
    ) is not None


def _may_read(user: User, channel: Channel, in_cohort: Callable[[], bool],
              in_direct: Callable[[], bool]) -> bool:
    """The rule, given how to learn the two membership facts it may need."""
    if channel.kind == ChannelKind.GLOBAL.value:
        return True
    if channel.kind == ChannelKind.COHORT.value:
        return channel.cohort_id is not None and (user.is_global_moderator or in_cohort())
    return in_direct()


def can_read_channel(user: User | None, channel: Channel) -> bool:
    """Whether the user may read this channel and receive its live events."""
    if not _authenticated(user):
        return False
    return _may_read(user, channel, lambda: can_read_cohort(user, channel.cohort_id),
                     lambda: _is_direct_member(user, channel.id))


def can_moderate_channel(user: User | None, channel: Channel) -> bool:
    """Moderators of the cohort (or global moderators) may hide messages; nobody moderates DMs."""
    if channel.is_direct:
        return False
    return can_moderate_cohort(user, channel.cohort_id)


def access_channel(user: User | None, channel_id: int) -> Channel:
    """Fetch a channel the user may read, or raise NotFound (also for the anonymous)."""
    if not _authenticated(user):
        raise NotFound()
    channel = db.session.get(Channel, channel_id)
    if channel is None or not can_read_channel(user, channel):
        raise NotFound()
    return channel


def _lock_statement():
    """SELECT channel, in its cohort?, in its members? FOR UPDATE OF channels (built once)."""
    user_id = bindparam("user_id")
    in_cohort = exists().where(CohortMembership.user_id == user_id,
                               CohortMembership.cohort_id == Channel.cohort_id)
    in_direct = exists().where(ChannelMember.channel_id == Channel.id,
                               ChannelMember.user_id == user_id,
                               ChannelMember.is_member.is_(True))
    # The cohort's write facts ride along (see access.writing): archived read-only, and until
    # when the sender is restricted there. NULL for global and direct channels.
    read_only = exists().where(Cohort.id == Channel.cohort_id,
                               Cohort.status == CohortStatus.ALUMNI.value,
                               Cohort.read_only.is_(True))
    restricted_until = (select(CohortRestriction.until)
                        .where(CohortRestriction.user_id == user_id,
                               CohortRestriction.cohort_id == Channel.cohort_id)
                        .scalar_subquery())
    return (select(Channel, in_cohort, in_direct, read_only, restricted_until)
            .where(Channel.id == bindparam("channel_id"))
            .with_for_update(of=Channel).execution_options(populate_existing=True))


_LOCK = _lock_statement()


def lock_channel(user: User | None, channel_id: int) -> Channel:
    """access_channel in one statement that also takes the channel's row lock (FOR UPDATE).

    For writes ordered per channel (a chat send): the row comes back with the membership facts
    the same rule needs, so the check costs no query of its own, on every event. The write
    rules (access.writing: read-only archive, cohort restriction) come in the same row.
    """
    if not _authenticated(user):
        raise NotFound()
    row = db.session.execute(_LOCK, {"user_id": user.id, "channel_id": channel_id}).first()
    if row is None or not _may_read(user, row[0], lambda: row[1], lambda: row[2]):
        raise NotFound()
    channel, read_only, restricted_until = row[0], row[3], row[4]
    if restricted_until is not None and restricted_until > utcnow():
        raise restricted_error(restricted_until)
    if read_only and not can_moderate_cohort(user, channel.cohort_id):
        raise read_only_error()
    return channel


def access_message(user: User | None, message_id: object) -> tuple[Message, Channel]:
    """A message of a channel the user may read (hidden ones: its moderators only)."""
    if not _authenticated(user) or isinstance(message_id, bool) or not isinstance(message_id, int):
        raise NotFound()
    message = db.session.get(Message, message_id)
    if message is None:
        raise NotFound()
    channel = access_channel(user, message.channel_id)
    if message.hidden_at is not None and not can_moderate_channel(user, channel):
        raise NotFound()
    return message, channel


def access_own_message(user: User | None, message_id: int, *,
                       write: bool = False) -> tuple[Message, Channel]:
    """A message the user wrote, in a channel they may still read; NotFound otherwise.

    `write=True` (an edit) also needs the channel's cohort to take the user's writes (not
    archived read-only, no restriction there); deleting one's own message does not.
    """
    if not _authenticated(user):
        raise NotFound()
    message = db.session.get(Message, message_id)
    # A hidden message is out of its author's hands until a moderator restores it.
    if message is None or message.author_id != user.id or message.is_removed:
        raise NotFound()
    channel = access_channel(user, message.channel_id)
    if write:
        require_can_write(user, channel.cohort_id)
    return message, channel


def listed_channels_clause(user: User | None) -> ColumnElement[bool]:
    """Channels shown in the user's list: global, their own cohorts' channels, their DMs.

    Global moderators may open any cohort channel, but their list stays the one of a member.
    """
    if not _authenticated(user):
        return false()
    cohorts = sorted(member_cohort_ids(user))
    direct_member = exists().where(
        ChannelMember.channel_id == Channel.id,
        ChannelMember.user_id == user.id,
        ChannelMember.is_member.is_(True),
    )
    return or_(
        Channel.kind == ChannelKind.GLOBAL.value,
        and_(Channel.kind == ChannelKind.COHORT.value, Channel.cohort_id.in_(cohorts))
        if cohorts else false(),
        and_(Channel.kind == ChannelKind.DIRECT.value, direct_member),
    )


def channel_audience_clause(user_id) -> ColumnElement[bool]:
    """WHERE clause on Channel: whether the user (a column, e.g. each notification's recipient)
    may read the channel now, as `can_read_channel` decides it."""
    in_direct = exists().where(ChannelMember.channel_id == Channel.id,
                               ChannelMember.user_id == user_id,
                               ChannelMember.is_member.is_(True)).correlate_except(ChannelMember)
    in_cohort = and_(Channel.cohort_id.is_not(None),
                     or_(global_moderator_clause(user_id),
                         cohort_member_clause(user_id, Channel.cohort_id)))
    return or_(Channel.kind == ChannelKind.GLOBAL.value,
               and_(Channel.kind == ChannelKind.COHORT.value, in_cohort),
               and_(Channel.kind == ChannelKind.DIRECT.value, in_direct))
