"""The 2027 penalty form's columns: 从轻处罚, 涉企, 申请法院强制执行, amounts collected

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:20:00

Counts are nullable INTEGER, money nullable BIGINT fen, like every value column.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COUNTS = ['mild_penalty', 'enterprise_decisions', 'court_enforcement']
MONEY = ['collected_fines', 'collected_gains']


def upgrade():
    with op.batch_alter_table('values_penalty', schema=None) as batch_op:
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        for name in MONEY:
            batch_op.add_column(sa.Column(name, sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('values_penalty', schema=None) as batch_op:
        for name in reversed(COUNTS + MONEY):
            batch_op.drop_column(name)
