"""The leaders' dashboard, and a unit's own dashboard: KPI cards and the aggregated data behind
the charts. Every figure comes from :func:`aggregate` (scope applied there), every 同比 from
app.reporting.comparison (the same units on both sides by default), completion from
app.reporting.completion (counted in SQL); the number of queries does not depend on the
number of units.

Each form's period is chosen on the page; by default it is the latest period past its end with
accepted figures, even while the office is still reviewing it — its coverage (accepted /
expected units) is shown and partial figures are marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..filing.periods import Period, last_complete
from ..filing.workflow import ACCEPTED
from ..forms import FORMS, get_form
from ..forms.base import format_rate
from ..models.filing import Filing
from ..scope import restrict
from .aggregate import CITY, Row, StatsQuery, Table, aggregate
from .compare import format_pct, pct_change
from .comparison import MATCHED, Compared, Comparison, compare_many
from .completion import CompletionPoint, completion_counts
from .measures import RATE, known
from .units import units_behind

TREND_QUARTERS, TREND_HALVES, COMPLETION_PERIODS = 12, 8, 8
CHOICES = 8  # periods offered by the selector
PENALTY, RECONSIDERATION, LITIGATION = "penalty", "reconsideration", "litigation"
SHOWN = (PENALTY, RECONSIDERATION, LITIGATION)  # the forms whose figures the dashboard shows
# What the cards, tables and charts read from each form's comparison (only these are summed).
FIGURES = {
    PENALTY: ("decisions_total", "amount_total"),
    RECONSIDERATION: ("new_applications", "correction_rate", "concluded"),
    LITIGATION: ("loss_rate", "concluded"),
}
OUTCOME_GROUPS = {RECONSIDERATION: ("审结情况",), LITIGATION: ("一审审结情况", "审结情况")}
OUTCOME_TOTALS = frozenset({"concluded", "pending", "f1_concluded"})


def outcome_fields(spec, form: str) -> list[tuple[str, str]]:
    """(name, label) of the outcome fields the dashboard stacks for a case form's version: the
    first of its groups the version has (the 2024 litigation form's 一审 outcomes, else 审结情况),
    totals left out."""
    for group in OUTCOME_GROUPS.get(form, ()):
        found = [(f.name, f.label) for f in spec.fields if f.group == group and f.name not in OUTCOME_TOTALS]
        if found:
            return found
    return []


def trend_names(form: str, spec) -> frozenset[str]:
    """The figures the trend charts draw from a form's trend (only these are summed: the
    reconsideration form has some 80 fields, the charts show a dozen)."""
    from ..forms.penalty import KIND_FIELDS

    shown = {PENALTY: ["decisions_total", "amount_total", *(f.name for f in KIND_FIELDS)],
             RECONSIDERATION: ["new_applications", "concluded", "correction_rate"],
             LITIGATION: ["new_total", "concluded", "loss_rate"]}[form]
    shown += [name for name, _label in outcome_fields(spec, form)]
    return known(spec, shown)


@dataclass
class Kpi:
    """One card: a figure of the chosen period and its 同比 (over the units compared)."""

    key: str
    label: str
    kind: str  # count | money | rate
    value: object
    base: object
    period: Period | None
    note: str = ""
    form: str = ""
    metric: str = ""
    compared: Compared | None = None  # the total's comparison: pair, coverage
    partial: bool = False  # the period is not complete: some expected units not yet accepted

    @property
    def now(self):
        """The value set against the base (the units with figures in both periods)."""
        return self.compared.yoy.current if self.compared and self.compared.yoy else self.value

    @property
    def yoy_text(self) -> str:
        if self.kind == RATE:
            if self.now is None or self.base is None:
                return "—"
            return _("%(pp)s个百分点", pp=f"{(Decimal(self.now) - Decimal(self.base)) * 100:+.1f}")
        return format_pct(pct_change(self.now, self.base))

    @property
    def direction(self) -> str:
        if self.now is None or self.base is None or self.now == self.base:
            return ""
        return "up" if self.now > self.base else "down"


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
class PeriodChoice:
    """A period the selector offers, with its coverage."""

    period: Period
    point: CompletionPoint

    @property
    def text(self) -> str:
        return _("%(period)s（%(n)d/%(m)d）", period=self.period.label, n=self.point.accepted or 0,
                 m=self.point.expected)


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
    ranking: list[Row] | None = None
    reconsideration_units: list[Row] | None = None
    litigation_units: list[Row] | None = None
    units: list[UnitLine] = field(default_factory=list)
    staff: dict[str, dict] | None = None
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    coverage: dict[str, CompletionPoint] = field(default_factory=dict)  # the chosen period's, per form
    choices: dict[str, list[PeriodChoice]] = field(default_factory=dict)
    mode: str = MATCHED
    successor: bool = True

    def period_of(self, form: str) -> Period:
        return {PENALTY: self.penalty_period, RECONSIDERATION: self.case_period}.get(form, self.litigation_period)

    def partial(self, form: str) -> bool:
        point = self.coverage.get(form)
        return point is not None and not point.complete

    def coverage_text(self, form: str) -> str:
        """'48/61 单位已通过' for the form's chosen period."""
        point = self.coverage.get(form)
        if point is None:
            return ""
        return _("%(n)d/%(m)d 单位已通过", n=point.accepted or 0, m=point.expected)

    def mark(self, form: str) -> str:
        """What a chart title adds, on a second line, when the form's period is partial."""
        if not self.partial(form):
            return ""
        return "<br>" + _("※ %(period)s为部分数据：%(coverage)s", period=self.period_of(form).label,
                          coverage=self.coverage_text(form))


