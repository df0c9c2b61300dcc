"""Building uploaded workbooks for import tests."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook


def fill(template: bytes, rows: list[list], start_row: int = 4, edit=None) -> bytes:
    """Write `rows` into a downloaded template below its header; `edit(ws)` may spoil it further."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.cell(row=start_row + r, column=c + 1, value=value)
    if edit:
        edit(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A zip whose one member inflates to 200 MB (a few hundred KB on the wire)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))
    return buf.getvalue()
