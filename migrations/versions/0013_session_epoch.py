"""Sessions that really end: a per-account session epoch

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 17:40:00

Every session cookie and JWT carries the epoch of its account at sign-in; logout, a password change
or reset, deactivation and lockout move the epoch on, which ends them all (app.sessions,
app.security).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
