"""Writing and verifying the audit trail.

Entries join the caller's transaction: no change without its row. Each entry is chained to the
previous one by a keyed link, hash = HMAC-SHA256(entry key, prev_hash + canonical text of the
entry), and a one-row head keeps the last link with its own HMAC. The key (AUDIT_KEY, from the
environment or instance/audit_key, see config.py) is never stored in the database, so someone who
can write the database but lacks the key can neither edit, insert nor delete an entry, nor rewrite
the head, without `flask portal audit-verify` finding it. What the database alone cannot show is a
tail cut back to an earlier state whose head row the writer kept a copy of (an old backup): the
head's number and link are therefore also anchored outside the database (`flask portal
audit-anchor`, app/audit_anchor.py), and audit-verify checks every anchor.

The portal has no path that edits or deletes entries. Concurrent appends (threads, gunicorn
workers) are serialised on the head, on PostgreSQL and on SQLite alike, and the head row is created
on first use without a race (see _head; tests/test_audit_race.py). Chains written before keyed links
(revision 0006, plain SHA-256) are re-sealed once by migration 0007 (app/audit_reseal.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, has_request_context, request
from sqlalchemy import select

from .extensions import db
from .gmcrypto import hmac_digest
from .models.audit import AuditChainHead, AuditLog

GENESIS = "0" * 64
# MAC schemes of the chain: HMAC-SM3 (national algorithm, the default of new chains) or HMAC-SHA256
# (chains written before revision 0014). A chain changes scheme only by an entry of SCHEME_ACTION,
# linked under the new scheme (app/audit_scheme.py); the head names the scheme in use.
SCHEMES = ("hmac-sm3", "hmac-sha256")
SCHEME_ACTION = "system.audit_scheme"
LEGACY_SCHEME = "hmac-sha256"


def _canonical(entry: AuditLog) -> str:
    fields = [entry.id, entry.at.isoformat(timespec="microseconds"), entry.user_id, entry.username, entry.ip,
              entry.action, entry.object_type, entry.object_id, entry.detail]
    # The request id is covered when there is one; entries without one (older ones, the CLI's) keep
    # the text they were linked with.
    rid = getattr(entry, "request_id", None)
    if rid is not None:
        fields.append(rid)
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# Each use of AUDIT_KEY gets its own derived key, so that no MAC of one kind passes for another.
ENTRY_KEY, HEAD_KEY, ANCHOR_KEY = b"portal audit entry v1", b"portal audit head v1", b"portal audit anchor v1"


def derived_key(purpose: bytes, audit_key: str | None = None, scheme: str = LEGACY_SCHEME) -> bytes:
    """The key for one purpose (ENTRY_KEY, HEAD_KEY, ANCHOR_KEY) under a scheme, derived from AUDIT_KEY."""
    audit_key = audit_key if audit_key is not None else current_app.config.get("AUDIT_KEY")
    if not audit_key:
        raise RuntimeError("AUDIT_KEY is not configured: the audit chain cannot be written or verified")
    return _derive(audit_key, purpose, scheme)


@lru_cache(maxsize=32)
def _derive(audit_key: str, purpose: bytes, scheme: str) -> bytes:
    return hmac_digest(scheme, audit_key.encode("utf-8"), purpose)


def configured_scheme() -> str:
    """The scheme new chains start in (AUDIT_HASH; hmac-sm3 unless set otherwise)."""
    scheme = current_app.config.get("AUDIT_HASH", "hmac-sm3")
    if scheme not in SCHEMES:
        raise RuntimeError(f"AUDIT_HASH must be one of {', '.join(SCHEMES)}")
    return scheme


def mac(key: bytes, text: str, scheme: str = LEGACY_SCHEME) -> str:
    """HMAC of `text` under `key` with the scheme's hash (HMAC-SM3 or HMAC-SHA256), hex."""
    return hmac_digest(scheme, key, text.encode("utf-8")).hex()


def chain_hash(prev_hash: str, entry: AuditLog, key: bytes | None = None, scheme: str = LEGACY_SCHEME) -> str:
    """The entry's link: HMAC over the previous link and the entry's canonical text (key: ENTRY_KEY's)."""
    return mac(key or derived_key(ENTRY_KEY, scheme=scheme), prev_hash + _canonical(entry), scheme)


def legacy_chain_hash(prev_hash: str, entry: AuditLog) -> str:
    """The unkeyed link of revision 0006 (sha256); only migrations use it, to verify and re-seal old chains."""
    return hashlib.sha256((prev_hash + _canonical(entry)).encode("utf-8")).hexdigest()


def head_mac(last_id: int, last_hash: str, key: bytes | None = None, scheme: str = LEGACY_SCHEME) -> str:
    """The head row's own MAC: without the key the head cannot be set back to an earlier entry."""
    return mac(key or derived_key(HEAD_KEY, scheme=scheme), f"{last_id}:{last_hash}", scheme)


