"""Which key personal information is sealed under (its public id only; the key is never stored)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow


class PiiKeyState(Model):
    """One row: the id of the PII_KEY the protected fields are sealed under (app/pii)."""

    __tablename__ = "pii_key_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    since: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
