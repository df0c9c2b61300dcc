"""The leaders' dashboard, and a unit's own dashboard: KPI cards and the aggregated data behind
the charts. Every figure comes from :func:`aggregate` (scope applied there) and the filing
engine's timeliness; the number of queries does not depend on the number of units.

The KPI period of a form is its *latest reviewed period*: the latest one whose deadline has
passed and which has no filing still waiting for the municipal office's review — so leaders
compare finished figures with finished figures. Completion is shown for the latest complete
period whatever its review state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..extensions import db
from ..filing.deadlines import deadlines_for
from ..filing.periods import Period, last_complete, periods_between
from ..filing.workflow import ACCEPTED, SUBMITTED
from ..forms import FORMS, get_form
from ..forms.base import format_rate
from ..models.filing import Filing
from ..scope import restrict
from .aggregate import CITY, UNIT, StatsQuery, Table, aggregate
from .compare import format_pct, pct_change
from .completion import CompletionPoint, completion_series
from .measures import RATE

TREND_QUARTERS, TREND_HALVES, COMPLETION_PERIODS = 12, 8, 8
PENALTY, RECONSIDERATION, LITIGATION = "penalty", "reconsideration", "litigation"


@dataclass
class Kpi:
    """One card: a figure of the latest reviewed period and its 同比."""

    key: str
    label: str
    kind: str  # count | money | rate
    value: object
    base: object
    period: Period | None
    note: str = ""

    @property
    def yoy_text(self) -> str:
        if self.kind == RATE:
            if self.value is None or self.base is None:
                return "—"
            return _("%(pp)s个百分点", pp=f"{(Decimal(self.value) - Decimal(self.base)) * 100:+.1f}")
        return format_pct(pct_change(self.value, self.base))

    @property
    def direction(self) -> str:
        if self.value is None or self.base is None or self.value == self.base:
            return ""
        return "up" if self.value > self.base else "down"


@dataclass
class UnitLine:
    """One row of the drill-down table."""

    key: int
    label: str
    decisions: int | None = None
    amount: int | None = None
    received: int | None = None
    correction_rate: Decimal | None = None
    loss_rate: Decimal | None = None


@dataclass
class DashboardData:
    scope: str
    city: bool
    penalty_period: Period
    case_period: Period
    litigation_period: Period
    kpis: list[Kpi]
    penalty_trend: Table
    reconsideration_trend: Table
    litigation_trend: Table
    completion: list[CompletionPoint]
    completion_now: dict[str, CompletionPoint]
    ranking: Table | None = None
    reconsideration_units: Table | None = None
    litigation_units: Table | None = None
    units: list[UnitLine] = field(default_factory=list)
    staff: dict[str, dict] | None = None


def latest_reviewed(form_code: str, today: dt.date, user=None, unit_ids=None, lookback: int = 8) -> Period:
    """The latest period past its deadline with accepted figures and nothing still awaiting the
    office's review, in the user's scope (and `unit_ids` when given); else the latest complete."""
    kind = get_form(form_code).period_kind
    last = last_complete(kind, today)
    periods = list(reversed(periods_between(kind, Period(last.year - 4, kind, 1), last)))[:lookback]
    dues = deadlines_for(form_code, periods)
    q = select(Filing.period_key, func.sum(case((Filing.state == ACCEPTED, 1), else_=0)),
               func.sum(case((Filing.state == SUBMITTED, 1), else_=0))).where(
        Filing.form_code == form_code, Filing.period_key.in_([p.key for p in periods])).group_by(Filing.period_key)
    if unit_ids is not None:
        q = q.where(Filing.unit_id.in_(unit_ids))
    rows = db.session.execute(restrict(q, Filing.unit_id, user))
    counts = {key: (accepted, waiting) for key, accepted, waiting in rows}
    for p in periods:
        accepted, waiting = counts.get(p.key, (0, 0))
        if dues[p.key] < today and accepted and not waiting:
            return p
    return last


def _back(period: Period, n: int) -> Period:
    for _i in range(n):
        period = period.previous()
    return period


def _trend(form: str, period: Period, n: int, unit_ids, user) -> Table:
    q = StatsQuery(form, _back(period, n - 1), period, split=True, by=CITY, unit_ids=unit_ids)
    return aggregate(q, user)


def _kpi(key: str, label: str, kind: str, table: Table, period: Period, name: str) -> Kpi:
    now, base = table.total(period), table.total(period.same_last_year())
    value = now.get(name) if now.filings else None
    before = base.get(name) if base.filings else None
    note = _("%(period)s · %(n)d份报表", period=period.label, n=now.filings)
    return Kpi(key, label, kind, value, before, period, note)


def _completion_kpi(now: dict[str, CompletionPoint]) -> Kpi:
    filed = sum(p.on_time + p.late for p in now.values())
    expected = sum(p.expected for p in now.values())
    rate = Decimal(filed) / Decimal(expected) if expected else None
    note = "；".join(f"{get_form(code).menu_title} {format_rate(p.rate)}" for code, p in now.items())
    return Kpi("completion", _("报送完成率"), RATE, rate, None, None, note)


def build_dashboard(today: dt.date, user=None, unit_ids: frozenset[int] | None = None, scope: str = "",
                    city: bool = False, visible: set[int] | None = None) -> DashboardData:
    """Everything the dashboard shows. `unit_ids` narrows to a drilled-down unit (already
    checked to be in scope); `visible` is the scope's unit ids (None: every unit)."""
    p_pen = latest_reviewed(PENALTY, today, user, unit_ids)
    p_rec = latest_reviewed(RECONSIDERATION, today, user, unit_ids)
    p_lit = latest_reviewed(LITIGATION, today, user, unit_ids)
    pen = _trend(PENALTY, p_pen, TREND_QUARTERS, unit_ids, user)
    rec = _trend(RECONSIDERATION, p_rec, TREND_HALVES, unit_ids, user)
    lit = _trend(LITIGATION, p_lit, TREND_HALVES, unit_ids, user)
    ids = set(unit_ids) if unit_ids is not None else visible
    now = {code: completion_series(code, [last_complete(spec.period_kind, today)], ids)[0]
           for code, spec in FORMS.items() if code != PENALTY}
    pen_kind = get_form(PENALTY).period_kind
    completion = completion_series(PENALTY, periods_between(
        pen_kind, _back(last_complete(pen_kind, today), COMPLETION_PERIODS - 1), last_complete(pen_kind, today)), ids)
    now = {PENALTY: completion[-1], **now}
    kpis = [
        _kpi("decisions", _("行政处罚决定"), "count", pen, p_pen, "decisions_total"),
        _kpi("amount", _("罚没金额"), "money", pen, p_pen, "amount_total"),
        _kpi("received", _("行政复议新收"), "count", rec, p_rec, "new_applications"),
        _kpi("correction", _("行政复议纠错率"), RATE, rec, p_rec, "correction_rate"),
        _kpi("loss", _("行政应诉败诉率"), RATE, lit, p_lit, "loss_rate"),
        _completion_kpi(now),
    ]
    data = DashboardData(scope, city, p_pen, p_rec, p_lit, kpis, pen, rec, lit, completion, now)
    if city:
        data.ranking = aggregate(StatsQuery(PENALTY, p_pen, by=UNIT), user)
        data.reconsideration_units = aggregate(StatsQuery(RECONSIDERATION, p_rec, by=UNIT), user)
        data.litigation_units = aggregate(StatsQuery(LITIGATION, p_lit, by=UNIT), user)
        data.units = unit_lines(data)
    data.staff = staff_breakdowns(ids, today)
    return data


def unit_lines(data: DashboardData) -> list[UnitLine]:
    """The drill-down table: every unit with a figure in any of the three unit tables."""
    lines: dict[int, UnitLine] = {}
    order: dict[int, str] = {}

    def line(row):
        order[row.key] = row.code
        return lines.setdefault(row.key, UnitLine(row.key, row.label))

    for r in data.ranking.rows:
        ln = line(r)
        ln.decisions, ln.amount = r.get("decisions_total"), r.get("amount_total")
    for r in data.reconsideration_units.rows:
        ln = line(r)
        ln.received, ln.correction_rate = r.get("new_applications"), r.get("correction_rate")
    for r in data.litigation_units.rows:
        line(r).loss_rate = r.get("loss_rate")
    return sorted(lines.values(), key=lambda ln: order[ln.key])


def staff_breakdowns(unit_ids: set[int] | None, today: dt.date) -> dict[str, dict] | None:
    """Staff by education and by age band from the staff register, when that module exists."""
    try:
        from ..staff.stats import staff_stats
    except ImportError:  # the register is an optional module
        return None
    stats = staff_stats(unit_ids, today, today.year)
    if not stats.get("headcount"):
        return None
    return {key: stats[key] for key in ("by_education", "by_age_band") if key in stats}
