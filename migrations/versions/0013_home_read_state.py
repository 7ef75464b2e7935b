"""the home page: threads by latest activity across every space; each member's visits

Revision ID: 0013_home_read_state
Revises: 0012_cohort_scope_archive
Create Date: 2026-12-03 10:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_home_read_state'
down_revision = '0012_cohort_scope_archive'
branch_labels = None
depends_on = None


def upgrade():
    # Latest and Unread list every readable space at once, newest activity first: the
    # per-category indexes cannot serve an ORDER BY across categories.
    op.create_index('ix_threads_activity', 'threads', ['last_activity_at', 'id'], unique=False)
    # "New since your last visit": when the current visit began and when the one before did.
    op.create_table(
        'member_visits',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('previous_visit_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_member_visits_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_member_visits')),
    )


def downgrade():
    op.drop_table('member_visits')
    op.drop_index('ix_threads_activity', table_name='threads')
