"""Reviewers' daily work: the review list's stored facts, return reasons, reminders sent

Revision ID: 0020_i18b
Revises: 0018_i21
Create Date: 2026-11-30 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_i18b'
down_revision = '0019_i18a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_late', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('warning_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('filing_transition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_filing_transition_reason_code', ['reason_code'], unique=False)
    # Returns made before reasons were chosen from a list count as 其他 (their text is kept).
    op.execute("UPDATE filing_transition SET reason_code = 'other' "
               "WHERE action IN ('return', 'unit_return') AND reason_code IS NULL")
    op.create_table(
        'reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('unit.id'), nullable=False),
        sa.Column('form_code', sa.String(length=32), nullable=False),
        sa.Column('period_key', sa.String(length=8), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), sa.ForeignKey('ab_user.id'), nullable=True),
        sa.Column('sent_by', sa.String(length=128), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('mailed', sa.Integer(), nullable=False),
        sa.Column('mail_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reminder_target', 'reminder', ['form_code', 'period_key', 'unit_id'], unique=False)


def downgrade():
    op.drop_index('ix_reminder_target', table_name='reminder')
    op.drop_table('reminder')
    with op.batch_alter_table('filing_transition', schema=None) as batch_op:
        batch_op.drop_index('ix_filing_transition_reason_code')
        batch_op.drop_column('reason_code')
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_column('warning_count')
        batch_op.drop_column('days_late')
