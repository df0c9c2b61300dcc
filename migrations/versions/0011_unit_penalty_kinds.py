"""Units: the penalty kinds a unit may impose

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 18:30:00

NULL keeps the law's default (every kind not reserved to other bodies; 行政拘留 only for public
security), so existing units need no data.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('penalty_kinds', sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('penalty_kinds')
