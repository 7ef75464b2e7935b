"""The chat workspace's sidebar: every listed channel with its unread and mention counts, in ONE
statement, and the light `chat:activity` stream that keeps it current.

Live updates go to one activity room per channel (`activity:<id>`), not to each reader's
personal room: a message in a global channel read by N people would otherwise cost N emits
(N Redis publishes with several processes) on the send path; here it costs one, whatever the
audience. A sidebar joins the activity rooms of the channels it lists (`chat:watch`), with the
same check-join-check as a channel room, and live_access evicts it from a room whose channel
it may no longer read, so a channel's activity never reaches a non-reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.lib import socket_registry
from forum.lib.realtime import activity_room, broadcast
from forum.models import Channel, ChannelMember, ChannelMute, Cohort, Message, User
from forum.models.notification import Notification, NotificationKind
from forum.services import access, presence

UNREAD_CAP = 99  # the sidebar says "99+" beyond this, so counting stops there
_NAMES_SEPARATOR = "\x1f"  # ASCII unit separator: never part of a cleaned display name

__all__ = ["SidebarItem", "activity_payload", "broadcast_activity", "online_partners", "sidebar",
           "watch"]

MAX_PARTNERS = 200  # presence is asked for the direct conversations a sidebar can show


@dataclass
class SidebarItem:
    """One line of the sidebar."""

    id: int
    kind: str
    title: str
    cohort_id: int | None
    unread: int  # at most UNREAD_CAP + 1 ("99+")
    mentions: int
    muted: bool
    partner_id: int | None  # a direct conversation's first other member (presence dot)

    @property
    def unread_capped(self) -> bool:
        """Whether there are more unread messages than counted ("99+")."""
        return self.unread > UNREAD_CAP

    def to_dict(self) -> dict:
        """The socket representation (the `chat:watch` ack): enough to draw a line that is not
        on the page yet (a conversation opened since it loaded)."""
        return {"id": self.id, "kind": self.kind, "title": self.title, "unread": self.unread,
                "mentions": self.mentions, "muted": self.muted, "partner_id": self.partner_id}


def _sidebar_statement(user: User):
    """Channels listed for the user, with every count as a correlated subquery: one round trip
    whatever the number of channels (the counts are LIMITed range scans on the
    (channel_id, id) index after the read marker, so they cost the same at any size)."""
    read = (select(ChannelMember.last_read_message_id)
            .where(ChannelMember.channel_id == Channel.id, ChannelMember.user_id == user.id)
            .correlate(Channel).scalar_subquery())
    unread_rows = (
        select(Message.id)
        .where(Message.channel_id == Channel.id, Message.id > func.coalesce(read, 0),
               Message.deleted_at.is_(None), Message.hidden_at.is_(None),
               or_(Message.author_id.is_(None), Message.author_id != user.id))
        .order_by(Message.id).limit(UNREAD_CAP + 1).correlate(Channel).subquery()
    )
    unread = select(func.count()).select_from(unread_rows).scalar_subquery()
    # Mentions: the unread (collapsing) mention notification of the channel, while the message
    # it last counted is beyond the read marker.
    mentions = (
        select(func.coalesce(func.sum(Notification.count), 0))
        .where(Notification.user_id == user.id,
               Notification.kind == NotificationKind.MENTION.value,
               Notification.target_type == "channel", Notification.target_id == Channel.id,
               Notification.read_at.is_(None),
               Notification.source_id > func.coalesce(read, 0))
        .scalar_subquery()
    )
    muted = exists().where(ChannelMute.user_id == user.id, ChannelMute.channel_id == Channel.id)
    others = aliased(ChannelMember)
    other_user = aliased(User)
    not_me = and_(others.channel_id == Channel.id, others.is_member.is_(True),
                  others.user_id != user.id)
    names = (select(func.aggregate_strings(other_user.display_name, _NAMES_SEPARATOR))
             .select_from(others).join(other_user, other_user.id == others.user_id)
             .where(not_me).scalar_subquery())
    partner = select(func.min(others.user_id)).where(not_me).scalar_subquery()
    return (
        select(Channel.id, Channel.kind, Channel.name, Channel.cohort_id, Cohort.name,
               unread, mentions, muted,
               names, partner)
        .outerjoin(Cohort, Cohort.id == Channel.cohort_id)
        .where(access.listed_channels_clause(user))
        .order_by(Channel.kind, Channel.name, Channel.id)
    )


def _title(kind: str, name: str, cohort_name: str | None, names: str | None) -> str:
    if kind == "direct":
        others = sorted(filter(None, (names or "").split(_NAMES_SEPARATOR)))
        return ", ".join(others) or _("Just you")
    return f"{cohort_name} · {name}" if cohort_name else name


def sidebar(user: User) -> list[SidebarItem]:
    """The user's channels (cohort, global, direct) with unread and mention counts: one query."""
    user = access.require_login(user)
    rows = db.session.execute(_sidebar_statement(user)).all()
    return [SidebarItem(id=row[0], kind=row[1], title=_title(row[1], row[2], row[4], row[8]),
                        cohort_id=row[3], unread=row[5] or 0, mentions=int(row[6] or 0),
                        muted=bool(row[7]), partner_id=row[9] if row[1] == "direct" else None)
            for row in rows]


