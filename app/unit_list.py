"""Loading the city's unit list and its history since 2006 (the project's own copy in app/data/orgs.csv).

The list holds every unit that ever filed, with the reforms since the 2006 launch: renames and
N → 1 merges (the old units' `valid_to` and `successor_code`), units leaving the system
(`valid_to` without successor: 市监察局 2018-01, 市地税局 2018-07), the 1 → N split of 市新闻出版广电局
in 2018 (no successor: its history stays with it, no shares are declared), and the root passing
from 市法制办 (0000) to 市司法局 (7900) on 2018-11-30. Domain source: ../shared/domain/orgs.csv,
orgs-reforms.csv and the domain README's "Reforms since 2006".

`load_units` is idempotent and safe on an existing database: it adds the units it lacks and
fills in closing dates and successors a unit does not have yet; it never overwrites what an
administrator has set. `load_assignments` adds the filing duties that change from a date on.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from .extensions import db
from .models.filing import ALWAYS, FormAssignment
from .models.unit import Unit

ORGS_CSV = Path(__file__).resolve().parent / "data" / "orgs.csv"
ROOT_CODE, OLD_ROOT_CODE = "7900", "0000"  # 市司法局 runs the portal from 2018-11-30; 市法制办 before
CONCENTRATION = dt.date(2022, 7, 1)  # 行政复议职责集中: municipal departments stop deciding cases


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def read_orgs(path: Path = ORGS_CSV) -> list[dict[str, str]]:
    """The rows of the unit list."""
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_units(path: Path = ORGS_CSV) -> int:
    """Add the units of the CSV that the database lacks and complete the history of those it has
    (closing date, successor, parent when empty). Returns how many units were added."""
    rows = read_orgs(path)
    by_code = {u.code: u for u in db.session.scalars(select(Unit))}
    added = 0
    for r in rows:
        if r["code"] not in by_code:
            unit = Unit(code=r["code"], name=r["name"], short_name=r["short_name"], kind=r["kind"],
                        valid_from=_date(r["valid_from"]), valid_to=_date(r["valid_to"]))
            db.session.add(unit)
            by_code[r["code"]] = unit
            added += 1
    db.session.flush()
    for r in rows:
        unit = by_code[r["code"]]
        if unit.valid_to is None and r["valid_to"]:
            unit.valid_to = _date(r["valid_to"])
        if unit.parent_id is None and r["parent_code"]:
            unit.parent_id = by_code[r["parent_code"]].id
        if unit.successor_id is None and r["successor_code"]:
            unit.successor_id = by_code[r["successor_code"]].id
    db.session.commit()
    return added


# Filing duties that change from a date on (FormAssignment.valid_from); without a row a unit files
# every form in every period it is active. (form, unit kinds, from, required)
ASSIGNMENT_RULES = (
    # From 2022-07-01 the city and district governments decide reconsideration cases; the
    # municipal departments only answer as respondents and no longer file the form.
    ("reconsideration", ("department", "zone_committee"), CONCENTRATION, False),
)
# Units that impose no administrative penalties and never file the penalty form: 市法制办 (市司法局,
# the root from 2018-12, files the decisions on lawyers and notaries its legal division filed
# before), 市监察局 (supervision, not enforcement) and 市国资委 (no enforcement powers).
NO_PENALTY = (OLD_ROOT_CODE, "2400", "4300")


def load_assignments() -> int:
    """Add the filing assignments of the reforms that are missing; returns how many were added."""
    units = list(db.session.scalars(select(Unit)))
    have = set(db.session.execute(select(FormAssignment.unit_id, FormAssignment.form_code,
                                         FormAssignment.valid_from)).all())
    wanted = []
    for form, kinds, start, required in ASSIGNMENT_RULES:
        wanted += [(u.id, form, start, required) for u in units
                   if u.kind in kinds and u.active_on(start)]
    wanted += [(u.id, "penalty", ALWAYS, False) for u in units if u.code in NO_PENALTY]
    new = [FormAssignment(unit_id=uid, form_code=form, valid_from=start, required=required)
           for uid, form, start, required in wanted if (uid, form, start) not in have]
    db.session.add_all(new)
    db.session.commit()
    return len(new)


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))