def _request_id() -> str | None:
    from .ops import request_id

    return request_id()


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def _insert_head_if_missing():
    """INSERT the head row (id 1, genesis) unless it exists, in the dialect's own spelling."""
    scheme = configured_scheme()
    values = {"id": 1, "last_id": 0, "last_hash": GENESIS, "mac": head_mac(0, GENESIS, scheme=scheme),
              "scheme": scheme}
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(AuditChainHead).values(**values).on_conflict_do_nothing(index_elements=["id"])


def _head() -> AuditChainHead:
    """The chain's head row, locked for the rest of the caller's transaction: appends are serialised.

    The row may be missing (an empty log: a new database, or the tests' cleanup), and two first
    records may race to create it; INSERT … ON CONFLICT DO NOTHING lets exactly one create it while
    the others wait for that one's transaction (PostgreSQL: on the unique key; SQLite: on the write
    lock) and then find it.

    PostgreSQL: SELECT … FOR UPDATE locks the row until commit; a second appender waits there and
    then reads the head the first one committed (READ COMMITTED re-reads a locked row).

    SQLite has no row locks and ignores FOR UPDATE, and pysqlite starts a transaction only at the
    first write, so two appenders could read the same head and fork the chain. The same INSERT, run
    first on every append, is a write: it takes SQLite's database write lock (RESERVED, like BEGIN
    IMMEDIATE) before the head is read, and the lock is held until the caller commits or rolls back.
    That serialises appenders across threads and processes (gunicorn workers) alike, which a lock in
    the process could not; waiting writers queue for the busy timeout (config: 30 s). No read
    snapshot is held before that write (pysqlite runs earlier SELECTs outside a transaction), so
    taking the lock never fails with SQLITE_BUSY_SNAPSHOT in WAL mode either.
    """
    # Read the row itself, never a copy the session loaded before the lock was taken; flush first
    # so that no change to the head (an earlier record() of this transaction) is overwritten.
    db.session.flush()
    locked = (select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
              .execution_options(populate_existing=True))
    if db.session.get_bind().dialect.name == "postgresql":
        head = db.session.scalar(locked)
        if head is not None:
            return head
    db.session.execute(_insert_head_if_missing())
    head = db.session.scalar(locked)
    assert head is not None, "the audit chain head was not created"
    return head


def record(action: str, object_type: str | None = None, object_id: int | None = None,
           detail: dict | None = None, user=None) -> AuditLog:
    """Add one chained audit row (who, what, when, from where, detail) to the current transaction."""
    from .clock import utcnow

    if user is None and has_request_context():
        from .scope import acting_user

        user = acting_user()
        if not getattr(user, "is_authenticated", False):
            user = None
    # Round-trip through JSON now, so the hashed text equals what the database gives back.
    detail = json.loads(json.dumps(detail, ensure_ascii=False, default=str)) if detail is not None else None
    entry = AuditLog(
        at=utcnow(),
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None) or "system",
        ip=_client_ip(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        request_id=_request_id(),
    )
    head = _head()  # locks the head (PostgreSQL: the row; SQLite: the database) until commit
    db.session.add(entry)
    db.session.flush()
    entry.prev_hash = head.last_hash
    entry.hash = chain_hash(head.last_hash, entry, scheme=head.scheme)
    head.last_id, head.last_hash = entry.id, entry.hash
    head.mac = head_mac(entry.id, entry.hash, scheme=head.scheme)
    return entry


def record_many(entries: list[dict]) -> int:
    """Append many chained audit rows at once, in the given order (bulk loads: the demo city).

    Each entry is a dict with `action`, `at` and optionally `username`, `user_id`, `object_type`,
    `object_id`, `detail`. The links are the ones record() would write — same canonical text,
    same keys, same head — computed here and inserted with one executemany, under the same head
    lock, so `verify_chain` checks them like any other rows."""
    from sqlalchemy import func, insert, text

    if not entries:
        return 0
    head = _head()
    scheme = head.scheme  # the chain's scheme now, as record() links under
    key = derived_key(ENTRY_KEY, scheme=scheme)
    next_id = max(head.last_id, db.session.scalar(select(func.max(AuditLog.id))) or 0) + 1
    prev, rows = head.last_hash, []
    for i, e in enumerate(entries):
        detail = e.get("detail")
        detail = json.loads(json.dumps(detail, ensure_ascii=False, default=str)) if detail is not None else None
        entry = AuditLog(id=next_id + i, at=e["at"], user_id=e.get("user_id"), username=e.get("username") or "system",
                         ip=None, action=e["action"], object_type=e.get("object_type"),
                         object_id=e.get("object_id"), detail=detail)
        link = chain_hash(prev, entry, key, scheme)
        rows.append(dict(id=entry.id, at=entry.at, user_id=entry.user_id, username=entry.username, ip=None,
                         action=entry.action, object_type=entry.object_type, object_id=entry.object_id,
                         detail=detail, prev_hash=prev, hash=link))
        prev = link
    db.session.execute(insert(AuditLog), rows)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), :last)"),
                           {"last": rows[-1]["id"]})
    head.last_id, head.last_hash = rows[-1]["id"], prev
    head.mac = head_mac(rows[-1]["id"], prev, scheme=scheme)
    db.session.flush()
    return len(rows)


