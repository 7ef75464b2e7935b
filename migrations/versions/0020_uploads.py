"""uploads: pictures and documents attached to posts and messages; users.avatar_token

Revision ID: 0020_uploads
Revises: 0019_chat_threads_reactions
Create Date: 2026-12-03 13:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_uploads'
down_revision = '0019_chat_threads_reactions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('thumbnail_key', sa.String(length=200), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('is_avatar', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attached_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_uploads_message_id_messages'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'],
                                name=op.f('fk_uploads_owner_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_uploads_post_id_posts'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
        sa.UniqueConstraint('token', name=op.f('uq_uploads_token')),
    )
    op.create_index('ix_uploads_owner_id_created_at', 'uploads', ['owner_id', 'created_at'])
    op.create_index('ix_uploads_post_id', 'uploads', ['post_id'])
    op.create_index('ix_uploads_message_id', 'uploads', ['message_id'])
    op.execute('ALTER TABLE users ADD COLUMN avatar_token VARCHAR(32)')


def downgrade():
    op.execute('ALTER TABLE users DROP COLUMN avatar_token')
    op.drop_index('ix_uploads_message_id', table_name='uploads')
    op.drop_index('ix_uploads_post_id', table_name='uploads')
    op.drop_index('ix_uploads_owner_id_created_at', table_name='uploads')
    op.drop_table('uploads')
