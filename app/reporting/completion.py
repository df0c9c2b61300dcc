"""Filing completion over periods, from the filing engine's own timeliness rules
(``app.filing.timeliness``): expected, on time, late, missing per period.

``completion_series`` lists every expected unit (the analysis report names them);
``completion_counts`` counts the same in SQL — one statement for any number of periods and
units — for pages that show only the numbers (the dashboard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from ..clock import _zone
from ..extensions import db
from ..filing.deadlines import deadlines_for
from ..filing.periods import Period
from ..filing.timeliness import LATE, MISSING, ON_TIME, UnitStatus, assigned_on, assignments, timeliness_over
from ..filing.workflow import ACCEPTED
from ..models.filing import Filing
from ..models.unit import Unit


@dataclass
class CompletionPoint:
    period: Period
    on_time: int
    late: int
    missing: int
    rows: list[UnitStatus] = field(default_factory=list, repr=False)
    accepted: int | None = None  # expected units whose filing the office has accepted

    @property
    def expected(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> Decimal | None:
        """(on time + late) / expected; None when nobody was expected."""
        if not self.expected:
            return None
        return Decimal(self.on_time + self.late) / Decimal(self.expected)

    @property
    def complete(self) -> bool:
        """Every expected unit's filing accepted (nothing expected counts as complete)."""
        return self.accepted is not None and self.accepted >= self.expected


def completion_series(form_code: str, periods: list[Period], unit_ids: set[int] | None) -> list[CompletionPoint]:
    """One point per period for the units `unit_ids` (None: all) — pass the scope's ids."""
    return [CompletionPoint(r.period, r.count(ON_TIME), r.count(LATE), r.count(MISSING), r.rows)
            for r in timeliness_over(form_code, periods, unit_ids)]


def _cutoff(due: dt.date, zone) -> dt.datetime:
    """The stored (naive UTC) instant the local day after `due` begins: signed off before it is
    on time — the rule of app.filing.timeliness.status_of, as a bound for SQL."""
    start = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def completion_counts(form_code: str, periods: list[Period], unit_ids: set[int] | None) -> list[CompletionPoint]:
    """The counts of `completion_series` (and how many expected units' filings are accepted),
    counted by the database: a unit is expected when active on the period's last day and not
    excluded from the form by an administrator (app.filing.timeliness.expected_on)."""
    if not periods:
        return []
    dues = deadlines_for(form_code, periods)
    required = assignments(form_code)
    zone = _zone()
    parts = []
    for p in periods:
        last_day, cutoff = p.end, _cutoff(dues[p.key], zone)
        reported = Filing.first_reported_at
        q = (
            select(literal(p.key).label("k"), func.count(Unit.id).label("expected"),
                   func.coalesce(func.sum(case((reported < cutoff, 1), else_=0)), 0).label("on_time"),
                   func.coalesce(func.sum(case((reported >= cutoff, 1), else_=0)), 0).label("late"),
                   func.coalesce(func.sum(case((Filing.state == ACCEPTED, 1), else_=0)), 0).label("accepted"))
            .select_from(Unit)
            .outerjoin(Filing, and_(Filing.unit_id == Unit.id, Filing.form_code == form_code,
                                    Filing.period_key == p.key))
            .where(Unit.valid_from <= last_day, or_(Unit.valid_to.is_(None), Unit.valid_to > last_day))
        )
        excluded = [uid for uid, entries in required.items() if assigned_on(entries, last_day) is False]
        if excluded:
            q = q.where(Unit.id.not_in(excluded))
        if unit_ids is not None:
            q = q.where(Unit.id.in_(sorted(unit_ids) or [-1]))
        parts.append(q)
    found = {r.k: r for r in db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0])}
    out = []
    for p in periods:
        r = found[p.key]
        on_time, late = int(r.on_time), int(r.late)
        out.append(CompletionPoint(p, on_time, late, int(r.expected) - on_time - late, accepted=int(r.accepted)))
    return out
