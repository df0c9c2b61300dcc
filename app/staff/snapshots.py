"""Freezing staff statistics with a signed-off yearly report, so past years never change."""

from __future__ import annotations

from sqlalchemy import select

from ..clock import today
from ..extensions import db
from ..models.staff import StaffSnapshot
from .stats import staff_stats


def freeze(filing) -> StaffSnapshot:
    """Store (or refresh, on a later sign-off) the unit's staff statistics for the filing."""
    data = staff_stats({filing.unit_id}, today(), filing.year)
    snap = db.session.scalar(select(StaffSnapshot).where(StaffSnapshot.filing_id == filing.id))
    if snap is None:
        snap = StaffSnapshot(filing_id=filing.id, data=data)
        db.session.add(snap)
    else:
        snap.data = data
    db.session.flush()
    return snap


def frozen(filing) -> dict | None:
    """The statistics frozen with the filing, or None before its sign-off."""
    snap = db.session.scalar(select(StaffSnapshot).where(StaffSnapshot.filing_id == filing.id))
    return snap.data if snap else None
