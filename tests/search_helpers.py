"""Content factories for the search tests: rows written straight to the tables.

The index is kept in sync by the database itself (triggers / expression indexes), so plain
inserts and updates are exactly what has to be found; services are exercised separately.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import update

from forum.extensions import db
from forum.lib.text import render_chat, render_post
from forum.models import Category, Channel, ChannelKind, ChannelMember, Message, Post, Thread, User
from forum.models.base import utcnow

_seq = itertools.count(1)


def thread(category: Category, author: User, title: str, body: str = "Opening words.",
           created_at: datetime | None = None, **fields) -> Thread:
    """A thread with its first post."""
    now = created_at or utcnow()
    obj = Thread(category_id=category.id, author_id=author.id, title=title, created_at=now,
                 last_activity_at=now, post_count=1, **fields)
    db.session.add(obj)
    db.session.flush()
    first = Post(thread_id=obj.id, author_id=author.id, body_source=body,
                 body_html=render_post(body).html, created_at=now)
    db.session.add(first)
    db.session.flush()
    obj.first_post_id = obj.last_post_id = first.id
    db.session.commit()
    return obj


def post(thread_obj: Thread, author: User, body: str, created_at: datetime | None = None,
         **fields) -> Post:
    """A reply in a thread."""
    obj = Post(thread_id=thread_obj.id, author_id=author.id, body_source=body,
               body_html=render_post(body).html, created_at=created_at or utcnow(), **fields)
    db.session.add(obj)
    db.session.execute(update(Thread).where(Thread.id == thread_obj.id)
                       .values(post_count=Thread.post_count + 1))
    db.session.commit()
    return obj


def channel(name: str, cohort_id: int | None = None) -> Channel:
    """A cohort channel, or a global one."""
    obj = Channel(kind=(ChannelKind.COHORT if cohort_id else ChannelKind.GLOBAL).value,
                  cohort_id=cohort_id, name=name, slug=f"{name}-{next(_seq)}")
    db.session.add(obj)
    db.session.commit()
    return obj


def direct(*people: User) -> Channel:
    """A direct conversation between people."""
    obj = Channel(kind=ChannelKind.DIRECT.value, name=", ".join(p.username for p in people),
                  slug=f"dm-test-{next(_seq)}")
    db.session.add(obj)
    db.session.flush()
    db.session.add_all(ChannelMember(channel_id=obj.id, user_id=p.id, is_member=True)
                       for p in people)
    db.session.commit()
    return obj


def message(channel_obj: Channel, author: User, body: str, **fields) -> Message:
    """A chat message."""
    obj = Message(channel_id=channel_obj.id, author_id=author.id, client_id=f"c{next(_seq)}",
                  body_source=body, body_html=render_chat(body).html, **fields)
    db.session.add(obj)
    db.session.commit()
    return obj
