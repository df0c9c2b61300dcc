"""THE statistics query: a form's figures summed in SQL over filed values, in the user's scope.

One ``SELECT … GROUP BY`` per call. It joins the form's value table to ``Filing`` on the
current revision, keeps the chosen states (default: accepted only), the period range and the
organisation scope (``app.scope.restrict``), maps closed units to their successor when asked,
rolls native periods up to the target kind with a CASE, and groups by unit, unit kind, parent
unit or the whole city. Stock fields (carried over / pending) take the first / last period's
value inside each bucket (window functions), so a rolled-up year still balances.

Derived figures (rates, combined amounts) are computed from the summed parts by ``Row.get``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from sqlalchemy import BigInteger, and_, bindparam, case, cast, func, literal, null, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..filing.periods import Period, period_of, periods_between
from ..filing.workflow import ACCEPTED
from ..forms import VERSIONS, get_form
from ..forms.base import MONEY, FormSpec, Rate
from ..forms.versions import sources, start_of, versions_between
from ..models.filing import Filing
from ..models.unit import UNIT_KINDS, Unit
from ..models.values import value_model
from ..scope import restrict
from .measures import CHOICE_COUNT, CLOSING, OPENING, Measure, derived, has_stocks, measures, needed
from .rollup import (
    PER_YEAR,
    RangeError,
    bucket_sub,
    check_range,
    native_count,
    ordinal,
    periods_per_bucket,
    range_clause,
    range_params,
)
from .units import final_successors, unit_key

UNIT, KIND, PARENT, CITY = "unit", "kind", "parent", "city"
GROUPINGS = (UNIT, KIND, PARENT, CITY)
CITY_KEY = "city"


@dataclass(frozen=True)
class StatsQuery:
    """What to aggregate. `first`..`last` are periods of one kind; `split` gives one bucket per
    period of that kind, otherwise the whole range is one bucket."""

    form: str
    first: Period
    last: Period | None = None
    split: bool = False
    by: str = UNIT
    states: tuple[str, ...] = (ACCEPTED,)
    successor: bool = False
    unit_ids: frozenset[int] | None = None
    kinds: frozenset[str] | None = None
    # The figures wanted (None: every field); only their parts are summed.
    names: frozenset[str] | None = None
    # With `split`, the buckets wanted (None: every one in the range): a comparison needs the
    # period, a year before and the one before, not the three quarters between.
    only: frozenset[Period] | None = None

    @property
    def end(self) -> Period:
        return self.last or self.first

    @property
    def spec(self) -> FormSpec:
        """The version in force at the end of the range: its fields and rates are the report's."""
        native = VERSIONS[self.form][0].period_kind
        return get_form(self.form, period_of(native, self.end.end))

    def versions(self, bucket: Period | None = None) -> list[FormSpec]:
        """The versions in force in a bucket (None: the whole range), oldest first."""
        first, last = (self.first, self.end) if bucket is None else (bucket, bucket)
        return versions_between(VERSIONS[self.form], first, last)

    def buckets(self) -> list[Period | None]:
        """The result's periods in order ([None] when the range is one bucket)."""
        return periods_between(self.first.kind, self.first, self.end) if self.split else [None]

    def but(self, **changes) -> StatsQuery:
        return replace(self, **changes)


@dataclass(slots=True)
class Row:
    """One group (unit, kind, parent or the city) in one bucket, with its summed figures."""

    key: object
    code: str
    label: str
    period: Period | None
    filings: int
    values: dict[str, int | None]
    spec: FormSpec = field(repr=False)
    # The version whose definitions the derived figures follow: the bucket's own when the
    # bucket lies in one version (an older bucket keeps its own 纠错率), else `spec`.
    rates_from: FormSpec | None = field(default=None, repr=False)
    min_base: int | None = field(default=None, repr=False)  # RATE_MIN_BASE, read once per table
    # Derived figures computed once per row: a comparison reads each rate of each unit several
    # times (current, both pairs, ranking, outliers) — 50,000 computations per analysis page.
    computed: dict = field(default_factory=dict, repr=False, compare=False)

    def get(self, name: str):
        """A summed figure, or a derived one (rate as a Decimal fraction, combined amount);
        None for a rate the bucket's version does not define."""
        if name in self.values:
            return self.values[name]
        if name in self.computed:
            return self.computed[name]
        value = self.computed[name] = self._derive(name)
        return value

    def _derive(self, name: str):
        item = derived(self.rates_from or self.spec).get(name)
        if item is None:
            if name in derived(self.spec):
                return None
            raise KeyError(name)
        if isinstance(item, Rate):
            if self.min_base is None:
                from .indicators import min_base

                self.min_base = min_base()
            return item.compute(self.values, self.min_base)
        return item.compute(self.values)


