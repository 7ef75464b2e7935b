"""indexes found by the benchmarks

Revision ID: 0008_performance
Revises: 0007_api_tokens
Create Date: 2026-11-23 11:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_performance'
down_revision = '0007_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    # Thread lists query pinned and unpinned threads separately, newest activity first: with
    # is_pinned in the key both are short index range scans at any category size.
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_category_pinned_activity',
                              ['category_id', 'is_pinned', 'last_activity_at', 'id'], unique=False)
        batch_op.create_index('ix_threads_category_pinned_created',
                              ['category_id', 'is_pinned', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_category_pinned_created')
        batch_op.drop_index('ix_threads_category_pinned_activity')
