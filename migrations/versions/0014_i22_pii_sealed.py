"""Citizen ids sealed at rest (SM4-GCM + HMAC-SM3 blind index); the audit chain's MAC scheme

Revision ID: 0014_i22
Revises: 0013
Create Date: 2026-11-29 22:20:00

staff_member.citizen_id (plain, unique) becomes citizen_id_sealed (SM4-GCM under PII_KEY) and
citizen_id_index (HMAC-SM3, unique); every existing number is sealed here, in this transaction,
and pii_key_state records the key's id. Leavers get `anonymised_on` (app/pii/retention.py).
The audit head gets its MAC scheme (`scheme`, existing chains: hmac-sha256); when AUDIT_HASH is
hmac-sm3 (the default) the chain switches to HMAC-SM3 from its current head on (app/audit_scheme.py):
history is not rewritten, so anchors taken before stay valid.
Needs the portal's PII_KEY and AUDIT_KEY: run it as `flask db upgrade` with the production configuration.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_i22'
down_revision = '0013'
branch_labels = None
depends_on = None

_staff = sa.table('staff_member', sa.column('id', sa.Integer), sa.column('citizen_id', sa.String),
                  sa.column('citizen_id_sealed', sa.Text), sa.column('citizen_id_index', sa.String))


def upgrade():
    from flask import current_app

    from app.audit_scheme import switch_scheme_on
    from app.pii import keys_from, normalise
    from app.gmcrypto import hmac_sm3, seal

    op.create_table('pii_key_state',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('key_id', sa.String(length=16), nullable=False),
                    sa.Column('since', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('citizen_id_sealed', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('citizen_id_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('anonymised_on', sa.Date(), nullable=True))
    keys = keys_from(current_app.config["PII_KEY"])
    conn = op.get_bind()
    rows = conn.execute(sa.select(_staff.c.id, _staff.c.citizen_id)).all()
    if rows:
        conn.execute(
            sa.update(_staff).where(_staff.c.id == sa.bindparam('b_id')).values(
                citizen_id_sealed=sa.bindparam('b_sealed'), citizen_id_index=sa.bindparam('b_index')),
            [{'b_id': r.id,
              'b_sealed': seal(keys.seal_key, keys.key_id, normalise(r.citizen_id), b'staff_member.citizen_id'),
              'b_index': hmac_sm3(keys.index_key, b'citizen_id\x00' + normalise(r.citizen_id).encode()).hex()}
             for r in rows])
    conn.execute(sa.text("INSERT INTO pii_key_state (id, key_id, since) VALUES (1, :k, CURRENT_TIMESTAMP)"),
                 {'k': keys.key_id})
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_constraint('staff_member_citizen_id_key', type_='unique') if conn.dialect.name == 'postgresql' else None
        batch_op.drop_column('citizen_id')
        batch_op.create_unique_constraint('uq_staff_member_citizen_id_index', ['citizen_id_index'])
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.String(length=16), nullable=False, server_default='hmac-sha256'))
    wanted = current_app.config.get('AUDIT_HASH', 'hmac-sm3')
    if wanted != 'hmac-sha256':
        switch_scheme_on(conn, wanted, current_app.config['AUDIT_KEY'])


def downgrade():
    from flask import current_app

    from app.audit import ENTRY_KEY, HEAD_KEY, chain_hash, derived_key, head_mac
    from app.audit_reseal import reseal, verify_old
    from app.audit_scheme import scheme_aware_link
    from app.pii import keys_from
    from app.gmcrypto import open_sealed

    conn = op.get_bind()
    # revision 0013 knows one scheme only: verify the mixed chain, then re-seal it all under HMAC-SHA256
    audit_key = current_app.config['AUDIT_KEY']
    old = verify_old(conn, scheme_aware_link(conn, audit_key))
    entry_key, head_key = derived_key(ENTRY_KEY, audit_key), derived_key(HEAD_KEY, audit_key)
    reseal(conn, old, lambda prev, e: chain_hash(prev, e, entry_key),
           lambda last_id, last_hash: head_mac(last_id, last_hash, head_key), "HMAC-SHA256")
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('scheme')
    keys = keys_from(current_app.config["PII_KEY"])
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('citizen_id', sa.String(length=18), nullable=True))
    rows = conn.execute(sa.select(_staff.c.id, _staff.c.citizen_id_sealed)).all()
    for r in rows:  # anonymised people (no number) cannot go back to a NOT NULL column: refuse
        if r.citizen_id_sealed is None:
            raise RuntimeError(f"staff_member {r.id} was anonymised; the plain-text schema cannot hold it")
    if rows:
        conn.execute(sa.update(_staff).where(_staff.c.id == sa.bindparam('b_id')).values(
            citizen_id=sa.bindparam('b_plain')),
            [{'b_id': r.id, 'b_plain': open_sealed(keys.seal_key, keys.key_id, r.citizen_id_sealed,
                                                   b'staff_member.citizen_id')} for r in rows])
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_constraint('uq_staff_member_citizen_id_index', type_='unique')
        batch_op.drop_column('citizen_id_index')
        batch_op.drop_column('citizen_id_sealed')
        batch_op.drop_column('anonymised_on')
        batch_op.alter_column('citizen_id', nullable=False)
        batch_op.create_unique_constraint('staff_member_citizen_id_key', ['citizen_id'])
    op.drop_table('pii_key_state')
