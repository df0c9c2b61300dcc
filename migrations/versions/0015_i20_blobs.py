"""Attachments and pending uploads in the database (table blob), so that any app server serves them;
the request id in audit rows

Revision ID: 0015_i20
Revises: 0014_i22
Create Date: 2026-11-29 22:00:00

Existing attachment files (ATTACHMENT_DIR/<key[:2]>/<key>) are copied into `blob` under the same
key; a file that is missing is reported and its attachment answers 404 as before. The files are
left on disk (delete ATTACHMENT_DIR after checking the portal). Uploads waiting for confirmation
(IMPORT_DIR) are not carried over: they expire within hours anyway. audit_log.request_id ties an
audit row to the request's log lines and error page (covered by the row's link when present).
"""
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0015_i20'
down_revision = '0014_i22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blob',
                    sa.Column('key', sa.String(length=64), nullable=False),
                    sa.Column('purpose', sa.String(length=32), nullable=False),
                    sa.Column('size', sa.Integer(), nullable=False),
                    sa.Column('data', sa.LargeBinary(), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('expires_at', sa.DateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('key'))
    op.create_index('ix_blob_expires_at', 'blob', ['expires_at'])
    op.create_table('export_job',
                    sa.Column('id', sa.String(length=32), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('title', sa.String(length=200), nullable=False),
                    sa.Column('path', sa.String(length=2000), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('started_at', sa.DateTime(), nullable=True),
                    sa.Column('finished_at', sa.DateTime(), nullable=True),
                    sa.Column('blob_key', sa.String(length=64), nullable=True),
                    sa.Column('filename', sa.String(length=255), nullable=True),
                    sa.Column('mimetype', sa.String(length=100), nullable=True),
                    sa.Column('size', sa.Integer(), nullable=True),
                    sa.Column('error', sa.String(length=200), nullable=True),
                    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_export_job_user_id', 'export_job', ['user_id'])
    op.create_index('ix_export_job_status', 'export_job', ['status'])
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_audit_log_request_id', ['request_id'])
    from flask import current_app

    folder = Path(current_app.config.get('ATTACHMENT_DIR') or '/nonexistent')
    conn = op.get_bind()
    blob = sa.table('blob', sa.column('key'), sa.column('purpose'), sa.column('size'), sa.column('data'),
                    sa.column('created_at'), sa.column('expires_at'))
    rows = conn.execute(sa.text('SELECT storage_key, uploaded_at FROM attachment')).all()
    for key, uploaded_at in rows:
        path = folder / key[:2] / key
        if path.is_file():
            data = path.read_bytes()
            conn.execute(sa.insert(blob).values(key=key, purpose='attachment', size=len(data), data=data,
                                                created_at=uploaded_at, expires_at=None))
        else:
            print(f"attachment file {path} is missing; its download will answer 404")


def downgrade():
    from flask import current_app

    conn = op.get_bind()
    if conn.execute(sa.text('SELECT 1 FROM audit_log WHERE request_id IS NOT NULL LIMIT 1')).first():
        raise RuntimeError('audit entries carry request ids, which their links cover: dropping the column '
                           'would break the chain. Restore a backup from before 0015 instead.')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_request_id')
        batch_op.drop_column('request_id')

    folder = Path(current_app.config.get('ATTACHMENT_DIR'))
    for key, data in conn.execute(sa.text("SELECT key, data FROM blob WHERE purpose = 'attachment'")).all():
        path = folder / key[:2] / key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(data)
    op.drop_index('ix_export_job_status', table_name='export_job')
    op.drop_index('ix_export_job_user_id', table_name='export_job')
    op.drop_table('export_job')
    op.drop_index('ix_blob_expires_at', table_name='blob')
    op.drop_table('blob')
