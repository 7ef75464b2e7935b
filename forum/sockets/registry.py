"""Kept for callers written against the old entry-point module: the socket bookkeeping now lives
in forum/lib/socket_registry.py, where services reach it without importing an entry point."""

from __future__ import annotations

from forum.lib.socket_registry import disconnect_user, sids_of

__all__ = ["disconnect_user", "sids_of"]
