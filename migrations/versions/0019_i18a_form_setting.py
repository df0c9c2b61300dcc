"""Form settings kept by the municipal office: early drafts for periods not yet open

Revision ID: 0019_i18a
Revises: 0018_i21
Create Date: 2026-11-30 01:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_i18a'
down_revision = '0018_i21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_setting',
        sa.Column('form_code', sa.String(length=32), nullable=False),
        sa.Column('early_drafts', sa.Boolean(), nullable=False, server_default='0'),
        sa.Column('set_by', sa.String(length=128), nullable=True),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('form_code'),
    )


def downgrade():
    op.drop_table('form_setting')
