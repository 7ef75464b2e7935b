"""threads.post_count (pages without counting posts); notifications remember what they quote
and keep one unread row per target; holds remember whether their item was ever announced

Revision ID: 0010_post_count_quote_source
Revises: 0009_search_prefix
Create Date: 2026-11-23 17:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_post_count_quote_source'
down_revision = '0009_search_prefix'
branch_labels = None
depends_on = None

# As in forum/models/notification.py at this revision (a migration never imports the models).
COLLAPSING = "read_at IS NULL AND kind <> 'moderation'"


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_count', sa.Integer(), nullable=False,
                                      server_default='0'))
    # Every post row counts, deleted and hidden ones too: they keep their place on the pages.
    op.execute('UPDATE threads SET post_count = '
               '(SELECT count(*) FROM posts WHERE posts.thread_id = threads.id)')
    # Existing rows quote nothing known (they keep their text); new ones name their source.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_type', sa.String(length=16), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_notifications_source', ['source_type', 'source_id'],
                              unique=False)
    # One unread row per recipient and target for the kinds that count up. Rows a race doubled
    # before this index are merged: the newest stays unread, the older ones count as read.
    op.execute(f"UPDATE notifications SET read_at = CURRENT_TIMESTAMP WHERE {COLLAPSING} "
               f"AND id NOT IN (SELECT max(id) FROM notifications WHERE {COLLAPSING} "
               "GROUP BY user_id, kind, target_type, target_id)")
    op.create_index('uq_notifications_unread_target', 'notifications',
                    ['user_id', 'kind', 'target_type', 'target_id'], unique=True,
                    sqlite_where=sa.text(COLLAPSING), postgresql_where=sa.text(COLLAPSING))
    # Items held today by the word filter were never announced: their release tells people.
    with op.batch_alter_table('moderation_holds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announce_on_release', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE moderation_holds SET announce_on_release = true WHERE actor_id IS NULL "
               "AND EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'word_hold' "
               "AND a.target_type = moderation_holds.target_type "
               "AND a.target_id = moderation_holds.target_id)")


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL) rather than batch mode: recreating
    # `threads` would drop the search triggers 0009 put on it.
    op.drop_index('uq_notifications_unread_target', table_name='notifications')
    op.drop_index('ix_notifications_source', table_name='notifications')
    for table, column in (('moderation_holds', 'announce_on_release'),
                          ('notifications', 'source_id'), ('notifications', 'source_type'),
                          ('threads', 'post_count')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
