"""Timeliness: who must file what, who filed on time, late or not at all, and the yearly score.

A filing counts as filed when the unit's approver signs it off (it reaches 已上报); it is on
time when that happens on or before the deadline (local date). A unit is expected to file a
period when it is active on the period's last day, unless an administrator set otherwise
for that form (FormAssignment).

Yearly score (annual rule-of-law assessment), per unit: over every period of every form that
ends in the year and the unit was expected to file (periods not yet due count once filed):
on time = 1, late = 0.5, missing = 0; score = 100 × points / expected, one decimal. No expected filing → no score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from ..clock import _zone, local_date, today
from ..extensions import db
from ..forms import FORMS, get_form
from ..models.filing import Filing, FormAssignment
from ..models.unit import Unit
from ..settings_memo import memo
from .deadlines import deadline, deadlines_for
from .periods import Period, periods_between

ON_TIME, LATE, MISSING = "on_time", "late", "missing"
STATUS_LABELS = {ON_TIME: "按时", LATE: "迟报", MISSING: "未报"}
POINTS = {ON_TIME: 1.0, LATE: 0.5, MISSING: 0.0}


def assignments(form_code: str) -> dict[int, list[tuple[dt.date, bool]]]:
    """{unit_id: [(valid_from, required), …] oldest first} where an administrator set it for the
    form (one query, once a request: app.settings_memo)."""
    return memo("form_assignment", form_code, lambda: _assignments(form_code))


def _assignments(form_code: str) -> dict[int, list[tuple[dt.date, bool]]]:
    out: dict[int, list[tuple[dt.date, bool]]] = {}
    for unit_id, since, required in db.session.execute(
        select(FormAssignment.unit_id, FormAssignment.valid_from, FormAssignment.required)
        .where(FormAssignment.form_code == form_code).order_by(FormAssignment.valid_from)
    ):
        out.setdefault(unit_id, []).append((since, required))
    return out


def assigned_on(entries: list[tuple[dt.date, bool]] | None, day: dt.date) -> bool | None:
    """The assignment in force on `day`: required True/False, or None where none was set."""
    found = None
    for since, required in entries or ():
        if since <= day:
            found = required
    return found


def is_expected(unit: Unit, form_code: str, period: Period, required: dict | None = None) -> bool:
    """Must `unit` file `form_code` for `period`?"""
    if required is None:
        required = assignments(form_code)
    return expected_on(unit, required, period.end)


def expected_on(unit: Unit, required: dict[int, list], last_day: dt.date) -> bool:
    """The rule of is_expected, for a period ending on `last_day`: not excluded from the form on
    that day by an administrator (`required`, from assignments()), and active on that day."""
    return assigned_on(required.get(unit.id), last_day) is not False and unit.active_on(last_day)


@dataclass
class UnitStatus:
    unit: Unit
    status: str
    reported_on: dt.date | None
    days_late: int
    filing_id: int | None
    state: str | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class PeriodTimeliness:
    form_code: str
    period: Period
    deadline: dt.date
    rows: list[UnitStatus] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def overdue(self, on: dt.date | None = None) -> bool:
        """The deadline has passed (the day after it): units still missing may be reminded (催报)."""
        from ..clock import today

        return self.deadline < (on or today())

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def completion_rate(self):
        """Filed (on time or late) / expected, or None when nobody was expected."""
        from decimal import Decimal

        if not self.rows:
            return None
        return Decimal(self.count(ON_TIME) + self.count(LATE)) / Decimal(self.expected)


def _status(reported_at: dt.datetime | None, due: dt.date, zone=None) -> tuple[str, dt.date | None, int]:
    if reported_at is None:
        return MISSING, None, 0
    day = local_date(reported_at, zone)
    late = (day - due).days
    return (ON_TIME, day, 0) if late <= 0 else (LATE, day, late)


def status_of(reported_at: dt.datetime | None, due: dt.date) -> tuple[str, dt.date | None, int]:
    """(on time | late | missing, the local date it was done, days late) of something due on
    `due` and done at `reported_at` (a stored UTC time, or None): the rule every deadline of the
    portal is judged by (filings here, documents in app.docflow)."""
    return _status(reported_at, due)


def days_late(form_code: str, period_key: str, reported_at: dt.datetime | None) -> int | None:
    """Days past the deadline in force of something of `form_code` for `period_key` signed off at
    `reported_at` (0 when on time; None when not signed off): the rule of status_of, kept on the
    filing at its first sign-off (Filing.days_late) for the reviewer's list."""
    if reported_at is None:
        return None
    return status_of(reported_at, deadline(form_code, Period.parse(period_key)))[2]


def refresh_days_late(form_code: str, period: Period) -> int:
    """Recompute the kept days late of one form's and period's signed-off filings (after its
    deadline moved); returns how many changed. Written without touching the filings' edit version
    (a page open on one of them stays valid)."""
    from sqlalchemy import update

    due = deadline(form_code, period)
    changed = 0
    for fid, reported, kept in db.session.execute(
        select(Filing.id, Filing.first_reported_at, Filing.days_late).where(
            Filing.form_code == form_code, Filing.period_key == period.key,
            Filing.first_reported_at.is_not(None))
    ).all():
        late = status_of(reported, due)[2]
        if late != kept:
            db.session.execute(update(Filing.__table__).where(Filing.__table__.c.id == fid).values(days_late=late))
            changed += 1
    return changed


