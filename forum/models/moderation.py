"""Moderation: flags, moderator actions, the audit log, warnings."""

from __future__ import annotations

__all__: list[str] = []
