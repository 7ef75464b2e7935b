"""Access rules for moderation: what may be flagged or moderated, and whom a moderator acts on.

Content: global moderators (and admins) moderate everything; cohort facilitators only the
content of the cohorts they facilitate — never global content, never direct messages. A direct
message is private to its conversation until a member reports it (or the word filter holds it):
then the global moderators, and nobody else, may read and moderate that one message. An item
the user cannot read raises NotFound (as everywhere); a readable item the user may not moderate
raises Forbidden. People: a facilitator acts only on plain members and mentors of their cohorts,
and only within those cohorts (their suspension is a cohort restriction, see access.writing);
only admins act on global moderators; nobody acts on an admin or on themselves; bans, site-wide
suspensions and their lifting belong to global moderators. A facilitator never undoes a global
moderator's action (restores what one hid, unlocks what one locked, lifts what one imposed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import Forbidden, NotFound
from forum.extensions import db
from forum.models import (
    AuditEntry,
    Channel,
    CohortMembership,
    CohortRole,
    Flag,
    Message,
    Post,
    Thread,
    User,
)
from forum.services.access.chat import can_moderate_channel, can_read_channel
from forum.services.access.core import (
    can_moderate_cohort,
    moderated_cohort_ids,
    require_active,
    require_login,
)
from forum.services.access.discussions import can_read_thread
from forum.services.access.writing import require_can_write

__all__ = [
    "CONTENT_TYPES",
    "ContentTarget",
    "PersonTarget",
    "access_flaggable",
    "access_moderatable",
    "access_person",
    "can_moderate_target",
    "global_action_error",
    "load_target",
    "moderates_anything",
    "require_may_undo",
    "require_moderator",
]

CONTENT_TYPES = ("post", "thread", "message")


@dataclass
class ContentTarget:
    """A post, thread or chat message with what moderation needs to know about it."""

    type: str
    obj: Post | Thread | Message
    cohort_id: int | None
    author_id: int | None
    thread: Thread | None = None
    channel: Channel | None = None
    # Whether the item has been flagged (read once: see _reported_direct_message).
    flagged: bool | None = None

    @property
    def id(self) -> int:
        """The item's id."""
        return self.obj.id

    @property
    def url(self) -> str:
        """Where the item lives (a path; notifications and the queue link to it)."""
        if self.type == "post":
            return f"/p/{self.obj.id}"
        if self.type == "thread":
            return f"/t/{self.obj.id}"
        return f"/chat/{self.obj.channel_id}#m-{self.obj.id}"


def load_target(target_type: str, target_id: int) -> ContentTarget | None:
    """The item with its thread/category or channel, without any access check (None: missing)."""
    if target_type == "post":
        post = db.session.scalar(
            select(Post).where(Post.id == target_id)
            .options(joinedload(Post.thread).joinedload(Thread.category),
                     joinedload(Post.author)))
        if post is None:
            return None
        return ContentTarget("post", post, post.thread.category.cohort_id, post.author_id,
                             thread=post.thread)
    if target_type == "thread":
        thread = db.session.scalar(
            select(Thread).where(Thread.id == target_id)
            .options(joinedload(Thread.category), joinedload(Thread.author)))
        if thread is None:
            return None
        return ContentTarget("thread", thread, thread.category.cohort_id, thread.author_id,
                             thread=thread)
    if target_type == "message":
        message = db.session.scalar(
            select(Message).where(Message.id == target_id)
            .options(joinedload(Message.channel), joinedload(Message.author)))
        if message is None:
            return None
        return ContentTarget("message", message, message.channel.cohort_id, message.author_id,
                             channel=message.channel)
    return None


def _readable(user: User, target: ContentTarget) -> bool:
    if target.type == "message":
        return can_read_channel(user, target.channel) or _reported_direct_message(user, target)
    thread = target.thread
    return can_read_thread(user, thread, thread.category)


def _reported_direct_message(user: User | None, target: ContentTarget) -> bool:
    """A direct message under review, and the user a global moderator: that message only."""
    if not (target.type == "message" and target.channel.is_direct
            and getattr(user, "is_global_moderator", False)):
        return False
    if target.flagged is None:  # asked by the read check, then by the moderate check
        target.flagged = db.session.scalar(select(Flag.id).where(
            Flag.target_type == "message", Flag.target_id == target.id).limit(1)) is not None
    return target.flagged


def can_moderate_target(user: User | None, target: ContentTarget) -> bool:
    """Whether the user moderates the space holding this item."""
    if target.type == "message":
        if target.channel.is_direct:
            return _reported_direct_message(user, target)
        return can_moderate_channel(user, target.channel)
    return can_moderate_cohort(user, target.cohort_id)


