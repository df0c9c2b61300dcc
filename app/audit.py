"""Writing and verifying the audit trail.

Entries join the caller's transaction: no change without its row. Each entry is chained to
the previous one by SHA-256 (hash = sha256(prev_hash + canonical text of the entry)), and a
one-row head keeps the last link, so editing, deleting or truncating rows in the database is
found by `flask portal audit-verify`. The portal has no path that edits or deletes entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import select

from .extensions import db
from .models.audit import AuditChainHead, AuditLog

GENESIS = "0" * 64


def _canonical(entry: AuditLog) -> str:
    return json.dumps(
        [entry.id, entry.at.isoformat(timespec="microseconds"), entry.user_id, entry.username, entry.ip,
         entry.action, entry.object_type, entry.object_id, entry.detail],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, entry: AuditLog) -> str:
    """The entry's link: sha256 over the previous link and the entry's canonical text."""
    return hashlib.sha256((prev_hash + _canonical(entry)).encode("utf-8")).hexdigest()


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def _head() -> AuditChainHead:
    head = db.session.scalar(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update())
    if head is None:
        head = AuditChainHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
        db.session.flush()
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
    )
    head = _head()  # locks the head row on PostgreSQL: appends are serialised
    db.session.add(entry)
    db.session.flush()
    entry.prev_hash = head.last_hash
    entry.hash = chain_hash(head.last_hash, entry)
    head.last_id, head.last_hash = entry.id, entry.hash
    return entry


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every link in order; report the first entry that does not match."""
    prev, checked, last_id = GENESIS, 0, 0
    q = select(AuditLog).order_by(AuditLog.id)
    for entry in db.session.execute(q.execution_options(yield_per=batch)).scalars():
        checked += 1
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "与前一条记录的链接不符（记录被删除或插入）")
        if entry.hash != chain_hash(prev, entry):
            return ChainReport(checked, entry.id, "内容与哈希不符（记录被修改）")
        prev, last_id = entry.hash, entry.id
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != prev):
        return ChainReport(checked, head.last_id, "链尾与记录不符（末尾记录被删除）")
    return ChainReport(checked, None, None)
