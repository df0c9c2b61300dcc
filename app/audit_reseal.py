"""Re-sealing the audit chain under another link scheme, after verifying it under the old one.

Migration 0007 uses it once: chains written by revision 0006 have unkeyed SHA-256 links, which
anyone with write access to the database can recompute. The old chain is verified first (links and
head); a broken one stops the upgrade, since re-sealing it would launder the tampering, unless the
operator sets AUDIT_RESEAL_ACCEPT_BROKEN=1, and then the break is written into the re-seal's own
audit entry. Every entry then gets a keyed link, one `system.audit_reseal` entry records what was
re-sealed (count, old head, whether the old chain was intact), and the head is set with its MAC.
The downgrade re-seals the other way (keyed → unkeyed).

Works on a bare connection (a migration's), with only the columns the links cover, so that it does
not depend on the ORM models of a later revision.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from .audit import GENESIS
from .clock import utcnow

BATCH = 2000

_log = sa.table(
    "audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime), sa.column("user_id", sa.Integer),
    sa.column("username", sa.String), sa.column("ip", sa.String), sa.column("action", sa.String),
    sa.column("object_type", sa.String), sa.column("object_id", sa.Integer), sa.column("detail", sa.JSON),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
# The same with the request id (revision 0015 on), for code that runs after that revision.
_log_rid = sa.table(
    "audit_log", *[sa.column(c.name, c.type) for c in _log.columns], sa.column("request_id", sa.String))


class ResealRefused(RuntimeError):
    """The old chain does not verify; re-sealing it would hide what was done to it."""


@dataclass
class Resealed:
    """What the old chain held: its entries, its last link, whether it verified, and what broke."""

    entries: int
    old_head: str
    old_intact: bool
    problem: str | None


def _entries(conn: sa.Connection):
    """Every entry in id order, fetched in keyset batches (safe to update between batches)."""
    after = 0
    while True:
        rows = conn.execute(sa.select(_log).where(_log.c.id > after).order_by(_log.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _head_table(with_mac: bool):
    cols = [sa.column("id", sa.Integer), sa.column("last_id", sa.Integer), sa.column("last_hash", sa.String)]
    return sa.table("audit_chain_head", *cols, *([sa.column("mac", sa.String)] if with_mac else []))


def verify_old(conn: sa.Connection, old_link: Callable) -> Resealed:
    """Verify the chain under `old_link` ((prev_hash, entry) → link) and its head; writes nothing.

    Raises ResealRefused if it is broken and AUDIT_RESEAL_ACCEPT_BROKEN is not 1.
    """
    head_t = _head_table(with_mac=False)
    head_row = conn.execute(sa.select(head_t).where(head_t.c.id == 1)).first()
    prev, count, last_id, problem = GENESIS, 0, 0, None
    for rows in _entries(conn):
        for row in rows:
            count += 1
            if problem is None and (row.prev_hash != prev or row.hash != old_link(prev, row)):
                problem = f"entry {row.id} does not match its link"
            prev, last_id = row.hash, row.id
    if problem is None and head_row is None and count:
        problem = f"entries present but no head (last entry {last_id})"
    if problem is None and head_row is not None and (head_row.last_id, head_row.last_hash) != (last_id, prev):
        problem = f"head ({head_row.last_id}) does not match the last entry ({last_id})"
    if problem and os.environ.get("AUDIT_RESEAL_ACCEPT_BROKEN") != "1":
        raise ResealRefused(
            f"the audit chain does not verify ({problem}); re-sealing it would hide that. Inspect it "
            "(`flask portal audit-verify` on the previous release), or set AUDIT_RESEAL_ACCEPT_BROKEN=1 "
            "to re-seal it anyway with the break recorded in the re-seal's audit entry.")
    return Resealed(count, prev, problem is None, problem)


def reseal(conn: sa.Connection, old: Resealed, new_link: Callable, head_mac: Callable | None,
           scheme: str) -> Resealed:
    """Re-link every entry with `new_link`, audit the re-seal, and set the head.

    old: what verify_old found (run it first, before any schema change). new_link: (prev_hash,
    entry) → link. head_mac: (last_id, last_hash) → MAC, or None when the head has no MAC column.
    """
    head_t = _head_table(with_mac=head_mac is not None)
    count, problem = old.entries, old.problem
    prev = GENESIS
    for rows in _entries(conn):
        updates = []
        for row in rows:
            link = new_link(prev, row)
            updates.append({"b_id": row.id, "b_prev": prev, "b_hash": link})
            prev = link
        conn.execute(sa.update(_log).where(_log.c.id == sa.bindparam("b_id"))
                     .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")), updates)
    last_id = conn.execute(sa.select(sa.func.max(_log.c.id))).scalar() or 0
    if count:  # the re-seal is itself audited (a new, empty database has nothing to re-seal)
        detail = {"entries": count, "old_head": old.old_head, "old_intact": problem is None, "problem": problem,
                  "scheme": scheme}
        new_id = conn.execute(sa.insert(_log).values(
            at=utcnow(), username="system", action="system.audit_reseal", object_type="audit_log",
            detail=json.loads(json.dumps(detail))).returning(_log.c.id)).scalar_one()
        row = conn.execute(sa.select(_log).where(_log.c.id == new_id)).one()
        link = new_link(prev, row)
        conn.execute(sa.update(_log).where(_log.c.id == new_id).values(prev_hash=prev, hash=link))
        prev, last_id = link, new_id
    values = {"last_id": last_id, "last_hash": prev}
    if head_mac is not None:
        values["mac"] = head_mac(last_id, prev)
    if conn.execute(sa.update(head_t).where(head_t.c.id == 1).values(**values)).rowcount == 0:
        conn.execute(sa.insert(head_t).values(id=1, **values))
    return old