def watch(user: User, sid: str) -> dict:
    """Subscribe a socket to the activity of every channel it lists; the ack resyncs the
    sidebar (counts after a reconnect, channels opened meanwhile, who is online in DMs).

    Join, then list again with fresh rows: access lost between the first list and the join
    was evaluated without this socket, so the second list takes it out again.
    """
    user = access.require_login(user)  # listening: a suspended member still reads
    listed = {item.id for item in sidebar(user)}
    socket_registry.subscribe_many(sid, [activity_room(i) for i in sorted(listed)])
    db.session.expire_all()
    access.forget_memberships(user.id)
    fresh = db.session.get(User, user.id)
    items = sidebar(fresh) if fresh is not None and fresh.is_active else []
    for channel_id in sorted(listed - {item.id for item in items}):
        socket_registry.unsubscribe(sid, activity_room(channel_id))
    partners = sorted({item.partner_id for item in items if item.partner_id})
    online = presence.online_among(partners) if partners else set()
    return {"channels": [item.to_dict() for item in items],
            "online": sorted(online)}


def online_partners(user: User) -> dict:
    """Which of the user's direct-conversation partners are online now (the sidebar's dots,
    refreshed every minute): one indexed query for the partners, one presence lookup. Only
    partners: nobody learns whether a stranger is online."""
    user = access.require_login(user)
    mine = aliased(ChannelMember)
    others = aliased(ChannelMember)
    partners = list(db.session.scalars(
        select(others.user_id).distinct()
        .join(mine, and_(mine.channel_id == others.channel_id, mine.user_id == user.id,
                         mine.is_member.is_(True)))
        .join(Channel, and_(Channel.id == others.channel_id, Channel.kind == "direct"))
        .where(others.user_id != user.id, others.is_member.is_(True))
        .order_by(others.user_id).limit(MAX_PARTNERS)))
    online = presence.online_among(partners) if partners else set()
    return {"online": sorted(online)}


def activity_payload(message: Message, mentioned: set[str]) -> dict:
    """What a sidebar needs to know of a new message: where, which, by whom, whom it names.

    No content: the channel's readers (the only members of the room) learn nothing the
    message itself would not show them.
    """
    return {"channel_id": message.channel_id, "seq": message.seq, "message_id": message.id,
            "author_id": message.author_id, "mentions": sorted(mentioned)}


def broadcast_activity(activity: dict) -> None:
    """After the commit: one emit of an activity_payload to the channel's activity room."""
    broadcast("chat:activity", activity, activity_room(activity["channel_id"]))
