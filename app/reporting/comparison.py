"""同比 / 环比, ranking and share of the total for one figure of one period, per group.

One aggregation over the span from the earliest base to the period (split by period) gives
the current value and both bases for every group. Changes of a count or an amount are
absolute and relative; changes of a rate are in percentage points. A missing or zero base is
None (shown "—").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..filing.periods import YEAR, Period
from ..forms.base import is_small
from .aggregate import StatsQuery, Table, aggregate
from .compare import change, pct_change, share
from .measures import RATE, kind_of


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

    @property
    def yoy_change(self):
        return change(self.current, self.yoy_base)

    @property
    def yoy_pct(self) -> Decimal | None:
        return pct_change(self.current, self.yoy_base)

    @property
    def mom_change(self):
        return change(self.current, self.mom_base)

    @property
    def mom_pct(self) -> Decimal | None:
        return pct_change(self.current, self.mom_base)


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
    table: Table

    @property
    def is_rate(self) -> bool:
        return self.kind == RATE


def bases(period: Period) -> tuple[Period, Period | None]:
    """(同比 base, 环比 base or None for yearly periods)."""
    return period.same_last_year(), (None if period.kind == YEAR else period.previous())


def compare(q: StatsQuery, metric: str, user=None) -> Comparison:
    """Compare `metric` for the period `q.first` (q.last and q.split are ignored)."""
    period = q.first
    yoy, mom = bases(period)
    table = aggregate(q.but(first=yoy, last=period, split=True), user)
    kind = kind_of(table.spec, metric)

    def value(row):
        return row.get(metric) if row is not None and row.filings else None

    keys: dict[object, tuple[str, str]] = {}
    for r in table.rows:
        keys.setdefault(r.key, (r.code, r.label))
    rows = [
        Compared(k, code, label, value(table.find(k, period)), value(table.find(k, yoy)),
                 value(table.find(k, mom)) if mom else None)
        for k, (code, label) in keys.items()
    ]
    total = Compared("total", "", table.total(period).label, value(table.total(period)),
                     value(table.total(yoy)), value(table.total(mom)) if mom else None)
    rank(rows)
    if kind != RATE:
        for r in rows:
            r.share = share(r.current, total.current)
    return Comparison(period, yoy, mom, metric, kind, rows, total, table)


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