@dataclass
class Table:
    """The result of one aggregation."""

    query: StatsQuery
    spec: FormSpec
    measures: list[Measure]
    rows: list[Row]
    partial: frozenset[str] = frozenset()  # columns some filings in range did not collect
    _index: dict | None = field(default=None, repr=False)
    _totals: dict | None = field(default=None, repr=False)
    _versions: dict | None = field(default=None, repr=False)
    _by_period: dict | None = field(default=None, repr=False)

    def for_period(self, period: Period | None) -> list[Row]:
        """The rows of one bucket (grouped once: pages ask for every bucket, many times)."""
        if self._by_period is None:
            self._by_period = {}
            for r in self.rows:
                self._by_period.setdefault(r.period, []).append(r)
        return list(self._by_period.get(period, ()))

    def find(self, key, period: Period | None = None) -> Row | None:
        if self._index is None:
            self._index = {(r.key, r.period): r for r in self.rows}
        return self._index.get((key, period))

    def total(self, period: Period | None = None, label: str | None = None) -> Row:
        """The sum of every group in a bucket (sums of sums; derived figures from those)."""
        if self._totals is None:
            self._totals = {}
        if period not in self._totals:
            self._totals[period] = self._sum(self.for_period(period))
        if label is None:  # the usual total, kept: a chart's series reads it once per figure
            kept = self._totals.get(("row", period))
            if kept is None:
                label = self._totals.get("label") or self._totals.setdefault("label", _("合计"))
                kept = self._totals[("row", period)] = self._total_row(period, label)
            return kept
        return self._total_row(period, label)

    def _total_row(self, period: Period | None, label: str) -> Row:
        filings, values = self._totals[period]
        return Row(CITY_KEY, "", label, period, filings, values, self.spec, self._version(period), self._min_base())

    def _version(self, period: Period | None):
        if self._versions is None:
            self._versions = {}
        if period not in self._versions:
            self._versions[period] = rates_version(self.query, period)
        return self._versions[period]

    def combine(self, rows: list[Row], period: Period | None, key=CITY_KEY, code: str = "",
                label: str = "") -> Row:
        """The sum of some rows of one bucket as one row (a group of units, the units compared)."""
        filings, values = self._sum(rows)
        return Row(key, code, label, period, filings, values, self.spec, self._version(period), self._min_base())

    def _min_base(self) -> int | None:
        return self.rows[0].min_base if self.rows else None

    def _sum(self, rows: list[Row]) -> tuple[int, dict]:
        values = {}
        dicts = [r.values for r in rows]
        for m in self.measures:
            name = m.name
            parts = [v for d in dicts if (v := d[name]) is not None]
            missing = m.column in self.partial and len(parts) < len(rows)
            values[name] = sum(parts) if parts and not missing else None
        return sum(r.filings for r in rows), values

    def series(self, name: str, key=None) -> list[tuple[Period, object]]:
        """(period, figure) over the buckets, for one group or (key None) the total."""
        out = []
        for p in self.query.buckets():
            row = self.total(p) if key is None else self.find(key, p)
            out.append((p, row.get(name) if row is not None and row.filings else None))
        return out


