"""The shared part of every form's demo: filings in mixed states with their transitions and audit rows.

Periods are generated in order (every unit of a period before the next period), so a successor's
first carried-over figure can take over its predecessors' last pending ones. A unit files a
period when the filing rules expect it (app.filing.timeliness: active on the period's last day and
not excluded by a FormAssignment). Most periods are accepted; some units habitually file late, a
few periods were never filed, some filings were returned once and filed again; the latest complete
period is still in flight (drafts, awaiting sign-off, awaiting acceptance, missing).
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
from ..filing.timeliness import assignments, expected_on, status_of
from ..forms import get_form
from ..models.filing import Filing, FilingTransition
from ..models.unit import Unit
from ..models.values import value_model
from .model import OUTLIERS
from .reasons import coded_return_reason

SHOWCASE = ("0100", "2300")  # 东城区 and 市公安局: always present in the latest period
LATE_FILERS = {"0900": 0.45, "2200": 0.35, "1600": 0.3, "5300": 0.3}  # habitually late: 门头沟区, 市民宗委, …
CHAIN = [("submit", "draft", "pending", "filler", -1),
         ("sign_off", "pending", "submitted", "approver", 0),
         ("accept", "submitted", "accepted", "reviewer", 2)]
RETURNED = [("submit", "draft", "pending", "filler", -3),
            ("sign_off", "pending", "submitted", "approver", -2),
            ("return", "submitted", "returned", "reviewer", -1),
            ("reopen", "returned", "draft", "filler", 0)]
STEPS_TO = {"draft": 0, "pending": 1, "submitted": 2, "accepted": 3}


def _at(day: dt.date, hour_utc: int = 2) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour_utc))


def _who(role: str, unit: Unit) -> str:
    """The demo account that did a step: the office's reviewer, else the unit's own filler or
    approver (东城区's and 市公安局's named accounts, every other unit's from app.demo.accounts)."""
    from .accounts import unit_username

    return "reviewer" if role == "reviewer" else unit_username(unit, role)


def load_form_demo(form_code: str, first: Period, make_values: Callable, rng: random.Random,
                   audit: list | None = None, last: Period | None = None) -> int:
    """Insert demo filings of one form for every unit expected to file it, `first` to the last
    complete period; `make_values(unit, period)` → dict (called for every expected unit and
    period in order, filed or not, so carried-over chains stay consistent). Audit rows go to
    `audit` (written by the caller with app.audit.record_many) or are written here."""
    from ..audit import record_many

    spec = get_form(form_code)
    now = today()
    last = last or last_complete(spec.period_kind, now)
    units = list(db.session.scalars(select(Unit).order_by(Unit.code)))
    required = assignments(form_code)
    fid = db.session.scalar(select(func.max(Filing.id))) or 0
    previous: dict[int, dict] = {}  # unit id → its figures of the period before (环比 of return reasons)
    filings, values, steps, entries = [], [], [], []
    for p in periods_between(spec.period_kind, first, last):
        for unit in units:
            if not expected_on(unit, required, p.end):
                continue
            row = make_values(unit, p)
            before = previous.get(unit.id)
            latest = p == last
            roll = rng.random()
            outlier = OUTLIERS.get((form_code, unit.code, p.key))  # explained by its unit: always filed
            if unit.code not in SHOWCASE and not outlier and ((not latest and roll < 0.01) or (latest and roll < 0.08)):
                continue  # never filed
            state = "accepted"
            if latest:
                state = rng.choices(["accepted", "submitted", "pending", "draft"], [55, 25, 10, 10])[0]
                if unit.code in SHOWCASE:
                    state = "submitted"
            due = rule_deadline(form_code, p)
            late = state in ("accepted", "submitted") and rng.random() < LATE_FILERS.get(unit.code, 0.06)
            shift = rng.randint(1, 20) if late else -rng.randint(0, 12)
            reported = min(due + dt.timedelta(days=shift), now)
            returned = state == "accepted" and not latest and rng.random() < 0.03
            fid += 1
            previous[unit.id] = row  # a filed period's figures, which the next period's 环比 compares to
            created = min(_at(p.end + dt.timedelta(days=1)), _at(reported - dt.timedelta(days=4)))
            filings.append(dict(
                id=fid, form_code=form_code, unit_id=unit.id, period_key=p.key, year=p.year,
                sub=p.index, state=state, revision=1, version=1, explanation=outlier[1] if outlier else None,
                first_reported_at=_at(reported) if state in ("accepted", "submitted") else None,
                days_late=status_of(_at(reported), due)[2] if state in ("accepted", "submitted") else None,
                created_at=created, updated_at=_at(reported)))
            values.append(dict(filing_id=fid, revision=1, **row))
            entries.append(dict(at=created, username=_who("filler", unit), action="filing.create",
                                object_type="filing", object_id=fid, detail={"form": form_code, "period": p.key}))
            chain = CHAIN[:STEPS_TO[state]]
            if returned:
                # as many random draws as a choice among three reasons: the rest of the demo stays put
                code, reason = coded_return_reason(get_form(form_code, p), row, before, rng.choice((0, 1, 2)))
                chain = [(*s[:4], s[4] - 4, (code, reason) if s[0] == "return" else (None, None)) for s in RETURNED] + \
                        [(*s, (None, None)) for s in chain]
            else:
                chain = [(*s, (None, None)) for s in chain]
            for action, a, b, role, offset, (code, comment) in chain:
                at = _at(reported + dt.timedelta(days=offset))
                who = _who(role, unit)
                steps.append(dict(filing_id=fid, action=action, from_state=a, to_state=b, username=who,
                                  at=at, comment=comment, reason_code=code))
                detail = {"from": a, "to": b, "comment": comment, **({"reason": code} if code else {})}
                entries.append(dict(at=at, username=who, action=f"filing.{action}", object_type="filing",
                                    object_id=fid, detail=detail))
    if filings:
        db.session.execute(insert(Filing), filings)
        db.session.execute(insert(value_model(form_code)), values)
        db.session.execute(insert(FilingTransition), steps)
        advance_sequence(Filing.__tablename__)
    if audit is None:
        entries.sort(key=lambda e: e["at"])
        record_many(entries)
    else:
        audit.extend(entries)
    db.session.flush()
    return len(filings)


def advance_sequence(table: str) -> None:
    """Ids were given explicitly: on PostgreSQL, move the id sequence past them."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
