"""One table on one worksheet: title, heading lines (scope, period, generated-at …), grouped
two-level column headers, rows, a totals row, frozen header, widths and print setup.

Rows may be any iterable (a generator for streamed exports); with a streaming workbook
(constant_memory) every row is written once, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .print_setup import page_plan, setup_pages
from .styles import COUNT, FEN_PER, MISSING, MONEY, RATE, TEXT, Styles, column_width


@dataclass(frozen=True)
class Col:
    """A column: header label, kind (text|count|money|rate), its header group, width hint."""

    label: str
    kind: str = TEXT
    group: str = ""
    width: float | None = None


def _group_spans(columns: Sequence[Col]) -> list[tuple[int, int, str]]:
    """(first, last, group label) for runs of columns with the same non-empty group."""
    spans, start = [], 0
    for i in range(1, len(columns) + 1):
        if i == len(columns) or columns[i].group != columns[start].group:
            spans.append((start, i - 1, columns[start].group))
            start = i
    return spans


def write_sheet(wb, styles: Styles, name: str, title: str, meta: Sequence[tuple[str, str]],
                columns: Sequence[Col], rows: Iterable[Sequence], totals: Sequence | None = None,
                streaming: bool = False, samples: Sequence[Sequence] = (), corner: str = "") -> int:
    """Write the table; returns the number of data rows written. `samples` (a few rows) help
    size text columns when `rows` is a stream. `corner` (表号 …) is printed in the page header."""
    ws = wb.add_worksheet(name[:31])
    widths = [col.width or column_width(col.kind, col.label, [row[c] for row in samples] if col.kind == TEXT else ())
              for c, col in enumerate(columns)]
    # the title spans the first printed page's columns (the whole table when it fits one page)
    last_col = page_plan(widths, [c.group for c in columns]).pages[0][-1]
    r = 0
    if last_col > 0:
        ws.merge_range(r, 0, r, last_col, title, styles.title)
    else:
        ws.write_string(r, 0, title, styles.title)
    ws.set_row(r, 28)
    for label, value in meta:
        r += 1
        ws.write_string(r, 0, f"{label}：{value}", styles.meta)
    r += 2
    grouped = any(c.group for c in columns)
    if grouped:
        for first, last, group in _group_spans(columns):
            if not group:
                for c in range(first, last + 1):
                    if streaming:  # no vertical merge while streaming: label sits in the lower row
                        ws.write_blank(r, c, None, styles.group)
                    else:
                        ws.merge_range(r, c, r + 1, c, columns[c].label, styles.header)
            elif first == last:
                ws.write_string(r, first, group, styles.group)
            else:
                ws.merge_range(r, first, r, last, group, styles.group)
        r += 1
    for c, col in enumerate(columns):
        if grouped and not col.group and not streaming:
            continue
        ws.write_string(r, c, col.label, styles.header)
    ws.set_row(r, 42)
    header_last = r
    r += 1
    ws.freeze_panes(r, 1)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    setup_pages(ws, widths, [c.group for c in columns], title, corner,
                (header_last - (1 if grouped else 0), header_last))
    n = _write_rows(ws, styles, columns, rows, r, False)
    r += n
    if totals is not None:
        _write_rows(ws, styles, columns, [totals], r, True)
    return n


_CODES = {COUNT: 1, MONEY: 2, RATE: 3}


def _write_rows(ws, styles: Styles, columns: Sequence[Col], rows: Iterable[Sequence], r: int, total: bool) -> int:
    """The hot loop: one pass per cell; formats, kinds and the money divisor looked up once."""
    plan = [(i, _CODES.get(c.kind, 0), styles.cell(c.kind, total)) for i, c in enumerate(columns)]
    missing = styles.missing(total)
    div = FEN_PER[styles.money]  # fen per 元 or 万元 (a division, exact to the last digit shown)
    write_number, write_string = ws.write_number, ws.write_string
    n = 0
    for values in rows:
        for i, code, fmt in plan:
            v = values[i]
            if v is None:
                write_string(r, i, MISSING if code else "", missing)
            elif code == 1:
                write_number(r, i, v, fmt)
            elif code == 2:
                write_number(r, i, v / div, fmt)
            elif code == 3:
                write_number(r, i, float(v) if isinstance(v, Decimal) else v, fmt)
            else:
                write_string(r, i, str(v), fmt)
        r += 1
        n += 1
    return n