def aggregate(q: StatsQuery, user=None) -> Table:
    """Run the query for `q` in `user`'s scope (default: the request's user)."""
    spec = q.spec
    check_range(spec.period_kind, q.first, q.end)
    if q.by not in GROUPINGS:
        raise RangeError(_("未知的分组方式"))
    ms = measures(spec) if q.names is None else needed(spec, q.names)
    stmt, n_keys, params = _select(q, spec, ms, user)
    names = [m.name for m in ms]
    first = n_keys + (2 if q.split else 0)  # the filing count, then the measures
    rows = []
    from .indicators import min_base

    base = min_base()
    # (year, sub) → (the bucket, its rates' version): looked up by the plain tuple, once a
    # bucket, not by Period (a dataclass hashed in Python) for each of 1,500 rows.
    buckets: dict[tuple[int, int] | None, tuple[Period | None, FormSpec | None, list[Row]]] = {}
    kind, split, unit = q.first.kind, q.split, q.by == UNIT
    # Core execution: plain rows, no ORM loading step (the statement selects columns only).
    for r in db.session.connection().execute(stmt, params).all():
        if not r[first]:  # a query without GROUP BY answers one empty row when nothing matched
            continue
        key, code, label = (r[0], r[1], r[2]) if unit else _group(q.by, r)
        ys = (r[n_keys], r[n_keys + 1]) if split else None
        found = buckets.get(ys)
        if found is None:
            period = Period(ys[0], kind, ys[1]) if split else None
            found = buckets[ys] = (period, rates_version(q, period), [])
        row = Row(key, code, label, found[0], r[first], dict(zip(names, r[first + 1:], strict=True)), spec,
                  found[1], base)
        rows.append(row)
        found[2].append(row)
    # the rows of each bucket, grouped as they came (Table.for_period)
    return Table(q, spec, ms, rows, partial_columns(q, spec), _by_period={b[0]: b[2] for b in buckets.values()})


def partial_columns(q: StatsQuery, spec: FormSpec) -> frozenset[str]:
    """`spec`'s fields that an older version in the range did not collect."""
    return frozenset(c for v in q.versions() if v is not spec
                     for c, src in sources(VERSIONS[spec.code], spec, v).items() if src is None)


def rates_version(q: StatsQuery, bucket: Period | None) -> FormSpec | None:
    """The one version a bucket lies in (its rates are that version's), or None when it spans several."""
    found = q.versions(bucket)
    return found[0] if len(found) == 1 else None


def _group(by: str, keys) -> tuple[object, str, str]:
    if by == UNIT:
        return keys[0], keys[1], keys[2]
    if by == KIND:
        return keys[0], keys[0], str(UNIT_KINDS.get(keys[0], keys[0]))
    if by == PARENT:
        return keys[0], keys[1] or "", keys[2] or _("（无上级单位）")
    return CITY_KEY, "", _("合计")


def group_key(by: str, unit_id: int, kind: str, parent_id: int | None):
    """The key under which the statement groups a unit's filings (the unit it counts under):
    g.id, g.kind, g.parent_id, or the whole city — for figures kept beside the query's, such as
    the units expected to file (app.reporting.feed.coverage)."""
    return {UNIT: unit_id, KIND: kind, PARENT: parent_id}.get(by, CITY_KEY)


_TEMPLATES: dict[tuple, tuple] = {}


def _select(q: StatsQuery, spec: FormSpec, ms: list[Measure], user):
    """(statement, number of group-key columns, parameters) for `q` in `user`'s scope.

    The statement's shape (form, grouping, buckets, stock windows, successor mapping, which
    filters) is built once and kept; ranges, states, units and kinds are bound parameters, and
    the scope is applied on every call (``app.scope.restrict`` on the filing's own unit)."""
    native, target = spec.period_kind, q.first.kind
    mapping = final_successors() if q.successor else {}
    span = periods_per_bucket(native, target) if q.split else native_count(native, q.first, q.end)
    stocks = has_stocks(spec) and span > 1
    shape = (spec.code, tuple(v.version for v in q.versions()), q.by, q.split, target, stocks,
             tuple(sorted(mapping.items())),
             q.unit_ids is not None, q.kinds is not None, tuple(m.name for m in ms), q.only is not None)
    template = _TEMPLATES.get(shape)
    if template is None:
        if len(_TEMPLATES) > 256:
            _TEMPLATES.clear()
        template = _TEMPLATES[shape] = _build(q, spec, ms, mapping, stocks)
    stmt, n_keys, uid = template
    params = {"states": list(q.states), **range_params(native, q.first, q.end)}
    if q.unit_ids is not None:
        params["unit_ids"] = sorted(q.unit_ids)
    if q.kinds is not None:
        params["kinds"] = sorted(q.kinds)
    if q.only is not None:
        params["only"] = sorted({n.key for b in q.only for n in periods_between(
            native, period_of(native, b.start), period_of(native, b.end))})
    return restrict(stmt, uid, user), n_keys, params


