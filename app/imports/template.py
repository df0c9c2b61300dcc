"""Writing import templates: a hidden marker row naming the template kind, then headers."""

from __future__ import annotations

import io

import xlsxwriter

from .xlsx import MARKER_PREFIX

HEADER_ROW = 3  # 1-based: row 1 marker (hidden), row 2 title, row 3 headers


def blank_template(kind: str, title: str, headers: list[str], notes: list[str] | None = None,
                   rows: list[list] | None = None, group_row: list[str] | None = None) -> bytes:
    """An .xlsx template with the marker, a title, the header row and optional pre-filled rows.

    With `group_row`, the headers move down one row under their group names (written in
    every cell, never merged: merged cells are refused on upload).
    """
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("数据")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    ws.write_string(0, 0, f"{MARKER_PREFIX}{kind}:v1")
    ws.set_row(0, None, None, {"hidden": True})
    ws.write_string(1, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    header_row = HEADER_ROW
    if group_row:
        group = wb.add_format({"bold": True, "bg_color": "#BDD7EE", "border": 1})
        for i, g in enumerate(group_row):
            ws.write_string(HEADER_ROW - 1, i, g, group)
        header_row += 1
    for i, h in enumerate(headers):
        ws.write_string(header_row - 1, i, h, head)
        ws.set_column(i, i, max(10, len(h) * 2 + 2))
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