def latest_with_figures(form_code: str, today: dt.date, user=None, unit_ids=None, lookback: int = CHOICES) -> Period:
    """The latest period past its end with any accepted filing in the user's scope (and
    `unit_ids` when given), even if others are still being reviewed; else the latest complete."""
    kind = get_form(form_code).period_kind
    last = last_complete(kind, today)
    first = _back(last, lookback - 1)
    q = select(func.max(Filing.year * 10 + Filing.sub)).where(
        Filing.form_code == form_code, Filing.state == ACCEPTED,
        Filing.year.between(first.year, last.year),
        Filing.year * 10 + Filing.sub <= last.year * 10 + last.index)
    if unit_ids is not None:
        q = q.where(Filing.unit_id.in_(sorted(unit_ids)))
    found = db.session.scalar(restrict(q, Filing.unit_id, user))
    if not found:
        return last
    return Period(found // 10, kind, found % 10)


def choose_period(form_code: str, text: str | None, today: dt.date, default: Period) -> Period:
    """The period asked for on the page when it is one the selector offers, else `default`."""
    if not text:
        return default
    try:
        period = Period.parse(text)
    except ValueError:
        return default
    kind = get_form(form_code).period_kind
    last = last_complete(kind, today)
    return period if period.kind == kind and _back(last, CHOICES - 1) <= period <= last else default


def _back(period: Period, n: int) -> Period:
    for _i in range(n):
        period = period.previous()
    return period


def _trend(form: str, period: Period, n: int, unit_ids, user, successor: bool) -> Table:
    q = StatsQuery(form, _back(period, n - 1), period, split=True, by=CITY, unit_ids=unit_ids,
                   successor=successor and unit_ids is not None)
    return aggregate(q.but(names=trend_names(form, q.spec)), user)


def _kpi(key: str, label: str, kind: str, cmp: Comparison, form: str, point: CompletionPoint | None) -> Kpi:
    t = cmp.total
    note = _("%(period)s · %(n)d份报表", period=cmp.period.label, n=cmp.table.total(cmp.period).filings)
    partial = point is not None and not point.complete
    return Kpi(key, label, kind, t.current, t.yoy_base, cmp.period, note, form, cmp.metric, t, partial)


def _completion_kpi(now: dict[str, CompletionPoint]) -> Kpi:
    filed = sum(p.on_time + p.late for p in now.values())
    expected = sum(p.expected for p in now.values())
    rate = Decimal(filed) / Decimal(expected) if expected else None
    note = "；".join(f"{get_form(code).menu_title} {format_rate(p.rate)}" for code, p in now.items())
    return Kpi("completion", _("报送完成率"), RATE, rate, None, None, note)


def build_dashboard(today: dt.date, user=None, unit_ids: frozenset[int] | None = None, scope: str = "",
                    city: bool = False, visible: set[int] | None = None, periods: dict | None = None,
                    mode: str = MATCHED, successor: bool = True) -> DashboardData:
    """Everything the dashboard shows. `unit_ids` narrows to a drilled-down unit (already
    checked to be in scope; `successor`: with the closed units it took over); `visible` is the
    scope's unit ids (None: every unit); `periods` the periods asked for per form (text)."""
    periods = periods or {}
    behind = units_behind(unit_ids, successor) if unit_ids is not None else None
    ids = behind if behind is not None else visible
    chosen, choices, coverage = {}, {}, {}
    for form in SHOWN:
        kind = get_form(form).period_kind
        last = last_complete(kind, today)
        points = completion_counts(form, [_back(last, i) for i in range(CHOICES)], ids)
        choices[form] = [PeriodChoice(p.period, p) for p in points]
        # the default: the latest offered period with an expected unit's accepted filing (counted
        # above); a query only when none of them has one
        accepted = [p.period for p in points if p.accepted]
        default = max(accepted) if accepted else latest_with_figures(form, today, user, behind)
        chosen[form] = choose_period(form, periods.get(form), today, default)
        found = {p.period: p for p in points}
        coverage[form] = found.get(chosen[form]) or completion_counts(form, [chosen[form]], ids)[0]
    p_pen, p_rec, p_lit = chosen[PENALTY], chosen[RECONSIDERATION], chosen[LITIGATION]
    pen = _trend(PENALTY, p_pen, TREND_QUARTERS, unit_ids, user, successor)
    rec = _trend(RECONSIDERATION, p_rec, TREND_HALVES, unit_ids, user, successor)
    lit = _trend(LITIGATION, p_lit, TREND_HALVES, unit_ids, user, successor)
    # by CITY: one group (the cards); the comparison's table keeps every unit's rows (the tables)
    cmps = {form: compare_many(StatsQuery(form, chosen[form], by=CITY, unit_ids=unit_ids,
                                          successor=successor and unit_ids is not None),
                               FIGURES[form], user, mode, coverage=False)
            for form in SHOWN}
    now = {}
    for code, spec in FORMS.items():
        last = last_complete(spec.period_kind, today)
        known = [c.point for c in choices.get(code, []) if c.period == last]
        now[code] = known[0] if known else completion_counts(code, [last], ids)[0]
    completion = [c.point for c in reversed(choices[PENALTY])][-COMPLETION_PERIODS:]
    now = {PENALTY: now.pop(PENALTY), **now}
    kpis = [
        _kpi("decisions", _("行政处罚决定"), "count", cmps[PENALTY]["decisions_total"], PENALTY, coverage[PENALTY]),
        _kpi("amount", _("罚没金额"), "money", cmps[PENALTY]["amount_total"], PENALTY, coverage[PENALTY]),
        _kpi("received", _("行政复议新收"), "count", cmps[RECONSIDERATION]["new_applications"], RECONSIDERATION,
             coverage[RECONSIDERATION]),
        _kpi("correction", _("行政复议纠错率"), RATE, cmps[RECONSIDERATION]["correction_rate"], RECONSIDERATION,
             coverage[RECONSIDERATION]),
        _kpi("loss", _("行政应诉败诉率"), RATE, cmps[LITIGATION]["loss_rate"], LITIGATION, coverage[LITIGATION]),
        _completion_kpi(now),
    ]
    data = DashboardData(scope, city, p_pen, p_rec, p_lit, kpis, pen, rec, lit, completion, now,
                         comparisons={f: next(iter(c.values())) for f, c in cmps.items()},
                         coverage=coverage, choices=choices, mode=mode, successor=successor)
    if city:
        data.ranking = cmps[PENALTY]["decisions_total"].table.for_period(p_pen)
        data.reconsideration_units = cmps[RECONSIDERATION]["new_applications"].table.for_period(p_rec)
        data.litigation_units = cmps[LITIGATION]["loss_rate"].table.for_period(p_lit)
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

    for r in data.ranking:
        ln = line(r)
        ln.decisions, ln.amount = r.get("decisions_total"), r.get("amount_total")
    for r in data.reconsideration_units:
        ln = line(r)
        ln.received, ln.correction_rate = r.get("new_applications"), r.get("correction_rate")
    for r in data.litigation_units:
        line(r).loss_rate = r.get("loss_rate")
    return sorted(lines.values(), key=lambda ln: order[ln.key])


def staff_breakdowns(unit_ids: set[int] | None, today: dt.date) -> dict[str, dict] | None:
    """Staff by education and by age band from the staff register, when that module exists."""
    try:
        from ..staff.stats import breakdowns
    except ImportError:  # the register is an optional module
        return None
    found = breakdowns(unit_ids, today, ("by_education", "by_age_band"))
    return found if any(found.values()) else None
