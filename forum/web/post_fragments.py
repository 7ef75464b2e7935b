"""Posts of a thread page and rows of a thread list, rendered once per distinct look.

Rendering `discussions/_post.html` was three quarters of a thread page's time (profiled with 20
replies: ~60 url_for calls, date and number formatting per post), and the row macro most of a
thread list's. Most readers see a post or a row exactly as the previous reader did, so the HTML
is kept in the fragment cache under every input the template reads: the post's text and state,
its author's names, its reaction counts, the reader's relation to it (author? which reactions
pressed? moderator? may accept?), the language and the time zone.
"""

from __future__ import annotations

from collections.abc import Hashable

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from forum.lib.fragments import render_piece
from forum.models import Post, User
from forum.services import reactions
from forum.services.discussions import CategoryPage, ThreadPage, ThreadRow
from forum.web.fragment_cache import CSRF_SLOT, cached_html, digest, reader_context, with_csrf

_KINDS = reactions.KINDS


class PostRenderer:
    """Renders the posts of one thread page for one reader (`post_html(...)` in thread.html)."""

    def __init__(self, view: ThreadPage, viewer: User) -> None:
        self.view, self.viewer = view, viewer
        self.reader = reader_context()
        self.csrf = generate_csrf()

    def key(self, post: Post, item: tuple) -> tuple[Hashable, ...]:
        """Every value `_post.html` reads for this post and this reader, and nothing else."""
        view, author = self.view, post.author
        counts = view.counts.get(post.id, {})
        return (
            "post", *self.reader, view.thread.id, post.id,
            post.id == view.thread.first_post_id, post.id == view.thread.accepted_post_id,
            post.parent_id, post.author_id,
            (author.username, author.display_name, author.avatar_token)
            if author is not None else None,
            post.author_id in view.mentors,
            post.created_at, post.edited_at, post.deleted_at, post.hidden_at,
            digest(post.body_html),
            view.holds.get(post.id) if post.hidden_at is not None else None,
            tuple(counts.get(kind, 0) for kind in _KINDS),
            tuple((post.id, kind) in view.mine for kind in _KINDS),
            tuple(sorted((kind, tuple(names)) for kind, names
                         in view.reactors.get(post.id, {}).items())),
            post.id in view.bookmarked,
            post.author_id == self.viewer.id, view.can_accept, view.can_moderate, *item,
        )

    def __call__(self, post: Post, display_depth: int, reply_to: str | None = None,
                 reply_to_id: int | None = None, id_prefix: str = "post") -> Markup:
        """One post's HTML, from the cache when this reader sees it as someone already did."""
        item = (display_depth, reply_to, reply_to_id, id_prefix)
        view = self.view
        html = cached_html(self.key(post, item), lambda: render_piece(
            "discussions/_post.html", post=post, thread=view.thread, category=view.category,
            mentors=view.mentors, counts=view.counts, mine=view.mine, holds=view.holds,
            viewer=self.viewer, live=False, can_accept=view.can_accept,
            view_can_moderate=view.can_moderate, csrf_value=CSRF_SLOT,
            reactors=view.reactors, bookmarked=view.bookmarked,
            reaction_choices=reactions.CHOICES, who_label=reactions.who_label,
            display_depth=display_depth, reply_to=reply_to, reply_to_id=reply_to_id,
            id_prefix=id_prefix))
        return Markup(with_csrf(html, self.csrf))


class ThreadRowRenderer:
    """Renders the rows of one thread list (`thread_row(row)` in category.html)."""

    def __init__(self, page: CategoryPage) -> None:
        self.page = page
        self.reader = reader_context()

    def __call__(self, row: ThreadRow) -> Markup:
        """One row's HTML, cached under what it shows."""
        t, page = row.thread, self.page
        posters = tuple((p.id, p.username, p.display_name, p.avatar_token) for p in row.posters)
        key = ("row", *self.reader, page.category.slug, page.sort, t.id, t.title, t.author_id,
               t.is_pinned, t.is_locked, bool(t.accepted_post_id), row.state, posters,
               t.reply_count, row.readers, t.last_activity_at, tuple(tag.tag for tag in t.tags))
        return Markup(cached_html(key, lambda: render_piece(
            "discussions/_thread_row.html", row=row, c=page.category, page=page)))
