"""Search index tables (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

__all__: list[str] = []
