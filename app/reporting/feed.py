"""The statistics feed for other systems (the leaders' decision system): the report's figures per
group and bucket, each with its coverage and, when asked, its 同比/环比 bases.

Nothing is summed, derived or chosen here. The figures are the report page's own: the same
``StatsQuery`` through ``aggregate`` (current revision, states, scope, roll-up, successors) and
``Row.get`` (rates and combined amounts from summed parts), over the columns ``report.columns_for``
lays out for the page. The bases of 同比/环比 are the comparison page's (``comparison.bases`` and
one split aggregation from the earliest base to the period); the changes are ``compare.change`` /
``pct_change``. Coverage counts the units the filing engine expected (``timeliness_over``, the same
rules as 报送情况), grouped the way the aggregation groups them (``group_key``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..filing.periods import YEAR, Period, period_of, periods_between
from ..filing.timeliness import MISSING, timeliness_over
from ..models.unit import Unit
from ..scope import visible_unit_ids
from .aggregate import UNIT, Row, StatsQuery, Table, aggregate, group_key, partial_columns
from .compare import change, pct_change
from .comparison import bases
from .measures import RATE
from .report import FILINGS, LABEL, YUAN, Column, columns_for
from .rollup import native_bounds
from .units import final_successors

TOTAL = "total"
YOY, MOM = "yoy", "mom"


class UnknownFigure(ValueError):
    """Names that are not figures of the form's report (message in Chinese)."""


@dataclass
class Coverage:
    """Of the filings the engine expected in a group and bucket (unit × native period): how
    many were reported (signed off, on time or late) and how many the figures count (in the
    states asked for)."""

    expected: int = 0
    reported: int = 0
    counted: int = 0


@dataclass
class FeedRow:
    """One group in one bucket: the report's row, its coverage and its comparison bases."""

    row: Row
    coverage: Coverage
    # which (yoy | mom) → (base period, or (first, last) for a range; the base row or None)
    bases: dict[str, tuple[object, Row | None]] = field(default_factory=dict)
    # which → the current figures set against the base when they are not `row`'s: a total
    # compares the same units in both periods (app.reporting.comparison.MATCHED)
    nows: dict[str, Row | None] = field(default_factory=dict)

    def value(self, name: str):
        return _value(self.row, name)

    def compared(self, which: str, name: str):
        return _value(self.nows[which], name) if which in self.nows else self.value(name)

    def base(self, which: str, name: str):
        _period, row = self.bases.get(which, (None, None))
        return _value(row, name)

    def change(self, which: str, name: str):
        return change(self.compared(which, name), self.base(which, name))

    def pct(self, which: str, name: str, kind: str):
        """Relative change; None for rates (their change is in points: `change`)."""
        return None if kind == RATE else pct_change(self.compared(which, name), self.base(which, name))


@dataclass
class Feed:
    query: StatsQuery
    table: Table
    columns: list[Column]
    rows: list[FeedRow]
    totals: list[FeedRow]
    compared: tuple[str, ...] = ()


def _value(row: Row | None, name: str):
    """A figure as the report shows it: none for a group without filings; a base in an older
    form version that did not have the figure is none too."""
    if row is None or not row.filings:
        return None
    try:
        return row.get(name)
    except KeyError:
        return None


def figure_columns(table: Table) -> list[Column]:
    """The report page's figure columns (money in 元), without the label and filing count."""
    return [c for _g, cols in columns_for(table, table.query.by, YUAN) for c in cols
            if c.name not in (LABEL, FILINGS)]


def choose(columns: list[Column], names: list[str] | None) -> list[Column]:
    """The columns named (in the order asked), all when `names` is None; UnknownFigure else."""
    if names is None:
        return columns
    by_name = {c.name: c for c in columns}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UnknownFigure("、".join(unknown))
    return [by_name[n] for n in dict.fromkeys(names)]


def coverage(q: StatsQuery, user=None) -> dict[tuple[object, Period | None], Coverage]:
    """{(group key or TOTAL, bucket): Coverage (expected, reported)} in `user`'s scope, with the
    query's unit and kind filters and successor switch applied as the aggregation applies them."""
    spec = q.spec
    native = spec.period_kind
    lo, hi = native_bounds(native, q.first, q.end)
    mapping = final_successors() if q.successor else {}
    units = {uid: (kind, parent) for uid, kind, parent in db.session.execute(
        select(Unit.id, Unit.kind, Unit.parent_id))}
    out: dict[tuple[object, Period | None], Coverage] = defaultdict(Coverage)
    for point in timeliness_over(spec.code, periods_between(native, lo, hi), visible_unit_ids(user)):
        bucket = period_of(q.first.kind, point.period.start) if q.split else None
        for r in point.rows:
            gid = mapping.get(r.unit.id, r.unit.id)
            kind, parent = units[gid]
            if (q.unit_ids is not None and gid not in q.unit_ids) or (q.kinds is not None and kind not in q.kinds):
                continue
            for key in (group_key(q.by, gid, kind, parent), TOTAL):
                c = out[(key, bucket)]
                c.expected += 1
                c.reported += r.status != MISSING
    return out


