"""A cohort's and a space's resources: every file shared there, in posts and in chat, that the
viewer may read now — filterable by type and person, searchable by name, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, literal, select

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Category, Channel, Cohort, Message, Post, Thread, Upload, User
from forum.services import access

PAGE_SIZE = 50


@dataclass
class SharedFile:
    """One file and where it was shared (a thread's post or a channel's message)."""

    upload: Upload
    owner: User | None
    place: str  # the thread title or the channel name
    url: str  # the post or message it was shared in


@dataclass
class ResourceFilter:
    """What the reader asked for; every field optional."""

    kind: str | None = None  # "image" or "document"
    person: str | None = None  # a username
    name: str | None = None  # part of the file name


def _filtered(query: Select, wanted: ResourceFilter) -> Select:
    query = query.where(Upload.removed_at.is_(None))
    if wanted.kind in ("image", "document"):
        query = query.where(Upload.kind == wanted.kind)
    if wanted.person:
        query = query.where(func.lower(User.username) == wanted.person.strip().lower())
    if wanted.name:
        escaped = wanted.name.strip().lower().replace("\\", "\\\\").replace("%", "\\%")
        escaped = escaped.replace("_", "\\_")
        query = query.where(func.lower(Upload.filename).like(f"%{escaped}%", escape="\\"))
    return query.order_by(Upload.id.desc()).limit(PAGE_SIZE)


def _in_posts(user: User, wanted: ResourceFilter, *, cohort_id: int | None = None,
              category_id: int | None = None) -> list[SharedFile]:
    query = (select(Upload, User, Thread.title, Post.id)
             .join(Post, Post.id == Upload.post_id)
             .join(Thread, Thread.id == Post.thread_id)
             .join(Category, Category.id == Thread.category_id)
             .outerjoin(User, User.id == Upload.owner_id)
             .where(access.visible_threads_clause(user), Post.deleted_at.is_(None),
                    Post.hidden_at.is_(None)))
    if cohort_id is not None:
        query = query.where(Category.cohort_id == cohort_id)
    if category_id is not None:
        query = query.where(Category.id == category_id)
    rows = db.session.execute(_filtered(query, wanted)).all()
    return [SharedFile(upload, owner, title, f"/p/{post_id}")
            for upload, owner, title, post_id in rows]


def _in_chat(user: User, wanted: ResourceFilter, cohort_id: int) -> list[SharedFile]:
    query = (select(Upload, User, Channel.name, Message.channel_id, Message.id)
             .join(Message, Message.id == Upload.message_id)
             .join(Channel, Channel.id == Message.channel_id)
             .outerjoin(User, User.id == Upload.owner_id)
             .where(Channel.cohort_id == cohort_id,
                    access.channel_audience_clause(literal(user.id)),
                    Message.deleted_at.is_(None), Message.hidden_at.is_(None)))
    rows = db.session.execute(_filtered(query, wanted)).all()
    return [SharedFile(upload, owner, name, f"/chat/{channel_id}#m-{message_id}")
            for upload, owner, name, channel_id, message_id in rows]


def cohort_files(user: User, slug: str, wanted: ResourceFilter) -> tuple[Cohort, list[SharedFile]]:
    """Files shared in a cohort's spaces and channels (NotFound unless the viewer reads it)."""
    access.require_login(user)
    cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.slug == slug))
    if cohort_id is None:
        raise NotFound()
    cohort = access.access_cohort(user, cohort_id)
    files = _in_posts(user, wanted, cohort_id=cohort.id) + _in_chat(user, wanted, cohort.id)
    files.sort(key=lambda shared: shared.upload.id, reverse=True)
    return cohort, files[:PAGE_SIZE]


def space_files(user: User, slug: str, wanted: ResourceFilter
                ) -> tuple[Category, list[SharedFile]]:
    """Files shared in one discussion space (NotFound unless the viewer reads it)."""
    category = access.access_category(user, slug)
    return category, _in_posts(user, wanted, category_id=category.id)
