"""Reading an uploaded .xlsx safely: every check a bad file fails, with a Chinese message.

Refused before openpyxl sees them: files over the size limit, anything that is not a zip
(legacy .xls, renamed files, password-protected workbooks, which are OLE containers), zip
bombs (uncompressed size or ratio too high). Then: a template marker naming the expected
kind, exact headers, no merged cells, no formulas. Values come back as typed by the user;
each importer parses them with the form's own declaration.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

MAX_UPLOAD = 5 * 1024 * 1024          # bytes on the wire
MAX_UNCOMPRESSED = 50 * 1024 * 1024   # bytes inside the zip
MAX_RATIO = 100                       # uncompressed / compressed, per member
MAX_ROWS = 20000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MARKER_CELL = "A1"  # hidden template marker, e.g. "法制统计模板:penalty:v1"
MARKER_PREFIX = "法制统计模板:"


class ImportFileError(ValueError):
    """The file as a whole is refused; nothing is written."""


@dataclass
class Sheet:
    """The data rows of a template: header names and rows of {header: raw value}."""

    kind: str
    headers: list[str]
    rows: list[dict] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)


def _check_container(data: bytes) -> None:
    if len(data) > MAX_UPLOAD:
        raise ImportFileError(f"文件超过大小限制（{MAX_UPLOAD // 1024 // 1024} MB）")
    if data.startswith(OLE_MAGIC):
        raise ImportFileError("文件已加密或为旧版 .xls 格式，请另存为不加密的 .xlsx 后再上传")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError("文件不是有效的 Excel（.xlsx）文件")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
                raise ImportFileError("文件内容异常（压缩比过高），已拒绝")
            if total > MAX_UNCOMPRESSED:
                raise ImportFileError("文件解压后过大，已拒绝")
        if "[Content_Types].xml" not in zf.namelist():
            raise ImportFileError("文件不是有效的 Excel（.xlsx）文件")


def read_template(data: bytes, expected_kind: str | dict[str, list[str]], headers: list[str] | None,
                  header_row: int) -> Sheet:
    """Open a filled-in template and return its rows; raise ImportFileError on any file-level fault.

    `headers` are the expected column titles in order (row `header_row`); data starts below.
    `expected_kind` may instead map each accepted kind (e.g. every version of a form) to its
    headers; the sheet's `kind` then says which one the file is.
    """
    _check_container(data)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ImportFileError("无法读取文件，请确认是由本系统模板填写的 .xlsx 文件") from exc
    ws = wb.worksheets[0]
    marker = str(ws[MARKER_CELL].value or "")
    if not marker.startswith(MARKER_PREFIX):
        raise ImportFileError("该文件不是本系统下载的模板，请先下载模板再填写")
    kind = marker[len(MARKER_PREFIX):].split(":")[0]
    accepted = expected_kind if isinstance(expected_kind, dict) else {expected_kind: headers}
    if kind not in accepted:
        raise ImportFileError(f"该文件是其他报表的模板（{kind[:40]}），请上传正确的模板")
    headers = accepted[kind]
    if ws.merged_cells.ranges:
        first = sorted(r.coord for r in ws.merged_cells.ranges)[0]
        raise ImportFileError(f"模板中不能有合并单元格（{first}）")
    found = [str(c.value).strip() if c.value is not None else "" for c in ws[header_row]]
    while found and found[-1] == "":
        found.pop()
    missing = [h for h in headers if h not in found]
    extra = [h for h in found if h and h not in headers]
    if missing:
        raise ImportFileError("模板缺少列：" + "、".join(missing))
    if extra:
        raise ImportFileError("模板有多余的列：" + "、".join(extra))
    if found != headers:
        raise ImportFileError("模板的列顺序被改动，请使用原模板")
    sheet = Sheet(kind=kind, headers=headers)
    for row in ws.iter_rows(min_row=header_row + 1):
        if row[0].row - header_row > MAX_ROWS:
            raise ImportFileError(f"行数超过上限（{MAX_ROWS}行）")
        cells = row[: len(headers)]
        if all(c.value is None or str(c.value).strip() == "" for c in cells):
            continue
        for c in cells:
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
                raise ImportFileError(f"单元格 {c.coordinate} 含有公式，请填写数值")
        sheet.rows.append({h: c.value for h, c in zip(headers, cells, strict=False)})
        sheet.row_numbers.append(row[0].row)
    return sheet
