"""full-text search index

Revision ID: 0006_search
Revises: 0005_notifications
Create Date: 2026-11-23 11:10:00

SQLite: FTS5 tables kept in sync by triggers; PostgreSQL: unaccent + GIN expression indexes.
The DDL lives in forum.models.search so the test schema setup installs exactly the same thing.
"""
from alembic import op

from forum.models.search import install_search_index, uninstall_search_index

# revision identifiers, used by Alembic.
revision = '0006_search'
down_revision = '0005_notifications'
branch_labels = None
depends_on = None


def upgrade():
    install_search_index(op.get_bind())


def downgrade():
    uninstall_search_index(op.get_bind())
