"""Filing completion over periods, from the filing engine's own timeliness rules
(``app.filing.timeliness``): expected, on time, late, missing per period.

``completion_series`` lists every expected unit (the unit timeliness pages);
``completion_counts`` counts the same in SQL — one statement for any number of periods and
units — for pages that show only the numbers (the dashboard, the analysis), and
``lagging_units`` names the units late or missing (the analysis's sentence), also in SQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select

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


class _Expected:
    """The timeliness rules of one form over some periods as SQL (app.filing.timeliness: a unit
    is expected when active on the period's last day and not excluded from the form by an
    administrator; signed off before the local day after the deadline is on time), shared by
    the counts and by the names of the units behind."""

    def __init__(self, form_code: str, periods: list[Period]) -> None:
        self.form_code, self.periods = form_code, periods
        self.dues = deadlines_for(form_code, periods)
        required = assignments(form_code)
        self.excluded = {p: sorted(uid for uid, entries in required.items() if assigned_on(entries, p.end) is False)
                         for p in periods}
        self.zone = _zone()
        self._conditions: dict[Period, object] = {}

    def key(self) -> tuple:
        """Everything the statements are made of (read from the database on each call)."""
        return (self.form_code, tuple(self.periods), tuple(self.dues[p.key] for p in self.periods),
                tuple(tuple(self.excluded[p]) for p in self.periods), str(self.zone))

    def on(self, p: Period):
        """The condition 'the unit is expected to file `p`', on Unit's columns (built once a period)."""
        if p not in self._conditions:
            day = p.end
            cond = and_(Unit.valid_from <= day, or_(Unit.valid_to.is_(None), Unit.valid_to > day))
            excluded = self.excluded[p]
            self._conditions[p] = and_(cond, Unit.id.not_in(excluded)) if excluded else cond
        return self._conditions[p]

    def active(self):
        """The filing's unit is expected for the filing's period."""
        return case(*[(Filing.period_key == p.key, self.on(p)) for p in self.periods], else_=False)

    def cutoff(self):
        """The filing's period's first instant that is late."""
        return case(*[(Filing.period_key == p.key, literal(_cutoff(self.dues[p.key], self.zone)))
                      for p in self.periods])


def _scoped(q, unit_ids):
    return q if unit_ids is None else q.where(Unit.id.in_(sorted(unit_ids) or [-1]))


# The two counting statements by what they are made of (the form, the periods, their deadlines,
# the exclusions in force, the scope): building them takes longer than the database takes to
# answer (the dashboard counts 25 periods on every request). A statement holds no figures.
_BUILT: OrderedDict[tuple, tuple] = OrderedDict()
_BUILT_LOCK = threading.Lock()  # a threaded worker (gthread) shares the dict between requests
BUILT_MAX = 256


def _counting(rules: _Expected, unit_ids: set[int] | None) -> tuple:
    key = (rules.key(), None if unit_ids is None else frozenset(unit_ids))
    with _BUILT_LOCK:
        found = _BUILT.get(key)
        if found is not None:
            _BUILT.move_to_end(key)
            return found
    periods = rules.periods
    units = _scoped(select(*[func.coalesce(func.sum(case((rules.on(p), 1), else_=0)), 0) for p in periods])
                    .select_from(Unit), unit_ids)
    cutoff = rules.cutoff()
    reported = Filing.first_reported_at
    filings = _scoped(
        select(Filing.period_key,
               func.sum(case((reported < cutoff, 1), else_=0)),
               func.sum(case((reported >= cutoff, 1), else_=0)),
               func.sum(case((Filing.state == ACCEPTED, 1), else_=0)))
        .join(Unit, Unit.id == Filing.unit_id)
        .where(Filing.form_code == rules.form_code, Filing.year.in_(sorted({p.year for p in periods})),
               Filing.period_key.in_([p.key for p in periods]), rules.active())
        .group_by(Filing.period_key), unit_ids)
    found = (units, filings)
    with _BUILT_LOCK:
        _BUILT[key] = found
        while len(_BUILT) > BUILT_MAX:
            _BUILT.popitem(last=False)
    return found


def completion_counts(form_code: str, periods: list[Period], unit_ids: set[int] | None) -> list[CompletionPoint]:
    """The counts of `completion_series` (and how many expected units' filings are accepted),
    counted by the database in two statements whatever the number of periods and units."""
    if not periods:
        return []
    count_units, count_filings = _counting(_Expected(form_code, periods), unit_ids)
    units = db.session.execute(count_units).one()
    rows = db.session.execute(count_filings)
    found = {k: (int(a or 0), int(b or 0), int(c or 0)) for k, a, b, c in rows}
    out = []
    for p, n in zip(periods, units, strict=True):
        on_time, late, accepted = found.get(p.key, (0, 0, 0))
        out.append(CompletionPoint(p, on_time, late, int(n) - on_time - late, accepted=accepted))
    return out


def lagging_units(form_code: str, periods: list[Period], unit_ids: set[int] | None) -> list[tuple[str, str, int]]:
    """(code, short name, how many of `periods`) of the units expected that did not file on time
    (late or missing: completion_series's rows not on time), by code; one statement."""
    if not periods:
        return []
    rules = _Expected(form_code, periods)
    times = []
    for p in periods:
        on_time = (select(Filing.id).where(Filing.unit_id == Unit.id, Filing.form_code == form_code,
                                           Filing.period_key == p.key,
                                           Filing.first_reported_at < literal(_cutoff(rules.dues[p.key], rules.zone)))
                   .exists())
        times.append(case((and_(rules.on(p), ~on_time), 1), else_=0))
    count = sum(times[1:], times[0])
    rows = db.session.execute(_scoped(select(Unit.code, Unit.short_name, count).where(count > 0), unit_ids)
                              .order_by(Unit.code))
    return [(code, name, int(n)) for code, name, n in rows]