def _build(q: StatsQuery, spec: FormSpec, ms: list[Measure], mapping: dict, stocks: bool):
    """The statement for a shape: an inner per-filing select (states, range, stock windows)
    and an outer GROUP BY. Returns (statement, number of group-key columns, unit column)."""
    native, target = spec.period_kind, q.first.kind
    values = value_model(spec.code)
    gid = unit_key(q.successor, mapping)
    sub_expr = bucket_sub(native, target)
    cols = [Filing.unit_id.label("uid"), gid.label("gid")]
    if q.split:
        cols += [Filing.year.label("b_year"), sub_expr.label("b_sub")]
    if stocks:
        order = ordinal(native)
        part = [Filing.unit_id, Filing.year, sub_expr] if q.split else [Filing.unit_id]
        cols += [order.label("ord"), func.min(order).over(partition_by=part).label("first_ord"),
                 func.max(order).over(partition_by=part).label("last_ord")]
    columns = sorted({m.column for m in ms})
    older = [v for v in q.versions() if v is not spec]
    cols += [_per_version(values, spec, older, c, native).label("v_" + c) for c in columns]
    inner = (
        select(*cols)
        .select_from(Filing)
        .join(values, and_(values.filing_id == Filing.id, values.revision == Filing.revision))
        .where(Filing.form_code == spec.code, Filing.state.in_(bindparam("states", expanding=True)),
               range_clause(native))
    )
    if q.unit_ids is not None:
        inner = inner.where(gid.in_(bindparam("unit_ids", expanding=True)))
    if q.only is not None:  # the native periods of the buckets wanted (whole buckets: stocks hold)
        inner = inner.where(Filing.period_key.in_(bindparam("only", expanding=True)))
    f = inner.subquery("f")

    g = aliased(Unit, name="g")
    keys, order_by = [], []
    if q.by == UNIT:
        keys = [g.id, g.code, g.short_name]
        order_by = [g.code]
    elif q.by == KIND:
        keys = order_by = [g.kind]
    elif q.by == PARENT:
        p = aliased(Unit, name="p")
        keys = [g.parent_id, p.code, p.short_name]
        order_by = [p.code]
    period_cols = [f.c.b_year, f.c.b_sub] if q.split else []
    partial = partial_columns(q, spec)
    outer = select(*keys, *period_cols, func.count().label("n"),
                   *[_measure(m, f, stocks, spec, m.column in partial) for m in ms])
    outer = outer.select_from(f)
    if q.by != CITY or q.kinds is not None:
        outer = outer.join(g, g.id == f.c.gid)
    if q.by == PARENT:
        outer = outer.outerjoin(p, p.id == g.parent_id)
    if q.kinds is not None:
        outer = outer.where(g.kind.in_(bindparam("kinds", expanding=True)))
    if keys or period_cols:
        outer = outer.group_by(*keys, *period_cols).order_by(*order_by, *period_cols)
    return outer, len(keys), f.c.uid


def _per_version(values, spec: FormSpec, older: list[FormSpec], column: str, native: str):
    """A filing's figure for `spec`'s field `column`: the column itself for filings of `spec`;
    for a filing of an older version, the declared mapping (a sum of its columns) or NULL when
    that version did not collect it. The version follows from the filing's period."""
    if not older:
        return getattr(values, column)
    versions = VERSIONS[spec.code]
    whens = []
    for v in older:
        nxt = versions[versions.index(v) + 1]
        start = period_of(native, start_of(nxt))
        src = sources(versions, spec, v)[column]
        expr = null() if src is None else sum((getattr(values, c) for c in src[1:]), getattr(values, src[0]))
        whens.append((ordinal(native) < literal(start.year * PER_YEAR[native] + start.index), expr))
    return case(*whens, else_=getattr(values, column))


def _measure(m: Measure, f, stocks: bool, spec: FormSpec, partial: bool = False):
    """The aggregate of one measure; `partial`: some filings in range did not collect it, so a
    group holding any of them shows None (never a partial sum passed off as the whole)."""
    col = f.c["v_" + m.column]
    if m.how == CHOICE_COUNT:
        return func.sum(case((col == m.choice, 1), else_=0))
    if stocks and m.how == OPENING:
        col = case((f.c.ord == f.c.first_ord, col))
    elif stocks and m.how == CLOSING:
        col = case((f.c.ord == f.c.last_ord, col))
    total = func.sum(col)
    # PostgreSQL sums BIGINT into NUMERIC: cast money back so fen stay Python ints.
    total = cast(total, BigInteger) if spec.field(m.column).kind == MONEY else total
    if partial:
        total = case((func.count(col) == func.count(), total), else_=null())
    return total
