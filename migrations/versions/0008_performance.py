"""indexes found by the benchmarks

Revision ID: 0008_performance
Revises: 0007_api_tokens
Create Date: 2026-11-23 11:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0008_performance'
down_revision = '0007_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
