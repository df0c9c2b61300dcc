"""Writing import templates: a hidden marker row naming the template kind, then headers."""

from __future__ import annotations

import io

import xlsxwriter

from .xlsx import MARKER_PREFIX

HEADER_ROW = 3  # 1-based: row 1 marker (hidden), row 2 title, row 3 headers


def blank_template(kind: str, title: str, headers: list[str], notes: list[str] | None = None,
                   rows: list[list] | None = None) -> bytes:
    """An .xlsx template with the marker, a title, the header row and optional pre-filled rows."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("数据")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    ws.write_string(0, 0, f"{MARKER_PREFIX}{kind}:v1")
    ws.set_row(0, None, None, {"hidden": True})
    ws.write_string(1, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    for i, h in enumerate(headers):
        ws.write_string(HEADER_ROW - 1, i, h, head)
        ws.set_column(i, i, max(10, len(h) * 2 + 2))
    for r, row in enumerate(rows or []):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(HEADER_ROW + r, c, value)
            elif value is not None:
                ws.write(HEADER_ROW + r, c, value)
    ws.freeze_panes(HEADER_ROW, 0)
    if notes:
        info = wb.add_worksheet("填写说明")
        for i, line in enumerate(notes):
            info.write_string(i, 0, line)
        info.set_column(0, 0, 100)
    wb.close()
    return buf.getvalue()
