"""A report table for paper: the columns split into pages by :mod:`app.exports.paging` (row titles
on every page), each cell already formatted as the page shows it. The statistics report and the
comparison are printed through :func:`report_print` / :func:`comparison_print` with the one
template print/table.html, in the browser and as PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ..reporting.comparison import Comparison, sorted_by_rank
from ..reporting.report import Column, Report, display
from .official import heading_lines
from .paging import plan


@dataclass(frozen=True)
class Part:
    """One page-width of the table: its columns (the row-title column first), the header groups
    over them as (label, span), and the rows' texts for those columns."""

    number: int
    columns: list[tuple[str, str, float]]  # label, kind, width mm
    groups: list[tuple[str, int]]
    rows: list[list[str]]
    total: list[str] | None


@dataclass(frozen=True)
class PrintTable:
    title: str
    meta: list[tuple[str, str]]
    corner: list[tuple[str, str]]
    paper: str
    parts: list[Part]

    @property
    def body_class(self) -> str:
        return "report-a3" if self.paper == "A3" else "report-a4"


def _spans(groups: Sequence[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for g in groups:
        if out and out[-1][0] == g:
            out[-1] = (g, out[-1][1] + 1)
        else:
            out.append((g, 1))
    return out


def print_table(title: str, meta, corner, columns: Sequence[tuple[str, str, str]], rows: Sequence[Sequence[str]],
                total: Sequence[str] | None) -> PrintTable:
    """`columns` are (label, kind, group); `rows` and `total` their texts, row title first."""
    p = plan([k for _l, k, _g in columns], [lab for lab, _k, _g in columns], [g for _l, _k, g in columns])
    parts = []
    for n, idx in enumerate(p.pages, 1):
        cols = [(columns[i][0], columns[i][1], p.widths[i]) for i in idx]
        groups = [columns[i][2] for i in idx]
        parts.append(Part(n, cols, _spans(groups), [[r[i] for i in idx] for r in rows],
                          [total[i] for i in idx] if total is not None else None))
    return PrintTable(title, list(meta), list(corner), p.paper, parts)


def report_print(report: Report) -> PrintTable:
    """The statistics report as printed: every column of the page, the totals row last."""
    columns = [(c.label, c.kind, g) for g, cols in report.groups for c in cols]
    meta = [*report.meta, (_("生成时间"), report.generated_text)]
    return print_table(report.title, meta, heading_lines(report.table.spec), columns,
                       [report.texts(r) for r in report.rows], report.texts(report.total))


def comparison_print(cmp: Comparison, title: str, meta, columns, cells, money: str) -> PrintTable:
    """The comparison as printed: `columns` (app.exports.reports.comparison_columns) and a
    function `cells(cmp, row)` giving a row's raw values in their order."""
    kinds = [Column(str(i), c.label, c.kind) for i, c in enumerate(columns)]

    def texts(values) -> list[str]:
        return [display(k, v, money) if k.kind != "text" else ("" if v is None else str(v))
                for k, v in zip(kinds, values, strict=True)]

    return print_table(title, meta, heading_lines(cmp.table.spec),
                       [(c.label, c.kind, c.group) for c in columns],
                       [texts(cells(cmp, r)) for r in sorted_by_rank(cmp.rows)], texts(cells(cmp, cmp.total)))
