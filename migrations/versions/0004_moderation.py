"""moderation: flags, actions, audit log

Revision ID: 0004_moderation
Revises: 0003_chat
Create Date: 2026-11-23 11:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0004_moderation'
down_revision = '0003_chat'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
