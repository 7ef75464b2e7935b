"""Notifications: who is told what, in-app and by mail.

Contract used by other services (filled by the notifications work):
  * `notify_*` functions only ADD rows to the caller's session; the caller commits once;
  * they return a `Pending` value the caller hands to `deliver()` AFTER its commit, which pushes
    the live badge update (and immediate mail) — a broadcast never precedes the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Pending:
    """Notifications recorded in the current transaction, to deliver after commit."""

    user_ids: set[int] = field(default_factory=set)
    notification_ids: list[int] = field(default_factory=list)


def notify_moderation(recipient_id: int, *, action: str, reason: str, target_type: str,
                      target_id: int, url: str | None, actor_id: int) -> Pending:
    """Tell an author a moderator acted on their content or account (hide, restore, warn...)."""
    return Pending()


def deliver(pending: Pending | None) -> None:
    """After commit: push unread counts to the recipients' sockets and send immediate mail."""
    return None
