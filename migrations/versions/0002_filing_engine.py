"""Filing engine and the penalty form

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 21:49:54.227535

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deadline_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=32), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by', sa.String(length=128), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_code', 'period_key', name='uq_deadline')
    )
    op.create_table('filing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sub', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('first_reported_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_code', 'unit_id', 'period_key', name='uq_filing')
    )
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_form_code'), ['form_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_year'), ['year'], unique=False)

    op.create_table('form_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=32), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'form_code', name='uq_assignment')
    )
    op.create_table('correction_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_request_filing_id'), ['filing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correction_request_state'), ['state'], unique=False)

    op.create_table('filing_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('filing_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_transition_filing_id'), ['filing_id'], unique=False)

    op.create_table('values_penalty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('cases_opened', sa.Integer(), nullable=True),
    sa.Column('cases_closed', sa.Integer(), nullable=True),
    sa.Column('decisions_total', sa.Integer(), nullable=True),
    sa.Column('k_warning', sa.Integer(), nullable=True),
    sa.Column('k_criticism', sa.Integer(), nullable=True),
    sa.Column('k_fine', sa.Integer(), nullable=True),
    sa.Column('k_gains', sa.Integer(), nullable=True),
    sa.Column('k_property', sa.Integer(), nullable=True),
    sa.Column('k_suspend_licence', sa.Integer(), nullable=True),
    sa.Column('k_downgrade', sa.Integer(), nullable=True),
    sa.Column('k_revoke_licence', sa.Integer(), nullable=True),
    sa.Column('k_restrict_business', sa.Integer(), nullable=True),
    sa.Column('k_suspend_operations', sa.Integer(), nullable=True),
    sa.Column('k_closure', sa.Integer(), nullable=True),
    sa.Column('k_occupation_ban', sa.Integer(), nullable=True),
    sa.Column('k_detention', sa.Integer(), nullable=True),
    sa.Column('k_other', sa.Integer(), nullable=True),
    sa.Column('amount_fines', sa.BigInteger(), nullable=True),
    sa.Column('amount_gains', sa.BigInteger(), nullable=True),
    sa.Column('amount_property', sa.BigInteger(), nullable=True),
    sa.Column('proc_summary', sa.Integer(), nullable=True),
    sa.Column('proc_ordinary', sa.Integer(), nullable=True),
    sa.Column('hearings_notified', sa.Integer(), nullable=True),
    sa.Column('hearings_held', sa.Integer(), nullable=True),
    sa.Column('legal_reviews', sa.Integer(), nullable=True),
    sa.Column('no_penalty', sa.Integer(), nullable=True),
    sa.Column('reduced_penalty', sa.Integer(), nullable=True),
    sa.Column('reconsidered', sa.Integer(), nullable=True),
    sa.Column('reconsidered_corrected', sa.Integer(), nullable=True),
    sa.Column('sued', sa.Integer(), nullable=True),
    sa.Column('sued_lost', sa.Integer(), nullable=True),
    sa.Column('referred', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('filing_id', 'revision', name='uq_values_penalty')
    )
    with op.batch_alter_table('values_penalty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_values_penalty_filing_id'), ['filing_id'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table('values_penalty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_values_penalty_filing_id'))

    op.drop_table('values_penalty')
    with op.batch_alter_table('filing_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_transition_filing_id'))

    op.drop_table('filing_transition')
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_request_state'))
        batch_op.drop_index(batch_op.f('ix_correction_request_filing_id'))

    op.drop_table('correction_request')
    op.drop_table('form_assignment')
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_year'))
        batch_op.drop_index(batch_op.f('ix_filing_unit_id'))
        batch_op.drop_index(batch_op.f('ix_filing_state'))
        batch_op.drop_index(batch_op.f('ix_filing_form_code'))

    op.drop_table('filing')
    op.drop_table('deadline_override')
