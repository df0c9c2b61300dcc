"""A statistical report in the official form's layout: grouped column headers from the form's
field groups, one row per group, a totals row, and its heading (title, scope, period, basis,
generated-at). The page and the Excel export are both drawn from :func:`build_report`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..clock import _zone, utcnow
from ..filing.workflow import SUBMITTED
from ..forms.base import MONEY, format_rate
from ..money import format_wan, format_yuan
from .aggregate import CITY, KIND, PARENT, UNIT, Row, StatsQuery, Table, aggregate
from .measures import RATE, combined

TEXT = "text"
WAN, YUAN = "wan", "yuan"
LABEL, FILINGS = "_label", "_filings"


@dataclass(frozen=True)
class Column:
    """One column of the report: a summed field, a derived figure, or the row label."""

    name: str
    label: str
    kind: str  # text | count | money | rate
    group: str = ""


@dataclass
class ReportRow:
    label: str
    cells: list  # raw values, one per column (fen for money, Decimal fraction for rates)
    key: object = None
    total: bool = False


@dataclass
class Report:
    title: str
    meta: list[tuple[str, str]]
    groups: list[tuple[str, list[Column]]]
    rows: list[ReportRow]
    total: ReportRow
    money: str
    table: Table
    generated_at: dt.datetime = field(default_factory=utcnow)
    _formatters: list = field(default_factory=list, repr=False)

    @property
    def columns(self) -> list[Column]:
        return [c for _g, cols in self.groups for c in cols]

    def display(self, column: Column, value) -> str:
        return display(column, value, self.money)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def texts(self, row: ReportRow) -> list[str]:
        """A row's cells as page text (one formatter per column, chosen once)."""
        if not self._formatters:
            self._formatters = [formatter(c, self.money) for c in self.columns]
        return [f(v) for f, v in zip(self._formatters, row.cells, strict=True)]

    @property
    def generated_text(self) -> str:
        return local_text(self.generated_at)


def local_text(stamp: dt.datetime) -> str:
    """A stored (naive UTC) time as local text, e.g. 2026-11-26 22:05."""
    return stamp.replace(tzinfo=dt.UTC).astimezone(_zone()).strftime("%Y-%m-%d %H:%M")


def group_label(by: str) -> str:
    return {UNIT: _("单位"), KIND: _("单位类别"), PARENT: _("上级单位"), CITY: _("统计范围")}[by]


def money_unit_label(money: str) -> str:
    return _("万元") if money == WAN else _("元")


def display(column: Column, value, money: str = WAN) -> str:
    """A cell as text on a page: counts with separators, money in 万元 or 元, rates in %."""
    if column.kind == TEXT:
        return "" if value is None else str(value)
    if column.kind == RATE:
        return format_rate(value)
    if value is None:
        return "—"
    if column.kind == MONEY:
        return format_wan(value) if money == WAN else format_yuan(value)
    return f"{value:,}"


def formatter(column: Column, money: str = WAN):
    """display() for one column, as a function of the value alone."""
    if column.kind == TEXT:
        return lambda v: "" if v is None else str(v)
    if column.kind == RATE:
        return format_rate
    if column.kind == MONEY:
        fmt = format_wan if money == WAN else format_yuan
        return lambda v: "—" if v is None else fmt(v)
    return lambda v: "—" if v is None else f"{v:,}"


def period_text(q: StatsQuery) -> str:
    if q.end == q.first:
        return q.first.label
    return _("%(first)s至%(last)s", first=q.first.label, last=q.end.label)


def basis_text(q: StatsQuery) -> str:
    return basis_label(q.states)


def basis_label(states) -> str:
    if SUBMITTED in states:
        return _("已通过审核及已上报待审核的报表")
    return _("已通过审核的报表")


def columns_for(table: Table, by: str, money: str) -> list[tuple[str, list[Column]]]:
    """Header groups: the row label and filing count, the form's own groups, then 合计及比率."""
    spec = table.spec
    unit = money_unit_label(money)
    groups: list[tuple[str, list[Column]]] = [
        ("", [Column(LABEL, group_label(by), TEXT), Column(FILINGS, _("报表数"), "count")])]
    for m in table.measures:
        label = f"{m.label}（{unit}）" if m.kind == MONEY else m.label
        if groups[-1][0] != m.group or len(groups) == 1:
            groups.append((m.group, []))
        groups[-1][1].append(Column(m.name, label, m.kind, m.group))
    extra = [Column(c.name, f"{c.label}（{unit}）" if c.kind == MONEY else str(c.label), c.kind)
             for c in combined(spec)]
    extra += [Column(r.name, r.label, RATE) for r in spec.rates]
    if extra:
        groups.append((_("合计及比率"), extra))
    return groups


def _cells(row: Row, columns: list[Column]) -> list:
    out = []
    for c in columns:
        if c.name == LABEL:
            out.append(row.label)
        elif c.name == FILINGS:
            out.append(row.filings)
        else:
            out.append(row.get(c.name))
    return out


def build_report(q: StatsQuery, scope: str, money: str = WAN, user=None, extra_meta=()) -> Report:
    """The report for `q` (one bucket: the whole range) in `user`'s scope; `scope` names it."""
    q = q.but(split=False)
    table = aggregate(q, user)
    groups = columns_for(table, q.by, money)
    columns = [c for _g, cols in groups for c in cols]
    rows = [ReportRow(r.label, _cells(r, columns), r.key) for r in table.rows]
    total = ReportRow(_("合计"), _cells(table.total(None, _("合计")), columns), "total", True)
    meta = [(_("统计范围"), scope), (_("报告期"), period_text(q)), (_("数据口径"), basis_text(q))]
    if q.successor:
        meta.append((_("撤并单位"), _("计入承继单位")))
    meta += list(extra_meta)
    meta.append((_("金额单位"), money_unit_label(money)))
    return Report(table.spec.title, meta, groups, rows, total, money, table)
