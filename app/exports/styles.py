"""THE place that defines how exported workbooks look: cell formats, number formats, widths,
and the safe way to write a cell.

Numbers: counts ``#,##0``; money as 元 with thousands separators and two decimals, or as 万元
with two decimals; rates as percentages with one decimal. Text is always written with
``write_string`` — a unit name such as ``=1+1`` or ``@cmd`` stays text, never a formula — and
workbooks are opened with XlsxWriter's string conversions switched off as well.
"""

from __future__ import annotations

import xlsxwriter

FONT = "宋体"
COUNT, MONEY, RATE, TEXT = "count", "money", "rate", "text"
WAN, YUAN = "wan", "yuan"
NUMBER_FORMATS = {COUNT: "#,##0", YUAN: "#,##0.00", WAN: "#,##0.00", RATE: "0.0%", TEXT: "@"}
FEN_PER = {YUAN: 100, WAN: 1_000_000}  # a money cell holds fen / FEN_PER[unit]: 元 or 万元
WIDTHS = {COUNT: 10, MONEY: 14, RATE: 9}
MISSING = "—"


def open_workbook(target, large: bool = False) -> xlsxwriter.Workbook:
    """A workbook writing to `target` (path or file object); `large` streams rows to disk
    (constant_memory: rows must then be written in order)."""
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "default_date_format": "yyyy-mm-dd"}
    if large:
        options["constant_memory"] = True
    else:
        options["in_memory"] = True
    return xlsxwriter.Workbook(target, options)


class Styles:
    """The formats of one workbook, created once and reused for every cell."""

    def __init__(self, wb: xlsxwriter.Workbook, money: str = WAN) -> None:
        self.money = money
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.meta = wb.add_format({**base, "font_color": "#555555"})
        head = {**base, "bold": True, "align": "center", "text_wrap": True, "border": 1, "bg_color": "#DCE6F1"}
        self.group = wb.add_format({**head, "bg_color": "#B8CCE4"})
        self.header = wb.add_format(head)
        self._cells = {}
        for total in (False, True):
            extra = {"border": 1, **({"bold": True, "bg_color": "#F2F2F2"} if total else {})}
            self._cells[(TEXT, total)] = wb.add_format({**base, **extra})
            self._cells[(MISSING, total)] = wb.add_format({**base, **extra, "align": "center"})
            self._cells[(COUNT, total)] = wb.add_format({**base, **extra, "num_format": NUMBER_FORMATS[COUNT]})
            self._cells[(MONEY, total)] = wb.add_format({**base, **extra, "num_format": NUMBER_FORMATS[money]})
            self._cells[(RATE, total)] = wb.add_format({**base, **extra, "num_format": NUMBER_FORMATS[RATE]})

    def cell(self, kind: str, total: bool = False):
        return self._cells[(kind if kind in (COUNT, MONEY, RATE) else TEXT, total)]

    def missing(self, total: bool = False):
        return self._cells[(MISSING, total)]


def text_width(text: str) -> int:
    """Display width of a text in Excel character units (CJK characters count double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def column_width(kind: str, header: str, sample: list | tuple = ()) -> float:
    """A sensible width: wide enough for the header (wrapped over two lines) and the values."""
    head = text_width(header)
    width = max(WIDTHS.get(kind, 12), min(head, 24) if head <= 12 else (head + 1) // 2 + 2)
    if kind == TEXT:
        width = max(width, *(text_width(s) + 2 for s in sample if s is not None), 8)
    return min(width, 48)