def score_of(counts: dict) -> float | None:
    """100 × points / expected, one decimal (on time 1, late 0.5, missing 0); None when nothing
    was expected. `counts` holds "expected" and a number per status."""
    if not counts.get("expected"):
        return None
    points = sum(POINTS[k] * counts.get(k, 0) for k in (ON_TIME, LATE, MISSING))
    return round(100 * points / counts["expected"], 1)


def period_timeliness(form_code: str, period: Period, unit_ids: set[int] | None = None) -> PeriodTimeliness:
    """Per expected unit: on time, late (days) or missing, for one form and period."""
    return timeliness_over(form_code, [period], unit_ids)[0]


def _units(unit_ids: set[int] | None) -> list[Unit]:
    """The units (all, or `unit_ids`) ordered by code; loaded once per request or app context
    (the dashboard asks for every form and many periods)."""
    q = select(Unit).order_by(Unit.code)
    if unit_ids is not None:
        q = q.where(Unit.id.in_(unit_ids))
    return memo("unit", None if unit_ids is None else frozenset(unit_ids), lambda: list(db.session.scalars(q)))


def timeliness_over(form_code: str, periods: list[Period], unit_ids: set[int] | None = None) -> list[PeriodTimeliness]:
    """`period_timeliness` of many periods of one form with four queries, whatever their number
    (assignments, deadlines, units, filings): the dashboard's and the yearly score's series."""
    if not periods:
        return []
    dues = deadlines_for(form_code, periods)
    required = assignments(form_code)
    units = _units(unit_ids)
    filings: dict[tuple[str, int], tuple] = {
        (key, unit_id): (fid, state, reported)
        for fid, unit_id, key, state, reported in db.session.execute(
            select(Filing.id, Filing.unit_id, Filing.period_key, Filing.state, Filing.first_reported_at).where(
                Filing.form_code == form_code, Filing.period_key.in_([p.key for p in periods]))
        )
    }
    out = []
    zone = _zone()  # once, not per filing (a 20-year series converts tens of thousands of times)
    for period in periods:
        key, last_day, due = period.key, period.end, dues[period.key]
        result = PeriodTimeliness(form_code, period, due)
        for u in units:
            if not expected_on(u, required, last_day):
                continue
            fid, state, reported = filings.get((key, u.id), (None, None, None))
            status, day, late = _status(reported, due, zone)
            result.rows.append(UnitStatus(u, status, day, late, fid, state))
        out.append(result)
    return out


def year_scores(year: int, unit_ids: set[int] | None = None, on: dt.date | None = None) -> dict[int, dict]:
    """{unit_id: {expected, on_time, late, missing, score}} over every form's periods of `year`.

    A period whose deadline is still ahead (on `on`, default today) counts only once filed.
    """
    on = on or today()
    out: dict[int, dict] = {}
    for code, spec in FORMS.items():
        kind = spec.period_kind
        first = Period(year, kind, 1)
        last = Period(year + 1, kind, 1).previous()
        for report in timeliness_over(code, periods_between(kind, first, last), unit_ids):
            for row in report.rows:
                if row.status == MISSING and report.deadline >= on:
                    continue
                s = out.setdefault(row.unit.id, {"unit": row.unit, "expected": 0,
                                                 ON_TIME: 0, LATE: 0, MISSING: 0})
                s["expected"] += 1
                s[row.status] += 1
    for s in out.values():
        s["score"] = score_of(s)
    return out


@dataclass
class Overdue:
    form_code: str
    period: Period
    deadline: dt.date
    unit: Unit
    state: str | None

    @property
    def form_title(self) -> str:
        spec = get_form(self.form_code)
        return spec.menu_title or spec.title


def overdue(unit_ids: set[int] | None = None, on: dt.date | None = None, years_back: int = 1) -> list[Overdue]:
    """催报: filings past their deadline and not yet signed off, for recent periods."""
    on = on or today()
    out = []
    for code, spec in FORMS.items():
        kind = spec.period_kind
        last = Period(on.year, kind, 1)
        while last.next().start <= on:
            last = last.next()
        first = Period(on.year - years_back, kind, 1)
        periods = periods_between(kind, first, last)
        for report in timeliness_over(code, periods, unit_ids):
            if report.deadline >= on:
                continue
            for row in report.rows:
                if row.status == MISSING:
                    out.append(Overdue(code, report.period, report.deadline, row.unit, row.state))
    return out


def due_soon(unit: Unit, on: dt.date | None = None) -> list[tuple[str, Period, dt.date, Filing | None]]:
    """What the unit must file now: each period whose deadline has not passed (the one being
    filed after its end, and the running one, shown ahead)."""
    on = on or today()
    out = []
    for code, spec in FORMS.items():
        kind = spec.period_kind
        p = Period(on.year - 1, kind, 1)
        while p.start <= on:
            if deadline(code, p) >= on and is_expected(unit, code, p):
                f = db.session.scalar(select(Filing).where(
                    Filing.form_code == code, Filing.unit_id == unit.id, Filing.period_key == p.key))
                out.append((code, p, deadline(code, p), f))
            p = p.next()
    return out
