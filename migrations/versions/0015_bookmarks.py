"""bookmarks: posts a member saved for later (a thread's opening post stands for the thread)

Revision ID: 0015_bookmarks
Revises: 0014_channel_sequence
Create Date: 2026-12-03 13:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_bookmarks'
down_revision = '0014_channel_sequence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bookmarks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_bookmarks_post_id_posts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_bookmarks_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bookmarks')),
        sa.UniqueConstraint('user_id', 'post_id', name=op.f('uq_bookmarks_user_id_post_id')),
    )
    op.create_index('ix_bookmarks_post_id', 'bookmarks', ['post_id'], unique=False)
    # A person's list, newest first.
    op.create_index('ix_bookmarks_user_id_created_at', 'bookmarks', ['user_id', 'created_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_bookmarks_user_id_created_at', table_name='bookmarks')
    op.drop_index('ix_bookmarks_post_id', table_name='bookmarks')
    op.drop_table('bookmarks')
