"""inbox lanes: per-resident queue heads, worker heartbeats, whole webhookEventIds, outbox

Revision ID: 0011a
Revises: 0008a, 0007b
Create Date: 2026-11-30 19:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011a'
down_revision = ('0008a', '0007b')  # main's head and issue 7's (not in main yet): one head again
branch_labels = None
depends_on = None

UNFINISHED = sa.text("state IN ('pending', 'processing', 'replying')")
ACTIVE_LANE = sa.text("state <> 'idle'")


def upgrade() -> None:
    op.create_table('inbox_lane',
    sa.Column('key', sa.String(length=72), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=True),
    sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=96), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('inbox_lane', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_lane_due', ['due_at'], unique=False,
                              postgresql_where=ACTIVE_LANE, sqlite_where=ACTIVE_LANE)

    op.create_table('inbox_worker',
    sa.Column('name', sa.String(length=96), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('threads', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )

    with op.batch_alter_table('inbox_event', schema=None) as batch_op:
        batch_op.alter_column('webhook_event_id', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=255), existing_nullable=False)
        batch_op.add_column(sa.Column('lane', sa.String(length=72), nullable=True))
        batch_op.add_column(sa.Column('outbox', sa.Text(), nullable=True))
        batch_op.drop_index('ix_inbox_event_next_attempt_at')
        batch_op.drop_column('locked_until')

    # Every stored event gets its lane: its resident's, or one of its own; an event a dead worker held is
    # simply pending again (its handler never committed: the commit and the claim's end are one transaction).
    op.execute("UPDATE inbox_event SET lane = COALESCE(user_hash, 'event:' || CAST(id AS VARCHAR(20)))")
    op.execute("UPDATE inbox_event SET state = 'pending' WHERE state = 'processing'")
    op.execute("INSERT INTO inbox_lane (key, state, due_at, waiting) "
               "SELECT lane, 'ready', MIN(next_attempt_at), COUNT(*) FROM inbox_event "
               "WHERE state IN ('pending', 'processing', 'replying') GROUP BY lane")
    op.execute("INSERT INTO inbox_lane (key, state, waiting) SELECT DISTINCT lane, 'idle', 0 FROM inbox_event "
               "WHERE lane NOT IN (SELECT key FROM inbox_lane)")

    with op.batch_alter_table('inbox_event', schema=None) as batch_op:
        batch_op.alter_column('lane', existing_type=sa.String(length=72), nullable=False)
        batch_op.create_index('ix_inbox_event_lane_unfinished', ['lane', 'id'], unique=False,
                              postgresql_where=UNFINISHED, sqlite_where=UNFINISHED)
        batch_op.create_index('ix_inbox_event_backlog', ['id'], unique=False,
                              postgresql_where=UNFINISHED, sqlite_where=UNFINISHED)


def downgrade() -> None:
    with op.batch_alter_table('inbox_event', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_event_backlog')
        batch_op.drop_index('ix_inbox_event_lane_unfinished')
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_inbox_event_next_attempt_at', ['next_attempt_at'], unique=False)
        batch_op.drop_column('outbox')
        batch_op.drop_column('lane')
        batch_op.alter_column('webhook_event_id', existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=64), existing_nullable=False)
    op.drop_table('inbox_worker')
    with op.batch_alter_table('inbox_lane', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_lane_due')
    op.drop_table('inbox_lane')
