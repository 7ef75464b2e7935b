"""Fixtures and helpers shared by the chat tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forum.extensions import db
from forum.models import Channel, ChannelKind, Cohort, User


@dataclass
class ChatWorld:
    """Two cohorts, each with a channel, a global channel, and people in each."""

    cohort: Cohort
    other_cohort: Cohort
    channel: Channel
    other_channel: Channel
    lobby: Channel
    amina: User
    bruno: User
    carla: User  # in the other cohort only
    mod: User  # global moderator, in no cohort


def channel(name: str, cohort: Cohort | None = None) -> Channel:
    """Create and commit a cohort channel (or a global one)."""
    obj = Channel(kind=(ChannelKind.COHORT if cohort else ChannelKind.GLOBAL).value,
                  cohort_id=cohort.id if cohort else None, name=name,
                  slug=f"{cohort.slug if cohort else 'global'}-{name}".lower())
    db.session.add(obj)
    db.session.commit()
    return obj


@pytest.fixture
def world(make) -> ChatWorld:
    """The standard chat setting."""
    cohort = make.cohort("geneva-2026", name="Geneva 2026")
    other = make.cohort("nairobi-2026", name="Nairobi 2026")
    return ChatWorld(
        cohort=cohort, other_cohort=other,
        channel=channel("general", cohort), other_channel=channel("general", other),
        lobby=channel("lobby"),
        amina=make.user("amina", cohorts=[cohort]), bruno=make.user("bruno", cohorts=[cohort]),
        carla=make.user("carla", cohorts=[other]), mod=make.user("mod", role="moderator"),
    )


def events(sc, name: str) -> list[dict]:
    """The payloads of the events `name` a Flask-SocketIO test client received."""
    return [e["args"][0] for e in sc.get_received() if e["name"] == name]