def _target(user: User | None, target_type: str, target_id: int) -> ContentTarget:
    if target_type not in CONTENT_TYPES:
        raise NotFound()
    target = load_target(target_type, target_id)
    if target is None or not _readable(user, target):
        raise NotFound()
    return target


def access_flaggable(user: User | None, target_type: str, target_id: int) -> ContentTarget:
    """An item an active user may flag: readable, not deleted, not hidden from them.

    Direct messages too: harassment happens there first, and a report is the only way the
    moderators ever see one of them.
    """
    user = require_active(user)
    target = _target(user, target_type, target_id)
    obj = target.obj
    if obj.deleted_at is not None:
        raise NotFound()
    if obj.hidden_at is not None and not can_moderate_target(user, target):
        raise NotFound()
    require_can_write(user, target.cohort_id, flagging=True)
    return target


def access_moderatable(user: User | None, target_type: str, target_id: int) -> ContentTarget:
    """An item the user may moderate: NotFound if unreadable, Forbidden if not theirs."""
    user = require_login(user)
    target = _target(user, target_type, target_id)
    require_active(user)
    if not can_moderate_target(user, target):
        raise Forbidden()
    return target


def moderates_anything(user: User | None) -> bool:
    """Whether the user moderates at least one space (global moderators, facilitators)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    scope = moderated_cohort_ids(user)
    return scope is None or bool(scope)


def require_moderator(user: User | None) -> set[int] | None:
    """The cohorts the user moderates (None: all); Forbidden for people who moderate nothing."""
    scope = moderated_cohort_ids(require_login(user))
    if scope is not None and not scope:
        raise Forbidden()
    return scope


@dataclass
class PersonTarget:
    """A person a moderator may act on, and the cohorts through which (none: site-wide)."""

    user: User
    cohort_id: int | None
    can_ban: bool
    # A facilitator's reach: the cohorts they facilitate that the person is in (sorted).
    cohort_ids: list[int] = field(default_factory=list)

    @property
    def site_wide(self) -> bool:
        """Whether the actor acts site-wide (global moderators, admins)."""
        return self.cohort_id is None


def access_person(actor: User | None, user_id: int, *, ban: bool = False) -> PersonTarget:
    """A person the actor may warn, suspend or lift (and ban, with ban=True), or raise."""
    actor = require_login(actor)
    scope = require_moderator(actor)
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound()
    require_active(actor)
    if person.id == actor.id:
        raise Forbidden(_("You cannot act on your own account."))
    if person.is_admin or (person.is_global_moderator and not actor.is_admin):
        raise Forbidden()
    if scope is None:
        return PersonTarget(person, None, can_ban=True)
    if ban:
        raise Forbidden()
    roles = dict(db.session.execute(
        select(CohortMembership.cohort_id, CohortMembership.role)
        .where(CohortMembership.user_id == person.id)).all())
    shared = sorted(cid for cid in roles if cid in scope)
    if not shared or any(roles[cid] == CohortRole.MODERATOR.value for cid in shared):
        raise Forbidden()
    return PersonTarget(person, shared[0], can_ban=False, cohort_ids=shared)


def global_action_error() -> Forbidden:
    """A facilitator trying to undo what a global moderator did."""
    return Forbidden(_("A global moderator did this; only a global moderator can undo it."),
                     code="global_action")


def _last_actor(target_type: str, target_id: int, actions: tuple[str, ...]) -> User | None:
    """Who took the latest of these actions on the item (None: nobody, or the system)."""
    actor_id = db.session.scalar(
        select(AuditEntry.actor_id).where(AuditEntry.target_type == target_type,
                                          AuditEntry.target_id == target_id,
                                          AuditEntry.action.in_(actions))
        .order_by(AuditEntry.id.desc()).limit(1))
    return db.session.get(User, actor_id) if actor_id is not None else None


# What undoes what: a facilitator never reverses a global moderator's hide or lock.
_UNDONE_BY = {"restore": ("hide", "auto_hide", "word_hold"), "unlock": ("lock",)}


def require_may_undo(actor: User, target: ContentTarget, undo: str) -> None:
    """Forbidden when a facilitator would undo (`restore`, `unlock`) a global moderator's action.

    Who acted is read from the audit log; a global moderator demoted since counts no more.
    """
    if actor.is_global_moderator:
        return
    previous = _last_actor(target.type, target.id, _UNDONE_BY[undo])
    if previous is not None and previous.is_global_moderator:
        raise global_action_error()
