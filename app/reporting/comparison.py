"""同比 / 环比, ranking and share of the total for one figure of one period, per group.

One aggregation per unit over the span from the earliest base to the period (split by period,
only the parts of the figures asked for) gives every unit's current value and both bases.

**The same units on both sides.** By default (``MATCHED``) a group's 同比 and 环比 compare only
the units with accepted figures in both periods: a period still being reviewed (28 of 61 units
accepted) is never set against a complete one. The group's current value shown is still that
of every unit with figures; the compared pair and how many units it covers are kept apart
(``yoy`` / ``mom``). ``ALL_UNITS`` compares the whole groups, as they are. Coverage of the
periods themselves (accepted / expected, app.reporting.completion) marks comparisons that
involve a period not yet complete.

Changes of a count or an amount are absolute and relative; changes of a rate are in percentage
points. A missing or zero base is None (shown "—"). Every page, export, chart and API that
shows a 同比 or 环比 calls this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..filing.periods import YEAR, Period, period_of, periods_between
from ..forms import get_form
from ..forms.base import is_small
from ..models.unit import UNIT_KINDS, Unit
from .aggregate import CITY, CITY_KEY, KIND, PARENT, UNIT, Row, StatsQuery, Table, aggregate
from .compare import change, pct_change, share
from .completion import CompletionPoint, completion_counts
from .measures import RATE, kind_of
from .units import units_behind

MATCHED, ALL_UNITS = "matched", "all"
MODES = (MATCHED, ALL_UNITS)


@dataclass
class Pair:
    """One comparison (同比 or 环比) of one group: the two values compared and the units behind."""

    base_period: Period
    current: object  # the group's value over the compared units
    base: object
    units_now: int  # units with figures in the period
    units_base: int  # … in the base period
    units_both: int  # … in both
    mode: str = MATCHED

    @property
    def units(self) -> int:
        """How many units the comparison covers."""
        return self.units_both if self.mode == MATCHED else max(self.units_now, self.units_base)

    @property
    def uneven(self) -> bool:
        """The two periods hold different sets of units (matched: some were left out)."""
        return not (self.units_now == self.units_base == self.units_both)


@dataclass
class Compared:
    """One group's figure against its bases."""

    key: object
    code: str
    label: str
    current: object
    yoy_base: object
    mom_base: object
    rank: int | None = None
    share: Decimal | None = None
    yoy: Pair | None = None
    mom: Pair | None = None

    @property
    def yoy_change(self):
        return change(self.yoy.current if self.yoy else self.current, self.yoy_base)

    @property
    def yoy_pct(self) -> Decimal | None:
        return pct_change(self.yoy.current if self.yoy else self.current, self.yoy_base)

    @property
    def mom_change(self):
        return change(self.mom.current if self.mom else self.current, self.mom_base)

    @property
    def mom_pct(self) -> Decimal | None:
        return pct_change(self.mom.current if self.mom else self.current, self.mom_base)


@dataclass
class Coverage:
    """A period's accepted filings against the expected ones (units for a form's own period)."""

    period: Period
    accepted: int
    expected: int
    native: bool = True

    @property
    def complete(self) -> bool:
        return self.accepted >= self.expected

    @property
    def text(self) -> str:
        if self.native:
            return _("%(n)d/%(m)d 单位已通过", n=self.accepted, m=self.expected)
        return _("%(n)d/%(m)d 份报表已通过", n=self.accepted, m=self.expected)


@dataclass
class Comparison:
    """Every group's Compared, ranked, with the total."""

    period: Period
    yoy_period: Period
    mom_period: Period | None  # None for years: 环比 is 同比
    metric: str
    kind: str  # count | money | rate
    rows: list[Compared]
    total: Compared
    table: Table  # per unit, split by period
    mode: str = MATCHED
    coverage: dict[Period, Coverage] = field(default_factory=dict)
    # the native periods' completion behind `coverage` (the analysis states the period's own)
    points: dict[Period, CompletionPoint] = field(default_factory=dict)

    @property
    def is_rate(self) -> bool:
        return self.kind == RATE

    @property
    def matched(self) -> bool:
        return self.mode == MATCHED

    def covered(self, period: Period | None) -> Coverage | None:
        return self.coverage.get(period) if period is not None else None

    @property
    def incomplete(self) -> list[Period]:
        """The periods of the comparison not yet complete (accepted < expected)."""
        return [p for p in (self.period, self.yoy_period, self.mom_period)
                if p is not None and p in self.coverage and not self.coverage[p].complete]


