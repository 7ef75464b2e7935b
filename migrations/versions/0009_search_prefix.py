"""search: FTS5 prefix indexes (SQLite)

Revision ID: 0009_search_prefix
Revises: 0008_performance
Create Date: 2026-11-23 17:20:00

SQLite: the FTS5 tables are rebuilt with `prefix='2 3 4 5 6 7 8'` (forum.models.search) so a
searched word — always a prefix query — is read lazily, newest first, instead of merging every
match of every token that starts with it. PostgreSQL's tsvector index is unchanged.
"""
from alembic import op

from forum.models.search import install_search_index, uninstall_search_index

# revision identifiers, used by Alembic.
revision = '0009_search_prefix'
down_revision = '0008_performance'
branch_labels = None
depends_on = None

# Frozen here: forum.models.search.SQLITE_PREFIX_LENGTHS may change in a later revision.
_PREFIX_0009 = "2 3 4 5 6 7 8"


def _rebuild(prefix):
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    uninstall_search_index(bind)  # FTS5 options are fixed at CREATE: drop, create, reindex
    install_search_index(bind, sqlite_prefix=prefix)


def upgrade():
    _rebuild(_PREFIX_0009)


def downgrade():
    _rebuild(None)  # the tables as 0006_search made them: no prefix indexes