def _range_bases(first: Period, last: Period) -> dict[str, tuple[Period, Period]]:
    """Base ranges of an unsplit range of several periods: the same range a year earlier (同比)
    and the range of as many periods just before it (环比; none for years, where 环比 is 同比)."""
    out = {YOY: (first.same_last_year(), last.same_last_year())}
    if first.kind != YEAR:
        n = len(periods_between(first.kind, first, last))
        end = first.previous()
        start = end
        for _i in range(n - 1):
            start = start.previous()
        out[MOM] = (start, end)
    return out


def _compare(q: StatsQuery, table: Table, which: tuple[str, ...], user) -> dict:
    """{(key or TOTAL, bucket): {which: (base period, base row)}} for the rows and totals of `table`."""
    out: dict = defaultdict(dict)
    if q.split or q.first == q.end:
        # The comparison page's way: one split aggregation from the earliest base to the end.
        wanted = {}
        for p in (q.buckets() if q.split else [q.first]):
            pair = dict(zip((YOY, MOM), bases(p), strict=True))
            wanted[p if q.split else None] = {w: pair[w] for w in which if pair.get(w) is not None}
        earliest = [b for found in wanted.values() for b in found.values()]
        if not earliest:
            return out
        wide = aggregate(q.but(first=min(earliest), last=q.end, split=True), user)
        for row in table.rows:
            for w, base in wanted[row.period].items():
                out[(row.key, row.period)][w] = (base, wide.find(row.key, base))
        for bucket, found in wanted.items():
            for w, base in found.items():
                out[(TOTAL, bucket)][w] = (base, wide.total(base))
                if q.by == UNIT:
                    # the total compares the same units on both sides, as the comparison page does
                    now = {r.key: r for r in table.for_period(bucket) if r.filings}
                    then = {r.key: r for r in wide.for_period(base) if r.filings}
                    both = now.keys() & then.keys()
                    out[(TOTAL, bucket)][w] = (base, wide.combine([then[k] for k in then if k in both], base))
                    out[(TOTAL, bucket)]["now:" + w] = table.combine([now[k] for k in now if k in both], bucket)
        return out
    ranges = _range_bases(q.first, q.end)
    for w in which:
        if w not in ranges:
            continue
        first, last = ranges[w]
        base = aggregate(q.but(first=first, last=last), user)
        for row in table.rows:
            out[(row.key, None)][w] = ((first, last), base.find(row.key))
        out[(TOTAL, None)][w] = ((first, last), base.total(None))
    return out


def segments(q: StatsQuery) -> list[StatsQuery]:
    """`q` cut where the form's version changes, when split: each bucket is then aggregated as the
    report page aggregates that period alone (its own version's fields and rates). Unsplit, the
    range is one bucket and one query, as on the page (older versions' figures mapped)."""
    if not q.split:
        return [q]
    runs: list[list[Period]] = []
    last_versions = None
    for bucket in q.buckets():
        versions = tuple(v.version for v in q.versions(bucket))
        if versions != last_versions:
            runs.append([])
            last_versions = versions
        runs[-1].append(bucket)
    return [q.but(first=run[0], last=run[-1]) for run in runs]


def build_feed(q: StatsQuery, names: list[str] | None = None, compared: tuple[str, ...] = (),
               user=None) -> Feed:
    """The feed for `q` in `user`'s scope: rows (group × bucket, as the report orders them within
    each run of one form version), one total per bucket, the chosen columns of the range's
    newest version (UnknownFigure for names the report does not show); a bucket of an older
    version has none for what that version does not show."""
    parts = segments(q)
    rows, totals = [], []
    table = None
    for part in parts:
        table = aggregate(part, user)
        cover = coverage(part, user)
        bases_of = _compare(part, table, compared, user) if compared else {}
        for r in table.rows:
            c = cover.get((r.key, r.period)) or Coverage()
            rows.append(FeedRow(r, Coverage(c.expected, c.reported, r.filings), bases_of.get((r.key, r.period), {})))
        for t in (table.total(b) for b in part.buckets()):
            c = cover.get((TOTAL, t.period)) or Coverage()
            found = dict(bases_of.get((TOTAL, t.period), {}))
            nows = {k[4:]: found.pop(k) for k in list(found) if k.startswith("now:")}
            totals.append(FeedRow(t, Coverage(c.expected, c.reported, t.filings), found, nows))
    if len(parts) > 1:  # the newest version's table names the columns and the partial fields
        table = Table(q, table.spec, table.measures, [], partial_columns(q, table.spec))
    columns = choose(figure_columns(table), names)
    return Feed(q, table, columns, rows, totals, compared)