def compare_text(cmp: Comparison) -> str:
    """How the comparison was made, in words, with the periods' coverage: for headings and
    downloads."""
    t = cmp.total
    parts = []
    if cmp.matched:
        n = t.yoy.units if t.yoy else 0
        parts.append(_("同比、环比只比较两期均有已通过数据的相同单位（同比%(n)d个单位）", n=n))
    else:
        parts.append(_("同比、环比按两期全部单位比较"))
    for p in (cmp.period, cmp.yoy_period, cmp.mom_period):
        c = cmp.covered(p)
        if c is not None:
            parts.append(f"{p.label} {c.text}" + ("" if c.complete else _("（未全部通过）")))
    return "；".join(parts)


def bases(period: Period) -> tuple[Period, Period | None]:
    """(同比 base, 环比 base or None for yearly periods)."""
    return period.same_last_year(), (None if period.kind == YEAR else period.previous())


def compare(q: StatsQuery, metric: str, user=None, mode: str = MATCHED, visible=None,
            coverage: bool = True) -> Comparison:
    """Compare `metric` for the period `q.first` (q.last and q.split are ignored), groups by
    `q.by`; `visible` is the scope's unit ids (None: every unit), for the periods' coverage."""
    return compare_many(q, [metric], user, mode, visible, coverage)[metric]


def compare_many(q: StatsQuery, metrics, user=None, mode: str = MATCHED, visible=None,
                 coverage: bool = True, ranked=None) -> dict[str, Comparison]:
    """`compare` of several figures of one form from one aggregation (the dashboard's cards).
    `q.names` may add figures the caller reads from the comparison's table. `ranked` (None: all)
    are the metrics whose per-group rows are built and ranked; the others' comparisons hold only
    their total (the analysis ranks one figure and states the totals of five: 500 units × the
    other figures would be built for nothing)."""
    period = q.first
    yoy, mom = bases(period)
    names = frozenset(metrics) | (q.names or frozenset())
    table = aggregate(q.but(first=yoy, last=period, split=True, by=UNIT, names=names,
                            only=frozenset(p for p in (period, yoy, mom) if p is not None)), user)
    groups = _groups(q.by, table)
    # members[group][slot] = {unit: row}, slot 0 the period, 1 the 同比 base, 2 the 环比 base
    # (small ints, not Periods: hashing a Period is a Python call, 1,500 rows a form)
    members: dict[object, list[dict[object, Row]]] = {}
    everyone: list[dict[object, Row]] = [{}, {}, {}]
    for slot, p in enumerate((period, yoy, mom)):
        if p is None:
            continue
        for r in table.for_period(p):
            if r.filings:
                found = members.get(g := groups[r.key][0])
                if found is None:
                    found = members[g] = [{}, {}, {}]
                found[slot][r.key] = everyone[slot][r.key] = r
    meta = {g: (code, label) for g, code, label in groups.values()}
    covered, points = _coverage(q, period, yoy, mom, visible) if coverage else ({}, {})
    # Each group's rows summed once (the units now, and each pair's two sides), whatever the metrics.
    merge = _merge_unit if q.by == UNIT else _merge_group  # by unit: every group is one unit
    merged = [(g, *meta[g], merge(table, members[g], period, yoy, mom, mode))
              for g in _ordered(groups, meta) if g in members]
    # grouped by CITY the one group is the total: summed once
    total = merged[0][3] if q.by == CITY and len(merged) == 1 else _merge_group(table, everyone, period, yoy, mom, mode)
    out = {}
    for metric in metrics:
        kind = kind_of(table.spec, metric)
        rows = ([_compared(g, code, label, m, metric) for g, code, label, m in merged]
                if ranked is None or metric in ranked else [])
        total_row = _compared(CITY_KEY, "", _("合计"), total, metric)
        rank(rows)
        if kind != RATE:
            for r in rows:
                r.share = share(r.current, total_row.current)
        out[metric] = Comparison(period, yoy, mom, metric, kind, rows, total_row, table, mode, covered, points)
    return out


def _value(row: Row | None, metric: str):
    return row.get(metric) if row is not None and row.filings else None


def _merge(table: Table, rows: list[Row], period: Period) -> Row | None:
    """One row for some units' rows of a bucket (a single unit's row as it is)."""
    if not rows:
        return None
    return rows[0] if len(rows) == 1 else table.combine(rows, period)


