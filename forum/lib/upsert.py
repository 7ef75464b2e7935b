"""INSERT … ON CONFLICT for the two databases Commons runs on."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect_name: str, table):
    """An INSERT of `table` with `on_conflict_do_*`: PostgreSQL's, else SQLite's."""
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)
