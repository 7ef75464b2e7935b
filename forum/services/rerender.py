"""Render stored Markdown again with today's sanitizer (after a change to forum/lib/text.py).

Posts, their revisions and chat messages keep their Markdown source beside the HTML made on
write; when the rules of the sanitizer change, this rewrites the HTML of rows whose output
differs, in batches, one commit per batch, so a long run can be stopped and started again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from forum.extensions import db
from forum.lib.text import render_chat, render_post
from forum.models import Message, Post, PostRevision
from forum.services.accounts import existing_usernames

Renderer = Callable[[str], str]


def _post_html(source: str) -> str:
    return render_post(source, resolve_mentions=existing_usernames).html


def _chat_html(source: str) -> str:
    return render_chat(source, resolve_mentions=existing_usernames).html


def _rerender_table(model, render: Renderer, batch: int) -> tuple[int, int]:
    """Re-render one table by ascending id; return (rows read, rows changed)."""
    read = changed = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(model.id, model.body_source, model.body_html)
            .where(model.id > last_id).order_by(model.id).limit(batch)).all()
        if not rows:
            return read, changed
        for row_id, source, html in rows:
            fresh = render(source)
            if fresh != html:
                db.session.execute(update(model).where(model.id == row_id)
                                   .values(body_html=fresh))
                changed += 1
        read += len(rows)
        last_id = rows[-1][0]
        db.session.commit()


def rerender_stored_html(batch: int = 500) -> dict[str, tuple[int, int]]:
    """Re-render posts, post revisions and chat messages; (read, changed) per kind."""
    return {
        "posts": _rerender_table(Post, _post_html, batch),
        "revisions": _rerender_table(PostRevision, _post_html, batch),
        "messages": _rerender_table(Message, _chat_html, batch),
    }
