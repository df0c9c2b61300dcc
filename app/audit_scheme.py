"""Switching the audit chain's MAC scheme (HMAC-SHA256 ⇄ HMAC-SM3) from its current head on.

History is never rewritten: the entries written under the old scheme keep their links, so the
anchors taken before the switch (app/audit_anchor.py) stay valid. One `system.audit_scheme` entry,
linked to the head under the NEW scheme, records the switch (from, to, the last anchored entry when
the anchors file is readable); every later entry and the head's MAC use the new scheme, and
`verify_chain` changes scheme where it meets that entry. Taking an anchor right before and right
after the switch (`flask portal audit-anchor`) pins the point where it happened.

Works on a bare connection, so that migration 0014 can use it inside its own transaction; the CLI
(`flask portal audit-scheme`) passes the session's connection.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from .audit import ENTRY_KEY, GENESIS, HEAD_KEY, SCHEME_ACTION, SCHEMES, chain_hash, derived_key, head_mac
from .audit_reseal import _log
from .clock import utcnow

_head = sa.table("audit_chain_head", sa.column("id", sa.Integer), sa.column("last_id", sa.Integer),
                 sa.column("last_hash", sa.String), sa.column("mac", sa.String), sa.column("scheme", sa.String))


def switch_scheme_on(conn: sa.Connection, to: str, audit_key: str, anchored_last_id: int | None = None) -> bool:
    """Make `to` the chain's scheme from now on; returns False when it already is. Same transaction
    as the caller's (who commits); the head row is locked first (PostgreSQL FOR UPDATE; SQLite's
    write lock is taken by the first UPDATE/INSERT)."""
    if to not in SCHEMES:
        raise ValueError(f"unknown audit scheme {to!r}; one of {', '.join(SCHEMES)}")
    head = conn.execute(sa.select(_head).where(_head.c.id == 1).with_for_update()).first()
    h_key = derived_key(HEAD_KEY, audit_key, to)
    if head is None or head.last_id == 0:  # an empty chain simply starts in the new scheme
        values = {"last_id": 0, "last_hash": GENESIS, "mac": head_mac(0, GENESIS, h_key, to), "scheme": to}
        if head is None:
            conn.execute(sa.insert(_head).values(id=1, **values))
        else:
            conn.execute(sa.update(_head).where(_head.c.id == 1).values(**values))
        return head is None or head.scheme != to
    if head.scheme == to:
        return False
    detail = {"from": head.scheme, "to": to, "at_entry": head.last_id, "last_anchored_entry": anchored_last_id}
    new_id = conn.execute(sa.insert(_log).values(
        at=utcnow(), username="system", action=SCHEME_ACTION, object_type="audit_log",
        detail=json.loads(json.dumps(detail))).returning(_log.c.id)).scalar_one()
    row = conn.execute(sa.select(_log).where(_log.c.id == new_id)).one()
    link = chain_hash(head.last_hash, row, derived_key(ENTRY_KEY, audit_key, to), to)
    conn.execute(sa.update(_log).where(_log.c.id == new_id).values(prev_hash=head.last_hash, hash=link))
    conn.execute(sa.update(_head).where(_head.c.id == 1).values(
        last_id=new_id, last_hash=link, scheme=to, mac=head_mac(new_id, link, h_key, to)))
    return True


def _start_scheme(conn: sa.Connection) -> str:
    first = conn.execute(sa.select(_log.c.detail).where(_log.c.action == SCHEME_ACTION)
                         .order_by(_log.c.id).limit(1)).first()
    if first is not None:
        detail = first.detail if isinstance(first.detail, dict) else json.loads(first.detail or "{}")
        return detail.get("from", "hmac-sha256")
    head = conn.execute(sa.select(_head.c.scheme).where(_head.c.id == 1)).first()
    return head.scheme if head is not None else "hmac-sha256"


def scheme_aware_link(conn: sa.Connection, audit_key: str):
    """A (prev, row) → link function for audit_reseal.verify_old that follows the chain's scheme
    switches, for re-sealing a mixed chain under one scheme (migration 0014's downgrade)."""
    state = {"scheme": _start_scheme(conn)}

    def link(prev: str, row) -> str:
        if row.action == SCHEME_ACTION:
            detail = row.detail if isinstance(row.detail, dict) else json.loads(row.detail or "{}")
            state["scheme"] = detail.get("to", state["scheme"])
        return chain_hash(prev, row, derived_key(ENTRY_KEY, audit_key, state["scheme"]), state["scheme"])

    return link
