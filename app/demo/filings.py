"""The shared part of every form's demo: filings in mixed states with their transitions.

Most periods are accepted; some were filed late, a few never; the latest complete period
is still in flight (drafts, awaiting sign-off, awaiting acceptance, missing).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import func, insert, select, text

from ..clock import today
from ..extensions import db
from ..filing.deadlines import rule_deadline
from ..filing.periods import Period, last_complete, periods_between
from ..forms import get_form
from ..models.filing import Filing, FilingTransition
from ..models.unit import Unit
from ..models.values import value_model

SHOWCASE = ("0100", "2300")  # 东城区 and 市公安局: always present in the latest period
CHAIN = [("submit", "draft", "pending", "demo_filler", -1),
         ("sign_off", "pending", "submitted", "demo_approver", 0),
         ("accept", "submitted", "accepted", "reviewer", 2)]
STEPS_TO = {"draft": 0, "pending": 1, "submitted": 2, "accepted": 3}


def _at(day: dt.date, hour_utc: int = 2) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour_utc))


def load_form_demo(form_code: str, first: Period, make_values: Callable, rng: random.Random,
                   skip_codes: tuple[str, ...] = ("0000",)) -> int:
    """Insert demo filings of one form for every active unit; `make_values(unit, period)` → dict."""
    spec = get_form(form_code)
    now = today()
    last = last_complete(spec.period_kind, now)
    units = [u for u in db.session.scalars(select(Unit).order_by(Unit.code)) if u.code not in skip_codes]
    fid = db.session.scalar(select(func.max(Filing.id))) or 0
    filings, values, steps = [], [], []
    for unit in units:
        for p in periods_between(spec.period_kind, first, last):
            if not unit.active_on(p.end):
                continue
            row = make_values(unit, p)  # always drawn, so carried-over chains stay consistent
            latest = p == last
            roll = rng.random()
            if unit.code not in SHOWCASE and ((not latest and roll < 0.01) or (latest and roll < 0.08)):
                continue  # never filed
            state = "accepted"
            if latest:
                state = rng.choices(["accepted", "submitted", "pending", "draft"], [55, 25, 10, 10])[0]
                if unit.code in SHOWCASE:
                    state = "submitted"
            due = rule_deadline(form_code, p)
            late = state in ("accepted", "submitted") and rng.random() < 0.08
            shift = rng.randint(1, 20) if late else -rng.randint(0, 12)
            reported = min(due + dt.timedelta(days=shift), now)
            fid += 1
            filings.append(dict(
                id=fid, form_code=form_code, unit_id=unit.id, period_key=p.key, year=p.year,
                sub=p.index, state=state, revision=1, version=1,
                first_reported_at=_at(reported) if state in ("accepted", "submitted") else None,
                created_at=_at(p.end), updated_at=_at(reported)))
            values.append(dict(filing_id=fid, revision=1, **row))
            for action, a, b, who, offset in CHAIN[:STEPS_TO[state]]:
                steps.append(dict(filing_id=fid, action=action, from_state=a, to_state=b, username=who,
                                  at=_at(reported + dt.timedelta(days=offset))))
    if filings:
        db.session.execute(insert(Filing), filings)
        db.session.execute(insert(value_model(form_code)), values)
        db.session.execute(insert(FilingTransition), steps)
        advance_sequence(Filing.__tablename__)
    db.session.flush()
    return len(filings)


def advance_sequence(table: str) -> None:
    """Ids were given explicitly: on PostgreSQL, move the id sequence past them."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
