"""Workbooks of the document workflows: one table each (a list, statistics, a ranking, the
annual assessment), written by the shared sheet writer (app.exports.sheet)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from .sheet import Col, write_sheet
from .styles import Styles, open_workbook


def table_xlsx(title: str, meta: Sequence[tuple[str, str]], columns: Sequence[Col], rows: list[Sequence]) -> bytes:
    """One sheet with the page's title, heading lines, columns and rows."""
    out = io.BytesIO()
    wb = open_workbook(out)
    write_sheet(wb, Styles(wb), title[:31], title, meta, columns, rows, samples=rows[:200])
    wb.close()
    return out.getvalue()
