"""Bytes the portal keeps for users (attachments, uploads waiting for confirmation), in the database:
every app server sees them, `flask backup` includes them, a transaction writes or drops them
together with the rows that name them."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow


class Blob(Model):
    """One stored file's bytes under a random key (app/blobs.py)."""

    __tablename__ = "blob"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # Uploads waiting for confirmation expire; attachments do not (None).
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
