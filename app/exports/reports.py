"""Excel exports of the statistics pages: the report, the comparison and the filings list.

Each takes exactly what its page shows (a Report, a Comparison, the detail rows) so the
numbers in the workbook are the page's numbers.
"""

from __future__ import annotations

import io
import itertools
import json
import tempfile
from pathlib import Path

from flask_babel import get_locale
from flask_babel import gettext as _

from ..content_cache import ContentCache, made_by
from ..reporting.comparison import Comparison, sorted_by_rank
from ..reporting.detail import detail_fields, field_kind
from ..reporting.report import Report
from .official import heading_lines
from .sheet import Col, write_sheet
from .styles import COUNT, RATE, TEXT, Styles, open_workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Report workbooks by everything they are made of (app.content_cache): the figures, labels and
# texts, the language, the minute of 生成时间, this code and XlsxWriter's version. XlsxWriter
# writes a city's yearly report (19,000 cells) in ~4× the time of its SQL; leaders download the
# same year's report many times while the figures stay as they are.
_HERE = Path(__file__).parent
WORKBOOKS = ContentCache("portal:xlsx:", made_by(__file__, _HERE / "sheet.py", _HERE / "styles.py",
                                                 packages=("XlsxWriter",)), max_local=16)


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet, the page's layout; the same bytes again while nothing
    it shows has changed (kept by its content, never stale). Whatever _report_workbook writes
    from the report must be in `material`, or a change of it would be served the old bytes."""
    material = json.dumps([str(get_locale()), report.title, report.meta, report.generated_text, report.money,
                           [(g, [(c.name, c.label, c.kind) for c in cols]) for g, cols in report.groups],
                           [r.cells for r in report.rows], report.total.cells,
                           heading_lines(report.table.spec)], ensure_ascii=False, default=str)
    return WORKBOOKS.get(material, lambda: _report_workbook(report))


def _report_workbook(report: Report) -> bytes:
    out = io.BytesIO()
    wb = open_workbook(out)
    # the workbook's own creation time is the report's, to the minute shown in it: the same
    # figures in the same minute make the same bytes, whether built or kept
    wb.set_properties({"created": report.generated_at.replace(second=0, microsecond=0)})
    styles = Styles(wb, report.money)
    columns = [Col(c.label, c.kind, g if g else "") for g, cols in report.groups for c in cols]
    meta = [*report.meta, (_("生成时间"), report.generated_text)]
    write_sheet(wb, styles, _("统计表"), report.title, meta, columns, [r.cells for r in report.rows],
                report.total.cells, samples=[r.cells for r in report.rows[:200]],
                corner="  ".join(f"{k}：{v}" for k, v in heading_lines(report.table.spec)))
    wb.close()
    return out.getvalue()


def comparison_columns(cmp: Comparison, metric_label: str, unit_header: str) -> list[Col]:
    kind = RATE if cmp.is_rate else cmp.kind
    change_kind = RATE if cmp.is_rate else cmp.kind
    current = cmp.period.label
    cols = [Col(unit_header), Col(current, kind, metric_label),
            Col(cmp.yoy_period.label, kind, _("同比")),
            Col(_("增减（百分点）") if cmp.is_rate else _("增减"), change_kind, _("同比")),
            Col(_("增减幅度"), RATE, _("同比"))]
    if cmp.mom_period is not None:
        cols += [Col(cmp.mom_period.label, kind, _("环比")),
                 Col(_("增减（百分点）") if cmp.is_rate else _("增减"), change_kind, _("环比")),
                 Col(_("增减幅度"), RATE, _("环比"))]
    cols += [Col(_("排名"), COUNT)]
    if not cmp.is_rate:
        cols += [Col(_("占合计比重"), RATE)]
    return cols


def comparison_cells(cmp: Comparison, r) -> list:
    """One row of the comparison, aligned with comparison_columns (rates: pct is not shown)."""
    cells = [r.label, r.current, r.yoy_base, r.yoy_change, None if cmp.is_rate else r.yoy_pct]
    if cmp.mom_period is not None:
        cells += [r.mom_base, r.mom_change, None if cmp.is_rate else r.mom_pct]
    cells.append(r.rank)
    if not cmp.is_rate:
        cells.append(r.share)
    return cells


def comparison_xlsx(cmp: Comparison, title: str, meta, metric_label: str, unit_header: str, money: str) -> bytes:
    out = io.BytesIO()
    wb = open_workbook(out)
    styles = Styles(wb, money)
    columns = comparison_columns(cmp, metric_label, unit_header)
    rows = [comparison_cells(cmp, r) for r in sorted_by_rank(cmp.rows)]
    total = comparison_cells(cmp, cmp.total)
    write_sheet(wb, styles, _("对比分析"), title, meta, columns, rows, total, samples=rows[:200])
    wb.close()
    return out.getvalue()


def detail_columns(form_code: str) -> list[Col]:
    head = _("报表信息")
    cols = [Col(_("单位编码"), TEXT, head, 9), Col(_("单位"), TEXT, head, 18), Col(_("报告期"), TEXT, head, 16),
            Col(_("状态"), TEXT, head, 10), Col(_("上报日期"), TEXT, head, 11)]
    for f in detail_fields(form_code):
        cols.append(Col(f.label, field_kind(f), f.group or _("其他")))
    return cols


def detail_xlsx(form_code: str, title: str, meta, rows, money: str, target=None) -> bytes | None:
    """Stream the filings list into a workbook (constant memory). With `target` (a path or
    file) it is written there and None is returned; otherwise the bytes are returned."""
    rows = iter(rows)
    head = list(itertools.islice(rows, 50))
    spool = target if target is not None else tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    wb = open_workbook(spool, large=True)
    styles = Styles(wb, money)
    write_sheet(wb, styles, _("明细"), title, meta, detail_columns(form_code), itertools.chain(head, rows),
                streaming=True, samples=head)
    wb.close()
    if target is not None:
        return None
    spool.seek(0)
    data = spool.read()
    spool.close()
    return data
