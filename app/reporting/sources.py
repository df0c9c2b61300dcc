"""What lies behind a figure: the units and filings a dashboard or report number is summed from.

A figure is (form, period, metric) over some units — one unit (with the closed units it took
over when counted under successors), a unit kind, or every unit in scope — and, for the 同比 /
环比 of the same units (app.reporting.comparison.MATCHED), only the units with figures in both
the period and its base. The figures per filing come from the one statistics query
(app.reporting.aggregate, per unit and native period), the filings from the filing table, both
in the user's scope: a figure's sources sum to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..filing.periods import Period, period_of
from ..filing.workflow import ACCEPTED
from ..forms import get_form
from ..models.filing import Filing
from ..models.unit import Unit
from ..scope import restrict
from .aggregate import UNIT, Row, StatsQuery, Table, aggregate
from .units import final_successors, units_behind


@dataclass
class Source:
    """One filing behind a figure."""

    filing_id: int
    unit_id: int
    unit_code: str
    unit_label: str
    period: Period
    state: str
    value: object


@dataclass
class Sources:
    form: str
    period: Period
    metric: str
    rows: list[Source]
    total: object  # the figure the rows make up
    units: int
    pair: Period | None = None  # only units with figures in this period too
    table: Table | None = None


def figure_sources(form: str, period: Period, metric: str, unit_ids=None, successor: bool = False,
                   states=(ACCEPTED,), pair: Period | None = None, kinds=None, user=None) -> Sources:
    """The filings behind `metric` of `form` over `period` for the units `unit_ids` (None: every
    unit in scope), counted under successors or not; with `pair`, only the units (as counted)
    that have figures in both `period` and `pair` — the units a matched 同比/环比 compares."""
    spec = get_form(form)
    native = spec.period_kind
    behind = units_behind(unit_ids, successor) if unit_ids is not None else None
    base = StatsQuery(form, period, by=UNIT, states=tuple(states), successor=successor,
                      unit_ids=frozenset(unit_ids) if unit_ids is not None else None,
                      kinds=frozenset(kinds) if kinds else None, names=frozenset({metric}))
    if pair is not None:
        now = {r.key for r in aggregate(base, user).rows if r.filings}
        then = {r.key for r in aggregate(base.but(first=pair), user).rows if r.filings}
        keys = now & then
        behind = units_behind(keys, successor) if behind is None else behind & units_behind(keys, successor)
    first, last = period_of(native, period.start), period_of(native, period.end)
    per_filing = base.but(first=first, last=last, split=True, successor=False,
                          unit_ids=frozenset(behind) if behind is not None else None)
    table = aggregate(per_filing, user)
    q = (select(Filing.id, Filing.unit_id, Filing.year, Filing.sub, Filing.state, Unit.code, Unit.short_name)
         .join(Unit, Unit.id == Filing.unit_id)
         .where(Filing.form_code == form, Filing.state.in_(list(states)),
                Filing.period_key.in_([p.key for p in _natives(native, first, last)])))
    if behind is not None:
        q = q.where(Filing.unit_id.in_(sorted(behind) or [-1]))
    if kinds:
        mapping = final_successors() if successor else {}
        kind_of = dict(db.session.execute(select(Unit.id, Unit.kind)).all())
        q = q.where(Filing.unit_id.in_([u for u, k in kind_of.items()
                                        if kind_of.get(mapping.get(u, u)) in set(kinds)] or [-1]))
    rows = []
    for fid, uid, year, sub, state, code, label in db.session.execute(
            restrict(q, Filing.unit_id, user).order_by(Unit.code, Filing.year, Filing.sub)):
        p = Period(year, native, sub)
        row: Row | None = table.find(uid, p)
        rows.append(Source(fid, uid, code, label, p, state,
                           row.get(metric) if row is not None and row.filings else None))
    total_row = table.combine(table.rows, None)
    total = total_row.get(metric) if total_row.filings else None
    if len({r.period for r in table.rows}) > 1:
        # a figure over several native periods (a year of quarters): the query's own roll-up
        whole = aggregate(per_filing.but(first=period, last=period, split=False, by="city"), user)
        t = whole.total(None)
        total = t.get(metric) if t.filings else None
    return Sources(form, period, metric, rows, total, len({r.unit_id for r in rows}), pair, table)


def _natives(native: str, first: Period, last: Period) -> list[Period]:
    from ..filing.periods import periods_between

    return periods_between(native, first, last)
