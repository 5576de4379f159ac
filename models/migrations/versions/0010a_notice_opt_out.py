"""Notice opt-outs kept after a resident deletes their data (a hash of the LINE user id only); districts' updated_at

Revision ID: 0010a
Revises: 0012a
Create Date: 2026-11-30 22:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010a'
down_revision = '0012a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_hash')
    )
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
    op.drop_table('notice_opt_out')
