"""@mention candidates for the composer: only people who can read where the text will appear.

Private means private: typing `@a` in a cohort's thread must not reveal who exists outside that
cohort. Candidates therefore come from access.space_readers (the same rules as
access.discussions, written as SQL over people): a global space offers everyone, a cohort's
space its people and the staff, an "ask a mentor" thread only its author, the space's mentors
and facilitators and the moderators. A thread hidden or deleted by a moderator offers nobody.
One query for the people, whatever the number of matches.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select

from forum.errors import Invalid
from forum.extensions import db
from forum.models import Category, User
from forum.services import access

MAX_CANDIDATES = 8
MAX_QUERY = 30
# What may follow "@": the characters of a username, or the start of a display name.
_QUERY_RE = re.compile(r"^[^\s@:<>\"'`]{1,30}$")


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching values that start with `text` (its wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _check_query(query: str) -> str:
    query = (query or "").strip().lstrip("@").lower()
    if not _QUERY_RE.match(query):
        message = _("Type 1 to %(n)d letters of a name.", n=MAX_QUERY)
        raise Invalid(message, fields={"q": message})
    return query


def mention_candidates(user: User, query: str, *, thread_id: int | None = None,
                       category_id: int | None = None) -> list[User]:
    """Up to MAX_CANDIDATES people who can read the thread (or a new thread of `user` in the
    category) and whose username or display name starts with `query`; the caller left out."""
    access.require_login(user)
    if (thread_id is None) == (category_id is None):
        message = _("Give either a thread or a category.")
        raise Invalid(message, fields={"thread_id": message})
    query = _check_query(query)
    if thread_id is not None:
        thread = access.access_thread(user, thread_id)  # NotFound for whoever cannot read it
        if thread.hidden_at is not None or thread.deleted_at is not None:
            return []
        category: Category = thread.category
        author_id = thread.author_id
    else:
        category = access.access_category(user, category_id)
        author_id = user.id  # the new thread will be theirs
    readers = access.space_readers(category, author_id)
    pattern = _like_prefix(query)
    username = func.lower(User.username)
    display = func.lower(User.display_name)
    matches = or_(username.like(pattern, escape="\\"), display.like(pattern, escape="\\"),
                  display.like("% " + pattern, escape="\\"))
    # Exact username first, then usernames that start with the text, then display names.
    rank = case((username == query, 0), (username.like(pattern, escape="\\"), 1), else_=2)
    return list(db.session.scalars(
        select(User).where(User.id.in_(readers), User.id != user.id, matches)
        .order_by(rank, username).limit(MAX_CANDIDATES)))
