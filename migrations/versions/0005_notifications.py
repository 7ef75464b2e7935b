"""notifications and preferences

Revision ID: 0005_notifications
Revises: 0004_moderation
Create Date: 2026-11-23 11:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0005_notifications'
down_revision = '0004_moderation'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
