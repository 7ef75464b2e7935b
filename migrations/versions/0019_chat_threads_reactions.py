"""chat: replies in thread (messages.thread_root_id, in_channel, reply_count, last_reply_at)
and reactions on messages (message_reactions)

Plain ALTER TABLE (no batch rebuild): a rebuilt `messages` table would lose the search triggers
of 0006/0009. Existing messages are roots with no replies, shown in their channel.

Revision ID: 0019_chat_threads_reactions
Revises: 0017_space_templates
Create Date: 2026-12-03 13:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_chat_threads_reactions'
down_revision = '0017_space_templates'
branch_labels = None
depends_on = None

_COLUMNS = ('thread_root_id', 'in_channel', 'reply_count', 'last_reply_at')


def upgrade():
    op.execute('ALTER TABLE messages ADD COLUMN thread_root_id INTEGER')
    # NOT NULL from the start (SQLite cannot add it later without a rebuild).
    op.execute('ALTER TABLE messages ADD COLUMN in_channel BOOLEAN NOT NULL DEFAULT true')
    op.execute('ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0')
    timestamp = 'TIMESTAMP WITH TIME ZONE' if op.get_bind().dialect.name == 'postgresql' \
        else 'DATETIME'
    op.execute(f'ALTER TABLE messages ADD COLUMN last_reply_at {timestamp}')
    # A thread's replies in order, and "is this message a root?" for the summaries.
    op.create_index('ix_messages_thread_root_id_seq', 'messages', ['thread_root_id', 'seq'],
                    unique=False)
    op.create_table(
        'message_reactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('emoji', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_message_reactions_message_id_messages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_message_reactions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_reactions')),
        sa.UniqueConstraint('message_id', 'user_id', 'emoji',
                            name=op.f('uq_message_reactions_message_id_user_id_emoji')),
    )
    op.create_index(op.f('ix_message_reactions_message_id'), 'message_reactions',
                    ['message_id'], unique=False)
    op.create_index(op.f('ix_message_reactions_user_id'), 'message_reactions', ['user_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_message_reactions_user_id'), table_name='message_reactions')
    op.drop_index(op.f('ix_message_reactions_message_id'), table_name='message_reactions')
    op.drop_table('message_reactions')
    op.drop_index('ix_messages_thread_root_id_seq', table_name='messages')
    for column in reversed(_COLUMNS):
        op.execute(f'ALTER TABLE messages DROP COLUMN {column}')
