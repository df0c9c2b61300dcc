"""Anchors: the audit chain's head, written outside the database, that later checks hold it to.

`flask portal audit-anchor` (from cron) appends one line to an append-only file:

    portal-audit-anchor v1 at=2026-11-29T18:00:00Z last_id=1234 last_hash=<64 hex> prev=<mac> mac=<mac>

mac = HMAC-SHA256 (ANCHOR_KEY derived from AUDIT_KEY) over the line before " mac="; prev is the
previous line's mac ("-" for the first), so a line edited, removed from the middle or moved is
found. `flask portal audit-verify` checks every anchor against the database: the entry `last_id`
must still exist with link `last_hash` — a tail cut back before an anchor, or an entry rewritten
before it, contradicts the anchor even when the head row was put back consistently.

The file is opened O_APPEND (each line one write) and created mode 0600; make it append-only in
the filesystem (chattr +a) and/or copy the lines elsewhere (--syslog, forwarded by rsyslog).
"""

from __future__ import annotations

import fcntl
import hmac
import os
import re
import syslog
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from .audit import ANCHOR_KEY, GENESIS, derived_key, mac
from .clock import utcnow
from .extensions import db
from .models.audit import AuditChainHead, AuditLog

PREFIX = "portal-audit-anchor v1"
_LINE = re.compile(r"(?P<body>portal-audit-anchor v1 at=(?P<at>\S+) last_id=(?P<last_id>\d+) "
                   r"last_hash=(?P<last_hash>[0-9a-f]{64}) prev=(?P<prev>-|[0-9a-f]{64})) mac=(?P<mac>[0-9a-f]{64})")


class AnchorError(RuntimeError):
    """The anchor could not be written (the chain does not verify, or the file cannot be appended to)."""


@dataclass
class AnchorProblem:
    line: int  # 1-based line number in the anchors file
    last_id: int | None
    reason: str

    def __str__(self) -> str:
        at = f", entry {self.last_id}" if self.last_id is not None else ""
        return f"anchor line {self.line}{at}: {self.reason}"


@dataclass
class AnchorReport:
    path: str
    present: bool  # the file exists
    checked: int
    problem: AnchorProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _last_mac(path: Path) -> str:
    lines = [line for line in _lines(path) if line.strip()] if path.exists() else []
    if not lines:
        return "-"
    m = _LINE.fullmatch(lines[-1].strip())
    if m is None:
        raise AnchorError(f"the last line of {path} is not an anchor; run `flask portal audit-verify`")
    return m["mac"]


def write_anchor(path: str | os.PathLike, to_syslog: bool = False) -> str:
    """Append the current head (after verifying the chain and the earlier anchors) to `path`.

    Returns the line written. Raises AnchorError, writing nothing, if the chain or an anchor fails:
    an anchor must never vouch for a tampered chain.
    """
    from .audit import verify_chain

    target = Path(path)
    report = verify_chain()
    if not report.ok:
        raise AnchorError(f"audit chain BROKEN at entry {report.broken_at}: {report.reason}; no anchor written")
    anchors = check_anchors(target)
    if not anchors.ok:
        raise AnchorError(f"{anchors.problem}; no anchor written")
    head = db.session.get(AuditChainHead, 1)
    last_id, last_hash = (head.last_id, head.last_hash) if head is not None else (0, GENESIS)
    db.session.rollback()  # read only; release the snapshot
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AnchorError(f"cannot append to {target}: {exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two runs at once would both link to the same previous line
        body = (f"{PREFIX} at={utcnow().isoformat(timespec='seconds')}Z last_id={last_id} "
                f"last_hash={last_hash} prev={_last_mac(target)}")
        line = f"{body} mac={mac(derived_key(ANCHOR_KEY), body)}"
        os.write(fd, (line + "\n").encode("utf-8"))  # one write: one whole line, at the end
        os.fsync(fd)
    except OSError as exc:
        raise AnchorError(f"cannot append to {target}: {exc}") from None
    finally:
        os.close(fd)
    if to_syslog:
        syslog.openlog("portal-audit", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, line)
    return line


def check_anchors(path: str | os.PathLike) -> AnchorReport:
    """Check every line of the anchors file: its MAC, its link to the line before, and the entry it names."""
    target = Path(path)
    if not target.exists():
        return AnchorReport(str(target), False, 0, None)
    key = derived_key(ANCHOR_KEY)
    prev, checked = "-", 0
    for number, raw in enumerate(_lines(target), start=1):
        if not raw.strip():
            continue
        m = _LINE.fullmatch(raw.strip())
        if m is None:
            return AnchorReport(str(target), True, checked, AnchorProblem(number, None, "不是锚点记录（文件被改动）"))
        last_id = int(m["last_id"])
        if not hmac.compare_digest(m["mac"], mac(key, m["body"])):
            return AnchorReport(str(target), True, checked,
                                AnchorProblem(number, last_id, "锚点校验码不符（锚点被改写，或不是用审计密钥写入的）"))
        if m["prev"] != prev:
            return AnchorReport(str(target), True, checked,
                                AnchorProblem(number, last_id, "与上一条锚点不相连（锚点被删除、插入或调换）"))
        problem = _contradiction(last_id, m["last_hash"])
        if problem:
            return AnchorReport(str(target), True, checked, AnchorProblem(number, last_id, problem))
        prev, checked = m["mac"], checked + 1
    return AnchorReport(str(target), True, checked, None)


def _contradiction(last_id: int, last_hash: str) -> str | None:
    """Why the database contradicts an anchor of (last_id, last_hash), or None."""
    if last_id == 0:
        return None if last_hash == GENESIS else "空日志的锚点链接不符"
    link = db.session.scalar(select(AuditLog.hash).where(AuditLog.id == last_id))
    if link is None:
        return "锚定的记录已不存在（日志末尾被截断）"
    if link != last_hash:
        return "锚定的记录链接不符（该记录或其之前的记录被改写）"
    return None
