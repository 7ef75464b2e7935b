"""Demo chat content for `flask forum seed-demo`: a cohort channel, a global one, a DM."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.lib.text import render_chat
from forum.models import Channel, ChannelKind, ChannelMember, Cohort, Message, User


def _say(channel: Channel, author: User, body: str, n: int) -> None:
    db.session.add(Message(channel_id=channel.id, author_id=author.id, client_id=f"demo-{n}",
                           body_source=body, body_html=render_chat(body).html))


def seed(*, admin: User, moderator: User, mentors: list[User], members: list[User],
         cohort: Cohort) -> None:
    """Add demo chat content for the demo cohort; the caller commits."""
    # The cohort's channel comes from the cohort template (demo.py), unless it has none.
    general = db.session.scalar(select(Channel).where(Channel.cohort_id == cohort.id)
                                .order_by(Channel.id))
    if general is None:
        general = Channel(kind=ChannelKind.COHORT.value, cohort_id=cohort.id, name="general",
                          slug=f"c{cohort.id}-general")
        db.session.add(general)
    lobby = Channel(kind=ChannelKind.GLOBAL.value, name="lobby", slug="lobby")
    db.session.add(lobby)
    db.session.flush()
    people = [*members, *mentors] or [admin]
    lines = ["Welcome to the cohort channel! 👋", "Has anyone found housing near the duty station?",
             "Try the **staff association** list — it helped me.", "Thanks, checking it now."]
    n = 0
    for index, line in enumerate(lines):
        n += 1
        _say(general, people[index % len(people)], line, n)
    n += 1
    _say(lobby, moderator, "This is the global channel: everyone can read it.", n)
    if len(members) >= 2:
        a, b = sorted(members[:2], key=lambda u: u.id)
        dm = Channel(kind=ChannelKind.DIRECT.value, name=f"{a.display_name}, {b.display_name}",
                     slug=f"dm-{a.id}-{b.id}")
        db.session.add(dm)
        db.session.flush()
        db.session.add_all([ChannelMember(channel_id=dm.id, user_id=u.id, is_member=True)
                            for u in (a, b)])
        n += 1
        _say(dm, a, "Coffee after the session?", n)
    db.session.flush()
    for channel in db.session.query(Channel).filter(Channel.id.in_([general.id, lobby.id])):
        channel.last_message_id = max(
            (m.id for m in db.session.query(Message.id).filter(Message.channel_id == channel.id)),
            default=None)
