"""Units' sign-off block for printed forms: 单位负责人, 统计负责人, 联系电话

Revision ID: 0016_i19
Revises: 0015_i20
Create Date: 2026-11-29 21:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_i19'
down_revision = '0015_i20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('stats_head_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('stats_head_name')
        batch_op.drop_column('head_name')
