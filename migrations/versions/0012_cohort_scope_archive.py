"""Facilitators' cohort-scoped suspensions (cohort_restrictions); archived cohorts may be
read-only (cohorts.read_only)

Revision ID: 0012_cohort_scope_archive
Revises: 0011_login_sessions
Create Date: 2026-12-03 10:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_cohort_scope_archive'
down_revision = '0011_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # Cohorts archived before this revision stay writable: archiving changed nothing for them,
    # and an admin now chooses read-only explicitly.
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'cohort_restrictions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_cohort_restrictions_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'],
                                name=op.f('fk_cohort_restrictions_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_cohort_restrictions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_restrictions')),
        sa.UniqueConstraint('user_id', 'cohort_id',
                            name=op.f('uq_cohort_restrictions_user_id_cohort_id')),
    )
    op.create_index(op.f('ix_cohort_restrictions_cohort_id'), 'cohort_restrictions',
                    ['cohort_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_cohort_restrictions_cohort_id'), table_name='cohort_restrictions')
    op.drop_table('cohort_restrictions')
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), as 0010 does.
    op.execute('ALTER TABLE cohorts DROP COLUMN read_only')
