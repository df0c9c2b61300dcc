"""Case registers: reconsideration and litigation cases, applicants, 案号 counters, holidays

Also form_assignment.from_register: the unit keeps its register in the portal and its
half-yearly forms are prefilled from the cases (issue 17).

Revision ID: 0017_i17
Revises: 0016_i19
Create Date: 2026-11-29 21:34:39.757954

"""
import sqlalchemy as sa
from alembic import op

RECEIPT_INCLUDE = ["unit_id", "intake", "refusal_reason", "matter", "respondent_level", "domain", "amend_requested",
                   "people", "org_applicants", "procedure", "hearing", "committee", "extension_days", "suspended_on",
                   "decided_on"]
DECIDED_INCLUDE = ["id", "unit_id", "outcome", "opinion_issued", "suggestion_issued"]
OPEN_INCLUDE = ["unit_id", "procedure", "hearing", "committee", "extension_days", "suspended_on"]

# revision identifiers, used by Alembic.
revision = '0017_i17'
down_revision = '0016_i19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    op.create_table('case_counter',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('register', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'register', 'year')
    )
    op.create_table('case_prefix',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id')
    )
    op.create_table('recon_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=48), nullable=False),
    sa.Column('case_year', sa.Integer(), nullable=True),
    sa.Column('case_seq', sa.Integer(), nullable=True),
    sa.Column('receipt_date', sa.Date(), nullable=False),
    sa.Column('receipt_channel', sa.String(length=8), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('org_applicants', sa.Integer(), nullable=False),
    sa.Column('respondent_unit_id', sa.Integer(), nullable=True),
    sa.Column('respondent_name', sa.String(length=128), nullable=False),
    sa.Column('respondent_level', sa.String(length=4), nullable=False),
    sa.Column('domain', sa.String(length=4), nullable=False),
    sa.Column('matter', sa.String(length=24), nullable=False),
    sa.Column('act_name', sa.String(length=256), nullable=False),
    sa.Column('act_number', sa.String(length=128), nullable=False),
    sa.Column('act_date', sa.Date(), nullable=True),
    sa.Column('amend_requested', sa.Date(), nullable=True),
    sa.Column('amend_received', sa.Date(), nullable=True),
    sa.Column('intake', sa.String(length=12), nullable=True),
    sa.Column('intake_date', sa.Date(), nullable=True),
    sa.Column('refusal_reason', sa.String(length=16), nullable=True),
    sa.Column('procedure', sa.String(length=8), nullable=False),
    sa.Column('hearing', sa.Boolean(), nullable=False),
    sa.Column('committee', sa.Boolean(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=True),
    sa.Column('extension_reason', sa.String(length=256), nullable=True),
    sa.Column('extension_approver', sa.String(length=64), nullable=True),
    sa.Column('suspended_on', sa.Date(), nullable=True),
    sa.Column('resumed_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('opinion_issued', sa.Boolean(), nullable=False),
    sa.Column('suggestion_issued', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('act_key', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['respondent_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'case_no', name='uq_recon_case_no')
    )
    with op.batch_alter_table('recon_case', schema=None) as batch_op:
        # The statistics read these ranges with what they count included (PostgreSQL: index-only scans).
        batch_op.create_index('ix_recon_case_receipt', ['receipt_date', 'id'], unique=False,
                              postgresql_include=RECEIPT_INCLUDE)
        batch_op.create_index('ix_recon_case_decided', ['decided_on'], unique=False,
                              postgresql_include=DECIDED_INCLUDE)
        batch_op.create_index('ix_recon_case_open', ['intake', 'decided_on', 'receipt_date'], unique=False,
                              postgresql_include=OPEN_INCLUDE)
        batch_op.create_index('ix_recon_case_due', ['due_on'], unique=False)
        batch_op.create_index('ix_recon_case_act_key', ['act_key', 'respondent_name'], unique=False)
        batch_op.create_index('ix_recon_case_unit_decided', ['unit_id', 'decided_on'], unique=False)
        # prefix searches (LIKE 'x%'): text_pattern_ops lets PostgreSQL use the index in any collation
        batch_op.create_index('ix_recon_case_no', ['case_no'], unique=False,
                              postgresql_ops={'case_no': 'text_pattern_ops'})
        batch_op.create_index('ix_recon_case_act', ['act_number'], unique=False,
                              postgresql_ops={'act_number': 'text_pattern_ops'})
        batch_op.create_index('ix_recon_case_respondent_name', ['respondent_name'], unique=False,
                              postgresql_ops={'respondent_name': 'text_pattern_ops'})
        batch_op.create_index('ix_recon_case_respondent', ['respondent_unit_id', 'receipt_date'], unique=False)
        batch_op.create_index('ix_recon_case_unit_receipt', ['unit_id', 'receipt_date'], unique=False)

    op.create_table('litigation_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('court_case_no', sa.String(length=64), nullable=False),
    sa.Column('court', sa.String(length=64), nullable=False),
    sa.Column('instance', sa.String(length=4), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('plaintiffs', sa.String(length=256), nullable=False),
    sa.Column('act_name', sa.String(length=256), nullable=False),
    sa.Column('act_number', sa.String(length=128), nullable=False),
    sa.Column('matter', sa.String(length=24), nullable=False),
    sa.Column('recon_case_id', sa.Integer(), nullable=True),
    sa.Column('co_defendant', sa.Boolean(), nullable=False),
    sa.Column('complaint_received', sa.Date(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('hearing_date', sa.Date(), nullable=True),
    sa.Column('head_attended', sa.Boolean(), nullable=False),
    sa.Column('head_name', sa.String(length=64), nullable=True),
    sa.Column('head_rank', sa.String(length=4), nullable=True),
    sa.Column('judgement_kind', sa.String(length=4), nullable=True),
    sa.Column('judgement_date', sa.Date(), nullable=True),
    sa.Column('served_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('suggestion_received', sa.Date(), nullable=True),
    sa.Column('suggestion_answered', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['previous_id'], ['litigation_case.id'], ),
    sa.ForeignKeyConstraint(['recon_case_id'], ['recon_case.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('court', 'court_case_no', name='uq_litigation_case_no')
    )
    with op.batch_alter_table('litigation_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_litigation_case_recon_case_id'), ['recon_case_id'], unique=False)
        batch_op.create_index('ix_litigation_unit_received', ['unit_id', 'complaint_received'], unique=False)

    op.create_table('recon_applicant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('id_number_sealed', sa.Text(), nullable=True),
    sa.Column('id_number_index', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['recon_case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recon_applicant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recon_applicant_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recon_applicant_id_number_index'), ['id_number_index'], unique=False)
        batch_op.create_index('ix_recon_applicant_name', ['name'], unique=False,
                              postgresql_ops={'name': 'text_pattern_ops'})

    with op.batch_alter_table('form_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_register', sa.Boolean(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('form_assignment', schema=None) as batch_op:
        batch_op.drop_column('from_register')

    with op.batch_alter_table('recon_applicant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recon_applicant_name'))
        batch_op.drop_index(batch_op.f('ix_recon_applicant_id_number_index'))
        batch_op.drop_index(batch_op.f('ix_recon_applicant_case_id'))

    op.drop_table('recon_applicant')
    with op.batch_alter_table('litigation_case', schema=None) as batch_op:
        batch_op.drop_index('ix_litigation_unit_received')
        batch_op.drop_index(batch_op.f('ix_litigation_case_recon_case_id'))

    op.drop_table('litigation_case')
    with op.batch_alter_table('recon_case', schema=None) as batch_op:
        batch_op.drop_index('ix_recon_case_unit_receipt')
        batch_op.drop_index('ix_recon_case_respondent')
        batch_op.drop_index('ix_recon_case_act')

    op.drop_table('recon_case')
    op.drop_table('case_prefix')
    op.drop_table('case_counter')
    op.drop_table('holiday')