def _read_head() -> AuditChainHead | None:
    """The head row as committed now (never the session's copy)."""
    return db.session.scalar(select(AuditChainHead).where(AuditChainHead.id == 1)
                             .execution_options(populate_existing=True))


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _head_problem(head: AuditChainHead | None, audit_key: str | None) -> str | None:
    if head is None:
        return "链尾记录缺失（末尾记录可能与链尾一并被删除）"
    if head.scheme not in SCHEMES:
        return "链尾的校验算法无效（链尾被改写）"
    if not hmac.compare_digest(head.mac or "", head_mac(head.last_id, head.last_hash,
                                                         derived_key(HEAD_KEY, audit_key, head.scheme), head.scheme)):
        return "链尾校验码不符（链尾被改写）"
    return None


def _first_scheme(head: AuditChainHead | None, audit_key: str | None) -> str:
    """The scheme the chain's first entry is linked under: the one its first switch left, else the
    head's; with no head (removed), the scheme the first entry verifies under, so that the report
    names the missing head rather than a link."""
    first_switch = db.session.scalar(select(AuditLog.detail).where(AuditLog.action == SCHEME_ACTION)
                                     .order_by(AuditLog.id).limit(1))
    if first_switch is not None:
        return (first_switch or {}).get("from", LEGACY_SCHEME)
    if head is not None:
        return head.scheme
    first = db.session.scalar(select(AuditLog).order_by(AuditLog.id).limit(1))
    for scheme in SCHEMES:
        if first is not None and first.hash == chain_hash(GENESIS, first, derived_key(ENTRY_KEY, audit_key, scheme),
                                                          scheme):
            return scheme
    return LEGACY_SCHEME


def verify_chain(batch: int = 5000, audit_key: str | None = None) -> ChainReport:
    """Recompute every link in order and check the head; report the first thing that does not match.

    An empty log without a head is intact (a new database); entries without a head are not. A
    live portal appends while this runs, so the head is read before the entries: the entry it
    names must be found with its link (a cut tail is not), and entries found beyond it must be
    covered by the head as re-read afterwards (the appends committed meanwhile moved it on; a head
    set back to an earlier entry, whose copy someone kept, stays behind them).
    """
    head = _read_head()
    scheme = _first_scheme(head, audit_key)
    prev, checked, last_id = GENESIS, 0, 0
    head_found = head is None or (head.last_id, head.last_hash) == (0, GENESIS)
    q = select(AuditLog).order_by(AuditLog.id)  # what the database holds, not what the session has seen
    for entry in db.session.execute(q.execution_options(yield_per=batch, populate_existing=True)).scalars():
        checked += 1
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "与前一条记录的链接不符（记录被删除或插入）")
        if entry.action == SCHEME_ACTION:  # linked under the scheme it switches to
            scheme = (entry.detail or {}).get("to")
            if scheme not in SCHEMES:
                return ChainReport(checked, entry.id, "校验算法切换记录无效（记录被修改）")
        if not hmac.compare_digest(entry.hash or "", chain_hash(prev, entry, derived_key(ENTRY_KEY, audit_key, scheme),
                                                                scheme)):
            return ChainReport(checked, entry.id, "内容与校验码不符（记录被修改，或不是用审计密钥写入的）")
        prev, last_id = entry.hash, entry.id
        if head is not None and entry.id == head.last_id:
            head_found = entry.hash == head.last_hash
    if head is not None and (problem := _head_problem(head, audit_key)):
        return ChainReport(checked, head.last_id, problem)
    if head is not None and head.last_id == last_id and scheme != head.scheme:
        return ChainReport(checked, head.last_id, "链尾的校验算法与记录不符（链尾被改写）")
    if not head_found:
        return ChainReport(checked, head.last_id, "链尾与记录不符（末尾记录被删除）")
    if last_id > (head.last_id if head is not None else 0):  # entries beyond the head read first
        later = _read_head()
        if problem := _head_problem(later, audit_key):
            return ChainReport(checked, last_id, problem)
        if later.last_id < last_id or (later.last_id == last_id and later.last_hash != prev):
            return ChainReport(checked, later.last_id, "链尾落后于记录（链尾被退回到较早的记录）")
    return ChainReport(checked, None, None)


VERIFY_ACTION = "audit.verify"  # a verification of the chain, recorded in it (the audit admin's home page)


def verify_and_record(user=None) -> dict:
    """Verify the chain now (verify_chain) and record the result as an audit entry, itself chained
    after the entries it checked; returns the entry's detail. `user` is who asked (the entry's
    actor comes from the request, as for every record)."""
    report = verify_chain()
    detail = {"ok": report.ok, "checked": report.checked, "broken_at": report.broken_at, "reason": report.reason}
    record(VERIFY_ACTION, "audit_log", report.broken_at, detail)
    db.session.commit()
    return detail
