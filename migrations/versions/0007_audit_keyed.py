"""Audit chain: keyed links (HMAC-SHA256 under AUDIT_KEY) and a MAC on the head

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 18:00:00

The entries written under 0006 have unkeyed SHA-256 links. This revision verifies that chain and
re-seals every entry with a keyed link (app/audit_reseal.py), adding one `system.audit_reseal`
entry; a chain that does not verify stops the upgrade (see AUDIT_RESEAL_ACCEPT_BROKEN there).
Needs the portal's AUDIT_KEY, so run it as `flask db upgrade` with the production configuration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    from app.audit import ENTRY_KEY, HEAD_KEY, chain_hash, derived_key, head_mac, legacy_chain_hash
    from app.audit_reseal import reseal, verify_old

    entry_key, head_key = derived_key(ENTRY_KEY), derived_key(HEAD_KEY)
    old = verify_old(op.get_bind(), legacy_chain_hash)  # before any change (SQLite's DDL is not transactional)
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    reseal(op.get_bind(), old, lambda prev, e: chain_hash(prev, e, entry_key),
           lambda last_id, last_hash: head_mac(last_id, last_hash, head_key), "HMAC-SHA256")


def downgrade():
    from app.audit import ENTRY_KEY, chain_hash, derived_key, legacy_chain_hash
    from app.audit_reseal import reseal, verify_old

    entry_key = derived_key(ENTRY_KEY)
    old = verify_old(op.get_bind(), lambda prev, e: chain_hash(prev, e, entry_key))
    reseal(op.get_bind(), old, legacy_chain_hash, None, "SHA-256")
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('mac')
