"""Reactions on posts: the fixed set (Like, Helpful and a few emoji), who gave them, and the
state one reader sees (counts, which are theirs, a short "who reacted" list).

Like and Helpful stay the first two and are always shown (Helpful is what an ask-a-mentor
asker looks for); the emoji reactions are offered in a picker and shown once someone used them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from forum.extensions import db
from forum.models import Reaction, ReactionKind, User
from forum.services import access

# kind -> emoji, in the order the buttons show them.
EMOJI: dict[str, str] = {
    ReactionKind.LIKE.value: "👍",
    ReactionKind.HELPFUL.value: "💡",
    ReactionKind.HEART.value: "❤️",
    ReactionKind.CELEBRATE.value: "🎉",
    ReactionKind.LAUGH.value: "😄",
    ReactionKind.THANKS.value: "🙏",
    ReactionKind.CLAP.value: "👏",
    ReactionKind.THINKING.value: "🤔",
    ReactionKind.EYES.value: "👀",
    ReactionKind.ROCKET.value: "🚀",
}
KINDS: tuple[str, ...] = tuple(EMOJI)
ALWAYS_SHOWN: tuple[str, ...] = (ReactionKind.LIKE.value, ReactionKind.HELPFUL.value)
# The key of each label in the JavaScript catalogue (forum/web/i18n.py JS_STRINGS).
I18N_KEYS: dict[str, str] = {kind: kind if kind in ALWAYS_SHOWN else f"reaction_{kind}"
                             for kind in KINDS}
LABELS = {
    ReactionKind.LIKE.value: _l("Like"),
    ReactionKind.HELPFUL.value: _l("Helpful"),
    ReactionKind.HEART.value: _l("Love"),
    ReactionKind.CELEBRATE.value: _l("Celebrate"),
    ReactionKind.LAUGH.value: _l("Funny"),
    ReactionKind.THANKS.value: _l("Thank you"),
    ReactionKind.CLAP.value: _l("Well done"),
    ReactionKind.THINKING.value: _l("Thinking"),
    ReactionKind.EYES.value: _l("Looking into it"),
    ReactionKind.ROCKET.value: _l("Let's go"),
}
WHO_LIMIT = 8  # names listed per reaction; the rest are counted ("+3")


@dataclass(frozen=True)
class ReactionChoice:
    """One reaction as templates show it."""

    kind: str
    emoji: str
    label: object  # a lazy string: rendered in the reader's language (English in fragments)
    i18n_key: str
    always: bool  # shown even at zero (Like, Helpful); the others appear once used


CHOICES: tuple[ReactionChoice, ...] = tuple(
    ReactionChoice(kind, EMOJI[kind], LABELS[kind], I18N_KEYS[kind], kind in ALWAYS_SHOWN)
    for kind in KINDS)


def reactor_names(post_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """The first WHO_LIMIT display names per post and kind, earliest first (one query)."""
    names: dict[int, dict[str, list[str]]] = {pid: {} for pid in post_ids}
    if not post_ids:
        return names
    ranked = (
        select(Reaction.post_id, Reaction.kind, User.display_name,
               func.row_number().over(partition_by=(Reaction.post_id, Reaction.kind),
                                      order_by=Reaction.id).label("n"))
        .join(User, User.id == Reaction.user_id)
        .where(Reaction.post_id.in_(sorted(post_ids)))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.post_id, ranked.c.kind, ranked.c.display_name)
        .where(ranked.c.n <= WHO_LIMIT).order_by(ranked.c.post_id, ranked.c.kind, ranked.c.n))
    for post_id, kind, name in rows:
        names[post_id].setdefault(kind, []).append(name)
    return names


def page_reactions(post_ids: list[int], user_id: int) -> tuple[
        dict[int, dict[str, int]], set[tuple[int, str]], dict[int, dict[str, list[str]]]]:
    """Counts per post and kind, which are the user's, and the first names: ONE query.

    Window functions number and count each (post, kind)'s reactions, so only the first
    WHO_LIMIT rows (and the user's own) come back however popular a post is.
    """
    counts: dict[int, dict[str, int]] = {pid: {} for pid in post_ids}
    names: dict[int, dict[str, list[str]]] = {pid: {} for pid in post_ids}
    mine: set[tuple[int, str]] = set()
    if not post_ids:
        return counts, mine, names
    group = (Reaction.post_id, Reaction.kind)
    ranked = (
        select(Reaction.post_id, Reaction.kind, Reaction.user_id, User.display_name,
               func.row_number().over(partition_by=group, order_by=Reaction.id).label("n"),
               func.count().over(partition_by=group).label("total"))
        .join(User, User.id == Reaction.user_id)
        .where(Reaction.post_id.in_(sorted(post_ids)))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.post_id, ranked.c.kind, ranked.c.user_id, ranked.c.display_name,
               ranked.c.n, ranked.c.total)
        .where(or_(ranked.c.n <= WHO_LIMIT, ranked.c.user_id == user_id))
        .order_by(ranked.c.post_id, ranked.c.kind, ranked.c.n))
    for post_id, kind, reactor_id, name, n, total in rows:
        counts[post_id][kind] = total
        if reactor_id == user_id:
            mine.add((post_id, kind))
        if n <= WHO_LIMIT:
            names[post_id].setdefault(kind, []).append(name)
    return counts, mine, names


def who_label(names: list[str], total: int) -> str:
    """ "Amina, Bilal +3": who reacted, in no particular language."""
    if not names:
        return ""
    rest = total - len(names)
    return ", ".join(names) + (f" +{rest}" if rest > 0 else "")


@dataclass
class PostReactions:
    """One post's reactions as one reader sees them."""

    post_id: int
    counts: dict[str, int]
    mine: list[str]
    names: dict[str, list[str]]


def post_reactions(user: User, post_id: int) -> PostReactions:
    """Counts, the reader's own kinds and who reacted, for a post the reader may read."""
    post = access.access_post(user, post_id)
    rows = db.session.execute(
        select(Reaction.kind, func.count(),
               func.sum(case((Reaction.user_id == user.id, 1), else_=0)))
        .where(Reaction.post_id == post.id).group_by(Reaction.kind)).all()
    counts = {kind: n for kind, n, _own in rows}
    mine = sorted(kind for kind, _n, own in rows if own)
    return PostReactions(post.id, counts, mine, reactor_names([post.id])[post.id])
