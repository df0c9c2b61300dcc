"""The one storage interface for files users depend on: bytes in the database (table `blob`).

Nothing a user depends on may live on one server's disk: with several app servers an attachment
uploaded through one must download through another, and an import previewed on one must be
confirmed on another. PostgreSQL keeps the bytes as `bytea` (SQLite as a BLOB); sizes are bounded
by the upload limits (ATTACHMENT_MAX_BYTES, MAX_CONTENT_LENGTH), so rows stay small enough to read
whole. Writes join the caller's transaction: a file and the row that names it are committed or
rolled back together, so no orphan file and no dangling name remain.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select

from .clock import utcnow
from .extensions import db
from .models.blob import Blob


def put(data: bytes, purpose: str, expires_in: dt.timedelta | None = None) -> str:
    """Keep `data` (in the caller's transaction); returns its new random key."""
    key = secrets.token_hex(20)
    db.session.add(Blob(key=key, purpose=purpose, size=len(data), data=data,
                        expires_at=utcnow() + expires_in if expires_in else None))
    return key


def get(key: str | None) -> bytes | None:
    """The bytes under `key`, or None (unknown or expired)."""
    if not key:
        return None
    row = db.session.execute(select(Blob.data, Blob.expires_at).where(Blob.key == key)).first()
    if row is None or (row.expires_at is not None and row.expires_at < utcnow()):
        return None
    return row.data


def take(key: str | None) -> bytes | None:
    """Delete and return the bytes under `key` in one statement (None if absent or expired): of two
    servers taking the same key at once, one gets the bytes and the other None (the row lock)."""
    if not key:
        return None
    row = db.session.execute(delete(Blob).where(Blob.key == key).returning(Blob.data, Blob.expires_at)).first()
    if row is None or (row.expires_at is not None and row.expires_at < utcnow()):
        return None
    return row.data


def drop(key: str) -> None:
    """Delete the bytes under `key` (in the caller's transaction)."""
    db.session.execute(delete(Blob).where(Blob.key == key))


def purge_expired() -> int:
    """Delete expired uploads; returns how many (from `flask portal purge-uploads` or any request)."""
    result = db.session.execute(delete(Blob).where(Blob.expires_at.is_not(None), Blob.expires_at < utcnow()))
    return result.rowcount or 0
