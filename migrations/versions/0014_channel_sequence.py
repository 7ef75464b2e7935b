"""messages.seq: a dense per-channel sequence (1, 2, 3 ... in id order), channels.last_seq

Existing rows are numbered by row_number() per channel in id order (the order clients already
used); each channel's last_seq is its highest number. Plain ALTER TABLE (no batch rebuild): a
rebuilt `messages` table would lose the search triggers of 0006/0009.

Revision ID: 0014_channel_sequence
Revises: 0013_home_read_state
Create Date: 2026-12-03 10:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_channel_sequence'
down_revision = '0013_home_read_state'
branch_labels = None
depends_on = None


def upgrade():
    op.execute('ALTER TABLE channels ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0')
    # NOT NULL from the start (SQLite cannot add it later without a rebuild): 0 until numbered.
    op.execute('ALTER TABLE messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0')
    # UPDATE ... FROM: PostgreSQL and SQLite 3.33+.
    op.execute('UPDATE messages SET seq = numbered.n FROM ('
               'SELECT id, row_number() OVER (PARTITION BY channel_id ORDER BY id) AS n '
               'FROM messages) AS numbered WHERE messages.id = numbered.id')
    op.execute('UPDATE channels SET last_seq = COALESCE('
               '(SELECT max(seq) FROM messages WHERE messages.channel_id = channels.id), 0)')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE messages ALTER COLUMN seq DROP DEFAULT')
    op.create_index('uq_messages_channel_id_seq', 'messages', ['channel_id', 'seq'],
                    unique=True)


def downgrade():
    op.drop_index('uq_messages_channel_id_seq', table_name='messages')
    for table, column in (('messages', 'seq'), ('channels', 'last_seq')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
