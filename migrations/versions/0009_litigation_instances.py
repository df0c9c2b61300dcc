"""The 2024 litigation form's columns: outcomes per instance, 司法建议, 负责人出庭 by rank

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:10:00

The 2015 columns stay (filings up to 2023H2 keep them). Every new column is a nullable count.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

LITIGATION_2024 = [
    't_agreement',
    't_compensation',
    't_injury',
    't_social',
    't_expropriation',
    'f1_concluded',
    'f1_claims_dismissed',
    'f1_suit_dismissed',
    'f1_revoked',
    'f1_varied',
    'f1_unlawful',
    'f1_void',
    'f1_perform',
    'f1_pay',
    'f1_withdrawn_changed',
    'f1_withdrawn',
    'f1_mediated',
    'f1_other',
    'a_concluded',
    'a_upheld',
    'a_reversed',
    'a_remanded',
    'a_withdrawn',
    'a_other',
    'a_lost',
    'rt_concluded',
    'rt_upheld',
    'rt_reversed',
    'rt_remanded',
    'rt_other',
    'rt_lost',
    'head_notified',
    'head_principal',
    'head_deputy',
    'suggestions_received',
    'suggestions_answered',
]


def upgrade():
    with op.batch_alter_table('values_litigation', schema=None) as batch_op:
        for name in LITIGATION_2024:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('values_litigation', schema=None) as batch_op:
        for name in reversed(LITIGATION_2024):
            batch_op.drop_column(name)
