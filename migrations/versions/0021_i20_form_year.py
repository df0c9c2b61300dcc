"""The filing list's year filter from an index: (form_code, year)

Revision ID: 0021_i20
Revises: 0020_i18b
Create Date: 2026-11-30 05:40:00
"""
from alembic import op

revision = '0021_i20'
down_revision = '0020_i18b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_filing_form_year', 'filing', ['form_code', 'year'], unique=False)


def downgrade():
    op.drop_index('ix_filing_form_year', table_name='filing')
