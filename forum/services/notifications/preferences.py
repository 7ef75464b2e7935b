"""Notification preferences: per kind in-app / email / off, the digest, watched and muted
categories, muted channels, watched and muted threads."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.errors import Invalid
from forum.extensions import db
from forum.models import (
    Category,
    CategoryWatch,
    Channel,
    ChannelMute,
    Delivery,
    NotificationPreference,
    Thread,
    ThreadWatch,
    User,
    WatchLevel,
    utcnow,
)
from forum.services import access
from forum.services.notifications.core import (
    DEFAULTS,
    DIGEST,
    DIGEST_DEFAULT,
    KINDS,
    all_deliveries,
    deliveries,
)

DELIVERIES = tuple(d.value for d in Delivery)
LEVELS = (WatchLevel.WATCH.value, WatchLevel.MUTE.value)
MAX_LISTED_THREADS = 100


@dataclass
class CategoryChoice:
    """A readable category and the user's level for it (None: default)."""

    category: Category
    level: str | None


@dataclass
class ChannelChoice:
    """A listed channel and whether the user muted it."""

    channel: Channel
    title: str
    muted: bool


@dataclass
class Preferences:
    """Everything the preferences page shows."""

    kinds: dict[str, str]
    digest: str
    categories: list[CategoryChoice] = field(default_factory=list)
    channels: list[ChannelChoice] = field(default_factory=list)
    threads: list[tuple[Thread, str]] = field(default_factory=list)


def get_preferences(user: User) -> Preferences:
    """The user's choices, with every readable category and listed channel to choose from."""
    access.require_login(user)
    chosen = all_deliveries(user.id)
    levels = dict(db.session.execute(select(CategoryWatch.category_id, CategoryWatch.level)
                                     .where(CategoryWatch.user_id == user.id)).all())
    categories = db.session.scalars(
        select(Category).where(access.visible_categories_clause(user))
        .order_by(Category.cohort_id.is_not(None), Category.position, Category.name))
    muted = set(db.session.scalars(select(ChannelMute.channel_id)
                                   .where(ChannelMute.user_id == user.id)))
    from forum.services import chat  # chat imports notifications: import late

    channels = [ChannelChoice(item.channel, item.title, item.channel.id in muted)
                for item in chat.channel_list(user)]
    threads = [(thread, level) for thread, level in db.session.execute(
        select(Thread, ThreadWatch.level).join(ThreadWatch, ThreadWatch.thread_id == Thread.id)
        .join(Category, Category.id == Thread.category_id)
        .where(ThreadWatch.user_id == user.id, access.visible_threads_clause(user))
        .order_by(Thread.last_activity_at.desc()).limit(MAX_LISTED_THREADS)).all()]
    return Preferences(
        kinds={kind: chosen[kind] for kind in KINDS}, digest=chosen[DIGEST],
        categories=[CategoryChoice(c, levels.get(c.id)) for c in categories],
        channels=channels, threads=threads)


def _store(user: User, kind: str, delivery: str) -> None:
    row = db.session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    default = DIGEST_DEFAULT if kind == DIGEST else DEFAULTS[kind]
    if delivery == default:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
    else:
        row.delivery, row.updated_at = delivery, utcnow()


def set_preferences(user: User, kinds: dict[str, str], digest: str | None = None) -> None:
    """Save per-kind deliveries (app / email / off) and the digest (email / off)."""
    access.require_login(user)
    errors = {f"kind_{kind}": _("Choose one of the offered options.")
              for kind, value in kinds.items() if kind not in KINDS or value not in DELIVERIES}
    if digest is not None and digest not in (Delivery.EMAIL.value, Delivery.OFF.value):
        errors["digest"] = _("Choose one of the offered options.")
    if errors:
        raise Invalid(_("Please correct the highlighted fields."), fields=errors)
    for kind, value in kinds.items():
        _store(user, kind, value)
    if digest is not None:
        _store(user, DIGEST, digest)
    _commit()


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # a double submit raced us; the other request saved the same choice
        db.session.rollback()


def unsubscribe(user: User, kind: str) -> None:
    """Stop the mail of one kind ("digest", a notification kind, or "all"); in-app stays."""
    if kind == "all":
        for each in KINDS:
            if deliveries([user.id], each)[user.id] == Delivery.EMAIL.value:
                _store(user, each, Delivery.APP.value)
        _store(user, DIGEST, Delivery.OFF.value)
    elif kind == DIGEST:
        _store(user, DIGEST, Delivery.OFF.value)
    elif kind in KINDS:
        if deliveries([user.id], kind)[user.id] == Delivery.EMAIL.value:
            _store(user, kind, Delivery.APP.value)
    else:
        raise Invalid(_("This unsubscribe link is broken."))
    _commit()


def set_category_watch(user: User, category_id: int, level: str | None) -> str | None:
    """Watch (hear of new threads) or mute a category the user may read; None resets."""
    access.require_login(user)
    category = access.access_category(user, category_id)
    if level is not None and level not in LEVELS:
        raise Invalid(_("Unknown choice."), fields={"level": _("Unknown choice.")})
    row = db.session.scalar(select(CategoryWatch).where(
        CategoryWatch.user_id == user.id, CategoryWatch.category_id == category.id))
    if level is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(CategoryWatch(user_id=user.id, category_id=category.id, level=level))
    else:
        row.level = level
    _commit()
    return level


def set_channel_mute(user: User, channel_id: int, muted: bool) -> bool:
    """Mute or unmute a channel the user may read."""
    access.require_login(user)
    channel = access.access_channel(user, channel_id)
    row = db.session.scalar(select(ChannelMute).where(
        ChannelMute.user_id == user.id, ChannelMute.channel_id == channel.id))
    if muted and row is None:
        db.session.add(ChannelMute(user_id=user.id, channel_id=channel.id))
    elif not muted and row is not None:
        db.session.delete(row)
    _commit()
    return muted


__all__ = [
    "CategoryChoice",
    "ChannelChoice",
    "Preferences",
    "get_preferences",
    "set_category_watch",
    "set_channel_mute",
    "set_preferences",
    "unsubscribe",
]
