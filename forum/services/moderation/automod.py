"""Automatic protection: the word list, the flag threshold and new members' stricter limits.

Discussions and chat call `screen()` before writing a post or message and `hold_new()` after
flushing it when the word list says "queue"; both only touch the caller's transaction.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from forum.errors import Invalid, RateLimited
from forum.extensions import db
from forum.lib.redis_options import storage_options
from forum.models import Flag, FlagReason, Hold, Message, Post, Thread, User, utcnow
from forum.services.moderation import audit

BLOCK, QUEUE = "block", "queue"
_limiters: dict[str, MovingWindowRateLimiter] = {}


def word_rules() -> list[tuple[str, str]]:
    """(word, action) pairs from MODERATION_WORDS; entries without "=action" use the default."""
    default = current_app.config.get("MODERATION_WORDS_ACTION", QUEUE)
    rules = []
    for entry in current_app.config.get("MODERATION_WORDS") or []:
        word, _sep, action = str(entry).partition("=")
        word, action = word.strip().lower(), (action.strip().lower() or default)
        if word:
            rules.append((word, action if action in (BLOCK, QUEUE) else default))
    return rules


def screen(text: str, field: str = "body") -> str | None:
    """Check text against the word list: Invalid when a word blocks it, "queue" to hold it."""
    lowered = (text or "").lower()
    queued = None
    for word, action in word_rules():
        if re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", lowered):
            if action == BLOCK:
                message = _("This text contains a word that is not allowed here (“%(word)s”). "
                            "Please rephrase it.", word=word)
                raise Invalid(message, fields={field: message}, code="blocked_word")
            queued = word
    return queued


def hold_new(target_type: str, obj: Post | Thread | Message, cohort_id: int | None,
             word: str) -> None:
    """Hide a just-flushed item pending review (word list "queue"), in the caller's transaction."""
    reason = _("Held for review by the word filter.")
    obj.hidden_at = utcnow()
    db.session.add(Hold(target_type=target_type, target_id=obj.id, reason=reason,
                        announce_on_release=True))
    db.session.add(Flag(target_type=target_type, target_id=obj.id, cohort_id=cohort_id,
                        user_id=None, reason=FlagReason.WORD_LIST.value, note=word))
    audit.record(None, "word_hold", target_type=target_type, target_id=obj.id,
                 cohort_id=cohort_id, reason=reason, details={"word": word})


def is_new_member(user: User) -> bool:
    """Whether the account is younger than MODERATION_NEW_MEMBER_DAYS."""
    days = current_app.config.get("MODERATION_NEW_MEMBER_DAYS", 0)
    return bool(days) and user.created_at > utcnow() - timedelta(days=days)


def _limiter() -> MovingWindowRateLimiter:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri not in _limiters:
        _limiters[uri] = MovingWindowRateLimiter(storage_from_string(uri, **storage_options(uri)))
    return _limiters[uri]


def check_new_member_rate(user: User, kind: str) -> None:
    """RateLimited when a new member posts ("post") or chats ("chat") faster than their tier."""
    if not is_new_member(user):
        return
    key = "MODERATION_NEW_MEMBER_POST_LIMIT" if kind == "post" else \
        "MODERATION_NEW_MEMBER_CHAT_LIMIT"
    count, seconds = current_app.config[key]
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "commons:")
    if not _limiter().hit(RateLimitItemPerSecond(count, seconds), prefix, "new", kind,
                          str(user.id)):
        raise RateLimited(
            _("New members can send at most %(n)d every %(s)d seconds during their first "
              "days. Wait a moment, then try again.", n=count, s=seconds),
            retry_after=seconds, limit=count,
        )
