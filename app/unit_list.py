"""Loading the city's unit list (the project's own copy in app/data/orgs.csv)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from .extensions import db
from .models.unit import Unit

ORGS_CSV = Path(__file__).resolve().parent / "data" / "orgs.csv"


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load_units(path: Path = ORGS_CSV) -> int:
    """Insert the units of the CSV when the unit table is empty; returns how many were added."""
    if db.session.scalar(select(func.count()).select_from(Unit)):
        return 0
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_code = {}
    for r in rows:
        unit = Unit(code=r["code"], name=r["name"], short_name=r["short_name"], kind=r["kind"],
                    valid_from=_date(r["valid_from"]), valid_to=_date(r["valid_to"]))
        db.session.add(unit)
        by_code[r["code"]] = unit
    db.session.flush()
    for r in rows:
        unit = by_code[r["code"]]
        unit.parent_id = by_code[r["parent_code"]].id if r["parent_code"] else None
        unit.successor_id = by_code[r["successor_code"]].id if r["successor_code"] else None
    db.session.commit()
    return len(rows)


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))
