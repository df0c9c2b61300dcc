"""Writing the audit trail. Entries join the caller's transaction: no change without its row."""

from __future__ import annotations

from flask import has_request_context, request

from .extensions import db
from .models.audit import AuditLog


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record(action: str, object_type: str | None = None, object_id: int | None = None,
           detail: dict | None = None, user=None) -> AuditLog:
    """Add one audit row (who, what, when, from where, detail) to the current session."""
    if user is None and has_request_context():
        from .scope import acting_user

        user = acting_user()
        if not getattr(user, "is_authenticated", False):
            user = None
    entry = AuditLog(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None) or "system",
        ip=_client_ip(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    db.session.add(entry)
    return entry
