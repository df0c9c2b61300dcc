"""Document workflows: 规范性文件备案审查 and 信息报送 (one transition log, one file store)

Revision ID: 0018_i21
Revises: 0017_i17
Create Date: 2026-11-29 22:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_i21'
down_revision = '0017_i17'
branch_labels = None
depends_on = None


def _doc_columns():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('unit.id'), nullable=False),
    ]


def upgrade():
    op.create_table(
        'doc_transition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('doc_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('from_state', sa.String(length=24), nullable=True),
        sa.Column('to_state', sa.String(length=24), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('ab_user.id'), nullable=True),
        sa.Column('username', sa.String(length=128), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_doc_transition_doc_id', 'doc_transition', ['doc_id'])
    op.create_table(
        'doc_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('doc_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=64), nullable=False, unique=True),
        sa.Column('uploaded_by', sa.String(length=128), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_doc_file_doc_id', 'doc_file', ['doc_id'])
    op.create_table(
        'normative_doc',
        *_doc_columns(),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('doc_number', sa.String(length=100), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=True),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('drafting_note', sa.Text(), nullable=True),
        sa.Column('legal_basis', sa.Text(), nullable=True),
        sa.Column('legality_opinion', sa.Text(), nullable=True),
        sa.Column('disclosure', sa.Text(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('filed_at', sa.DateTime(), nullable=True),
        sa.Column('registered_at', sa.DateTime(), nullable=True),
        sa.Column('reject_reason', sa.Text(), nullable=True),
        sa.Column('review_result', sa.String(length=16), nullable=True),
        sa.Column('review_opinion', sa.Text(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('response_due', sa.Date(), nullable=True),
        sa.Column('responded_at', sa.DateTime(), nullable=True),
        sa.Column('response', sa.Text(), nullable=True),
        sa.Column('validity', sa.String(length=16), nullable=False),
        sa.Column('validity_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    for col in ('state', 'unit_id', 'doc_number', 'published_on'):
        op.create_index(f'ix_normative_doc_{col}', 'normative_doc', [col])
    op.create_table(
        'info_brief',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('author', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'info_item',
        *_doc_columns(),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('adoption', sa.String(length=16), nullable=True),
        sa.Column('level', sa.String(length=16), nullable=True),
        sa.Column('instruction', sa.Text(), nullable=True),
        sa.Column('decline_reason', sa.Text(), nullable=True),
        sa.Column('brief_id', sa.Integer(), sa.ForeignKey('info_brief.id'), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    for col in ('state', 'unit_id', 'brief_id'):
        op.create_index(f'ix_info_item_{col}', 'info_item', [col])


def downgrade():
    op.drop_table('info_item')
    op.drop_table('info_brief')
    op.drop_table('normative_doc')
    op.drop_table('doc_file')
    op.drop_table('doc_transition')
