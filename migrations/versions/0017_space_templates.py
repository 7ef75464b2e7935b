"""space_templates: the cohort template (spaces every new cohort starts with), seeded with a
lounge, an ask-a-mentor space and a general chat channel

Revision ID: 0017_space_templates
Revises: 0016_timezone_choice
Create Date: 2026-12-03 13:40:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_space_templates'
down_revision = '0016_timezone_choice'
branch_labels = None
depends_on = None

# The same three spaces as forum/services/space_templates.DEFAULT_SPACES (copied: a migration
# never imports application code, which changes after it).
DEFAULTS = [
    ('category', '{cohort} lounge', '{slug}-lounge', 'discussion',
     "The cohort's own space: only its members, mentors and facilitators read it."),
    ('category', 'Ask a mentor', '{slug}-ask-a-mentor', 'ask_mentor',
     "Private questions: only you and the cohort's mentors see them."),
    ('channel', 'general', 'c{id}-general', 'discussion', ''),
]


def upgrade():
    table = op.create_table(
        'space_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name_pattern', sa.String(length=120), nullable=False),
        sa.Column('slug_pattern', sa.String(length=80), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_space_templates')),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # as forum.models.base.UTCDateTime stores it
    op.bulk_insert(table, [
        {'position': n, 'kind': kind, 'name_pattern': name, 'slug_pattern': slug, 'mode': mode,
         'description': description, 'created_at': now}
        for n, (kind, name, slug, mode, description) in enumerate(DEFAULTS)])


def downgrade():
    op.drop_table('space_templates')
