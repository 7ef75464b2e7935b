"""users.timezone_chosen: whether the member picked their zone or it follows their browser

Members who set a zone other than the default UTC chose it (the profile was the only way to set
one): theirs stays. Everyone else now follows the zone their browser reports.

Revision ID: 0016_timezone_choice
Revises: 0015_bookmarks
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_timezone_choice'
down_revision = '0015_bookmarks'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no batch rebuild of `users`.
    op.add_column('users', sa.Column('timezone_chosen', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.execute(sa.text("UPDATE users SET timezone_chosen = :yes WHERE timezone <> 'UTC'")
               .bindparams(yes=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), as 0010 does.
    op.execute('ALTER TABLE users DROP COLUMN timezone_chosen')