def _merge_group(table: Table, units: list[dict[object, Row]], period: Period, yoy: Period,
                 mom: Period | None, mode: str) -> tuple:
    """(the units now, the 同比 pair, the 环比 pair or None): each pair is (rows now, rows then,
    counts) over the units compared — with MATCHED those in both periods. `units` holds the
    group's rows of the period, the 同比 base and the 环比 base, by unit."""
    now = units[0]
    now_row = _merge(table, list(now.values()), period)
    pairs = []
    for slot, base in ((1, yoy), (2, mom)):
        if base is None:
            pairs.append(None)
            continue
        then = units[slot]
        both = now.keys() & then.keys()
        if mode == MATCHED:
            # the units now that have figures then too (all of them: the sum already made)
            cur = now_row if len(both) == len(now) else _merge(table, [now[k] for k in now if k in both], period)
            old = _merge(table, [then[k] for k in then if k in both], base)
        else:
            cur, old = now_row, _merge(table, list(then.values()), base)
        pairs.append((base, cur, old, len(now), len(then), len(both)))
    return now_row, pairs[0], pairs[1], mode


def _merge_unit(table: Table, units: list[dict[object, Row]], period: Period, yoy: Period,
                mom: Period | None, mode: str) -> tuple:
    """`_merge_group` of a group that is one unit (its rows are its own: nothing to sum)."""
    now = next(iter(units[0].values()), None)
    pairs = []
    for slot, base in ((1, yoy), (2, mom)):
        if base is None:
            pairs.append(None)
            continue
        then = next(iter(units[slot].values()), None)
        both = now is not None and then is not None
        cur, old = (now, then) if mode != MATCHED or both else (None, None)
        pairs.append((base, cur, old, int(now is not None), int(then is not None), int(both)))
    return now, pairs[0], pairs[1], mode


def _compared(key, code: str, label: str, merged: tuple, metric: str) -> Compared:
    now, yoy, mom, mode = merged
    pairs = [Pair(p[0], _value(p[1], metric), _value(p[2], metric), p[3], p[4], p[5], mode) if p else None
             for p in (yoy, mom)]
    return Compared(key, code, label, _value(now, metric), pairs[0].base, pairs[1].base if pairs[1] else None,
                    yoy=pairs[0], mom=pairs[1])


def _groups(by: str, table: Table) -> dict[object, tuple[object, str, str]]:
    """{unit key: (group key, group code, group label)} for the units in `table`."""
    keys = {r.key for r in table.rows}
    if by == UNIT:
        return {r.key: (r.key, r.code, r.label) for r in table.rows}
    if by == CITY:
        city = (CITY_KEY, "", _("合计"))
        return dict.fromkeys(keys, city)
    units = {u.id: u for u in db.session.execute(select(Unit.id, Unit.kind, Unit.parent_id, Unit.code,
                                                         Unit.short_name)).all()}
    out = {}
    for k in keys:
        u = units[k]
        if by == KIND:
            out[k] = (u.kind, u.kind, str(UNIT_KINDS.get(u.kind, u.kind)))
        elif by == PARENT:
            p = units.get(u.parent_id)
            out[k] = (u.parent_id, p.code if p else "", p.short_name if p else _("（无上级单位）"))
    return out


def _ordered(groups: dict, meta: dict) -> list:
    return sorted(meta, key=lambda g: (meta[g][0] or "", str(g)))


def _coverage(q: StatsQuery, period: Period, yoy: Period, mom: Period | None,
              visible) -> tuple[dict[Period, Coverage], dict[Period, CompletionPoint]]:
    """Accepted / expected filings of each compared period in the query's units and scope, and
    the completion of the native periods they are made of."""
    spec = get_form(q.form)
    native = spec.period_kind
    ids = visible
    if q.unit_ids is not None:
        behind = units_behind(q.unit_ids, q.successor)
        ids = behind if ids is None else behind & set(ids)
    if q.kinds is not None:
        kinds = set(db.session.scalars(select(Unit.id).where(Unit.kind.in_(sorted(q.kinds)))))
        ids = kinds if ids is None else kinds & set(ids)
    wanted = [p for p in (period, yoy, mom) if p is not None]
    spans = {p: periods_between(native, period_of(native, p.start), period_of(native, p.end)) for p in wanted}
    natives = sorted({n for ps in spans.values() for n in ps})
    points = {pt.period: pt for pt in completion_counts(q.form, natives, ids)}
    return {p: Coverage(p, sum(points[n].accepted for n in ps), sum(points[n].expected for n in ps),
                        p.kind == native) for p, ps in spans.items()}, points


def rank(rows: list[Compared]) -> None:
    """Competition ranking by current value, highest first (1, 2, 2, 4); no value, no rank; a
    rate over a small base (is_small: fewer cases than RATE_MIN_BASE) is never ranked."""
    ranked = sorted((r for r in rows if r.current is not None and not is_small(r.current)),
                    key=lambda r: r.current, reverse=True)
    previous, position = None, 0
    for i, r in enumerate(ranked, start=1):
        if r.current != previous:
            position, previous = i, r.current
        r.rank = position


def sorted_by_rank(rows: list[Compared]) -> list[Compared]:
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.code))
