"""The audit trail: who did what to which object, when, from where, with old → new."""

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow


class AuditLog(Model):
    """One audited event. Written only through app.audit.record()."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(48))
    object_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict | None] = mapped_column(JSON)
    # The request that wrote it (app/ops.py; also in the logs and on error pages); None for the CLI.
    request_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Hash chain: hash = HMAC-SHA256(key, prev_hash + the entry's canonical text); see app.audit.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Model):
    """The chain's last link (one row): serialises appends and reveals a truncated tail.

    `mac` (keyed, see app.audit.head_mac) keeps it from being set back to an earlier entry."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    mac: Mapped[str | None] = mapped_column(String(64))
    # The MAC scheme of the chain from its last switch on (app.audit.SCHEMES).
    scheme: Mapped[str] = mapped_column(String(16), nullable=False, default="hmac-sm3", server_default="hmac-sha256")
