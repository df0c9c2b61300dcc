"""The 2026 institution form's columns: 行政复议人员资格 training, assessment and certificates

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 18:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COLUMNS = ['q_trained', 'q_passed', 'q_failed', 'q_issued', 'q_valid']


def upgrade():
    with op.batch_alter_table('values_institution', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('values_institution', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
