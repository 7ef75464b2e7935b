"""login sessions: one row per sign-in on a device, so logout and "end this session" are
server-side (cookies name the row and carry a key whose digest it stores); pending
registrations: open-invitation sign-ups wait for their address to be confirmed

Revision ID: 0011_login_sessions
Revises: 0010_post_count_quote_source
Create Date: 2026-12-03 10:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_login_sessions'
down_revision = '0010_post_count_quote_source'
branch_labels = None
depends_on = None


def upgrade():
    # Cookies issued before this revision name no login session: they are refused, so everyone
    # logs in once more after the upgrade.
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'],
                    unique=False)
    op.create_table('pending_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('username', sa.String(length=30), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'],
                            name=op.f('fk_pending_registrations_invitation_id_invitations'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registrations')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_pending_registrations_key_hash')),
    )
    op.create_index(op.f('ix_pending_registrations_invitation_id'), 'pending_registrations',
                    ['invitation_id'], unique=False)
    op.create_index(op.f('ix_pending_registrations_created_at'), 'pending_registrations',
                    ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_pending_registrations_created_at'),
                  table_name='pending_registrations')
    op.drop_index(op.f('ix_pending_registrations_invitation_id'),
                  table_name='pending_registrations')
    op.drop_table('pending_registrations')
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
