"""personal access tokens

Revision ID: 0007_api_tokens
Revises: 0006_search
Create Date: 2026-11-23 11:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0007_api_tokens'
down_revision = '0006_search'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
