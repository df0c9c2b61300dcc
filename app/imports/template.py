"""Writing import templates: a hidden marker row naming the template kind, then headers.

Formats come from app.exports.styles (the one place for how workbooks look); unlike report
exports, templates never merge cells, since merged cells are refused on upload.
"""

from __future__ import annotations

import io

from ..exports.styles import Styles, column_width, open_workbook
from .xlsx import MARKER_PREFIX

HEADER_ROW = 3  # 1-based: row 1 marker (hidden), row 2 title, row 3 headers


def blank_template(kind: str, title: str, headers: list[str], notes: list[str] | None = None,
                   rows: list[list] | None = None, group_row: list[str] | None = None) -> bytes:
    """An .xlsx template with the marker, a title, the header row and optional pre-filled rows.

    With `group_row`, the headers move down one row under their group names (written in
    every cell, never merged).
    """
    buf = io.BytesIO()
    wb = open_workbook(buf)
    styles = Styles(wb)
    ws = wb.add_worksheet("数据")
    ws.write_string(0, 0, f"{MARKER_PREFIX}{kind}:v1")
    ws.set_row(0, None, None, {"hidden": True})
    ws.write_string(1, 0, title, styles.title)
    header_row = HEADER_ROW
    if group_row:
        for i, g in enumerate(group_row):
            ws.write_string(HEADER_ROW - 1, i, g, styles.group)
        header_row += 1
    for i, h in enumerate(headers):
        ws.write_string(header_row - 1, i, h, styles.header)
        ws.set_column(i, i, column_width("text", h))
    for r, row in enumerate(rows or []):
        for c, value in enumerate(row):
            # Text is always written as text: a unit name "=1+1" must never become a formula.
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(header_row + r, c, value)
            elif value is not None:
                ws.write_string(header_row + r, c, str(value))
    ws.freeze_panes(header_row, 3 if group_row else 0)
    if notes:
        info = wb.add_worksheet("填写说明")
        for i, line in enumerate(notes):
            info.write_string(i, 0, line)
        info.set_column(0, 0, 100)
    wb.close()
    return buf.getvalue()
