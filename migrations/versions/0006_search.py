"""full-text search index

Revision ID: 0006_search
Revises: 0005_notifications
Create Date: 2026-11-23 11:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0006_search'
down_revision = '0005_notifications'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
