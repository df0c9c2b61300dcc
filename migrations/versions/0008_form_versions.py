"""Form versions: assignments from a date on; the 2024 reconsideration form's columns

Revision ID: 0008
Revises: 0007 (0007_audit_keyed is added in parallel; re-chain 0008 after it when merging)
Create Date: 2026-11-29 18:00:00

The 2015 reconsideration columns stay: filings up to 2023H2 keep them; 2024 filings fill the
new ones as well. Every new column is a nullable count (no money column is new).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

RECONSIDERATION_2024 = [
    'pre_mediated',
    'applicants_citizen',
    'applicants_org',
    'joint_applications',
    'band_2_4',
    'band_5_9',
    'band_10_29',
    'band_30_plus',
    'x_cg_ps',
    'x_cg_nr',
    'x_cg_hc',
    'x_cg_mk',
    'x_cg_hr',
    'x_cg_ev',
    'x_cg_tr',
    'x_cg_um',
    'x_cg_hl',
    'x_cg_ed',
    'x_cg_ot',
    'x_cd_ps',
    'x_cd_nr',
    'x_cd_hc',
    'x_cd_mk',
    'x_cd_hr',
    'x_cd_ev',
    'x_cd_tr',
    'x_cd_um',
    'x_cd_hl',
    'x_cd_ed',
    'x_cd_ot',
    'x_dg_ps',
    'x_dg_nr',
    'x_dg_hc',
    'x_dg_mk',
    'x_dg_hr',
    'x_dg_ev',
    'x_dg_tr',
    'x_dg_um',
    'x_dg_hl',
    'x_dg_ed',
    'x_dg_ot',
    'x_dd_ps',
    'x_dd_nr',
    'x_dd_hc',
    'x_dd_mk',
    'x_dd_hr',
    'x_dd_ev',
    'x_dd_tr',
    'x_dd_um',
    'x_dd_hl',
    'x_dd_ed',
    'x_dd_ot',
    'x_tw_ps',
    'x_tw_nr',
    'x_tw_hc',
    'x_tw_mk',
    'x_tw_hr',
    'x_tw_ev',
    'x_tw_tr',
    'x_tw_um',
    'x_tw_hl',
    'x_tw_ed',
    'x_tw_ot',
    'x_ot_ps',
    'x_ot_nr',
    'x_ot_hc',
    'x_ot_mk',
    'x_ot_hr',
    'x_ot_ev',
    'x_ot_tr',
    'x_ot_um',
    'x_ot_hl',
    'x_ot_ed',
    'x_ot_ot',
    'm_agreement',
    'm_compensation',
    'm_injury',
    'm_social',
    'm_expropriation',
    'p_amended',
    'p_simplified',
    'p_hearing',
    'p_committee',
    'p_extended',
    'p_suspended',
    'o_void',
    'o_withdrawn_corrected',
    'suggestions_issued',
    'suggestions_implemented',
    'sued_after',
]


def upgrade():
    with op.batch_alter_table('form_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=False, server_default='1900-01-01'))
        batch_op.drop_constraint('uq_assignment', type_='unique')
        batch_op.create_unique_constraint('uq_assignment', ['unit_id', 'form_code', 'valid_from'])
    with op.batch_alter_table('values_reconsideration', schema=None) as batch_op:
        for name in RECONSIDERATION_2024:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('values_reconsideration', schema=None) as batch_op:
        for name in reversed(RECONSIDERATION_2024):
            batch_op.drop_column(name)
    # Assignments from a later date would collide with the restored (unit, form) constraint.
    op.execute("DELETE FROM form_assignment WHERE valid_from <> '1900-01-01'")
    with op.batch_alter_table('form_assignment', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assignment', type_='unique')
        batch_op.create_unique_constraint('uq_assignment', ['unit_id', 'form_code'])
        batch_op.drop_column('valid_from')
