"""The full-text search index: pure DDL kept in sync by the database itself.

SQLite: one FTS5 table per source (external content, so the text is not stored twice), kept in
sync by triggers on insert / update / delete. PostgreSQL: a stored generated `fts_vector`
column on each source table, `forum_search_vector(text)` — an IMMUTABLE wrapper of
`to_tsvector('simple', unaccent(text))` — with a GIN index on it.
Either way no service has to remember to update an index and nothing can drift; visibility
(hidden, deleted, other cohorts) is decided at query time against the source rows.

The same `install_search_index(conn)` runs from the Alembic migration (`flask db upgrade`) and
from the test schema setup (`db.create_all()` + install). None of these objects are in the
SQLAlchemy metadata (nor in the models: no ORM statement reads or writes `fts_vector`); their
names all start with `fts_` so `include_name` can keep Alembic's
autogenerate and comparison away from them.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

__all__ = ["FTS_PREFIX", "SEARCH_SOURCES", "SQLITE_PREFIX_LENGTHS", "VECTOR_COLUMN",
           "include_name", "install_search_index", "uninstall_search_index"]

FTS_PREFIX = "fts_"
# PostgreSQL: the stored tsvector column added to each source table (not in the models).
VECTOR_COLUMN = "fts_vector"
# (index name, source table, indexed column)
SEARCH_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("fts_threads", "threads", "title"),
    ("fts_posts", "posts", "body_source"),
    ("fts_messages", "messages", "body_source"),
)
# The scripts written without spaces (Hiragana, Katakana, CJK ideographs, Hangul), as a PostgreSQL
# regular-expression class; forum.services.search.snippets.is_cjk uses the same ranges.
CJK_CLASS = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff"
# remove_diacritics 2: "resume" finds "résumé" (and the reverse) on SQLite.
_SQLITE_TOKENIZE = "unicode61 remove_diacritics 2"
# FTS5 prefix indexes for query words of 2 to 8 characters. Every word is searched as a prefix
# ("resu" finds "résumé"); without an index of exactly the word's length FTS5 first merges the
# match lists of every token starting with it into one list in memory — all 340,000 posts of a
# common word at 1M posts (12 ms) before it can hand out the newest 200. With the index the
# prefix is one list read lazily, newest first, like a whole word. Longer words are rarer and
# keep the merge. The price is index size: 6.5x the FTS5 data (1M posts and 1M chat messages:
# 131 MB -> 849 MB) and a rebuild 4x longer.
SQLITE_PREFIX_LENGTHS = "2 3 4 5 6 7 8"


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic hook: leave the search index objects (FTS5 tables, GIN indexes) alone."""
    return not (type_ in ("table", "index", "column") and name and name.startswith(FTS_PREFIX))


def _sqlite_statements(prefix: str | None = SQLITE_PREFIX_LENGTHS) -> list[str]:
    """The FTS5 tables, triggers and rebuild; `prefix` None: without prefix indexes (0006)."""
    statements = []
    options = f", prefix='{prefix}'" if prefix else ""
    for index, table, column in SEARCH_SOURCES:
        statements += [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({column}, content='{table}', "
            f"content_rowid='id', tokenize='{_SQLITE_TOKENIZE}'{options})",
            f"CREATE TRIGGER IF NOT EXISTS {index}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {index}(rowid, {column}) VALUES (new.id, new.{column}); END",
            # External content: FTS5 needs the old text to remove its tokens.
            f"CREATE TRIGGER IF NOT EXISTS {index}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {column}) "
            f"VALUES ('delete', old.id, old.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {index}_au AFTER UPDATE OF {column} ON {table} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {column}) "
            f"VALUES ('delete', old.id, old.{column}); "
            f"INSERT INTO {index}(rowid, {column}) VALUES (new.id, new.{column}); END",
            # Index whatever the table already holds (upgrading a live database).
            f"INSERT INTO {index}({index}) VALUES ('rebuild')",
        ]
    return statements


def _postgresql_statements() -> list[str]:
    statements = [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        # unaccent() is only STABLE (its dictionary could change), so it cannot sit in an index
        # expression; this wrapper pins the dictionary and is declared IMMUTABLE.
        # CJK is written without spaces: every CJK character becomes a word of its own, so
        # a Chinese word is found, through the index, as a phrase of characters ('搜' <-> '索').
        "CREATE OR REPLACE FUNCTION forum_search_vector(body text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT to_tsvector('simple'::regconfig, "
        "public.unaccent('public.unaccent'::regdictionary, "
        f"regexp_replace(coalesce(body, ''), '([{CJK_CLASS}])', ' \\1 ', 'g'))) $$",
        "CREATE OR REPLACE FUNCTION forum_search_query(query text) RETURNS tsquery "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT to_tsquery('simple'::regconfig, "
        "public.unaccent('public.unaccent'::regdictionary, query)) $$",
    ]
    for index, table, column in SEARCH_SOURCES:
        statements += [
            # A stored generated column rather than an expression index: ranking reads the
            # vector instead of re-parsing every matching text (10x faster on common words).
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
            f"GENERATED ALWAYS AS (forum_search_vector({column})) STORED",
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({VECTOR_COLUMN})",
        ]
    return statements


def install_search_index(conn: Connection, sqlite_prefix: str | None = SQLITE_PREFIX_LENGTHS
                         ) -> None:
    """Create the search index for the connection's database (idempotent)."""
    if conn.dialect.name == "sqlite":
        statements = _sqlite_statements(sqlite_prefix)
    elif conn.dialect.name == "postgresql":
        statements = _postgresql_statements()
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"no search index for {conn.dialect.name}")
    for statement in statements:
        conn.execute(text(statement))


def uninstall_search_index(conn: Connection) -> None:
    """Drop the search index objects (the unaccent extension stays: others may use it)."""
    for index, _table, _column in SEARCH_SOURCES:
        if conn.dialect.name == "sqlite":
            for suffix in ("ai", "ad", "au"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {index}_{suffix}"))
            conn.execute(text(f"DROP TABLE IF EXISTS {index}"))
        else:
            conn.execute(text(f"DROP INDEX IF EXISTS {index}"))
            conn.execute(text(f"ALTER TABLE {_table} DROP COLUMN IF EXISTS {VECTOR_COLUMN}"))
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP FUNCTION IF EXISTS forum_search_vector(text)"))
        conn.execute(text("DROP FUNCTION IF EXISTS forum_search_query(text)"))
