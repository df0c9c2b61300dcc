"""分析报告 as a Word document (python-docx): title, heading lines, the generated text and the
tables of the printable page. Text goes in as text: nothing in it is ever interpreted."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _

from ..forms.base import format_rate
from ..reporting.analysis import Analysis, change_phrase, show
from ..reporting.compare import format_pct

BODY_FONT, HEADING_FONT = "宋体", "黑体"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _font(style, name: str, size: int | None = None) -> None:
    style.font.name = name
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        style.font.size = Pt(size)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if i:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def analysis_docx(a: Analysis, generated: str) -> bytes:
    doc = Document()
    _font(doc.styles["Normal"], BODY_FONT, 11)
    for level in (0, 1, 2):
        _font(doc.styles["Title" if level == 0 else f"Heading {level}"], HEADING_FONT)
    title = doc.add_heading(_("法制统计分析报告（%(period)s）", period=a.period.label), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"{_('统计范围')}：{a.scope}    {_('数据口径')}：{a.basis}    {_('生成时间')}：{generated}")
    if a.summary:
        doc.add_heading(_("总体情况"), level=1)
        for line in a.summary:
            doc.add_paragraph(line, style="List Bullet")
    for s in a.sections:
        doc.add_heading(s.spec.title, level=1)
        if not s.applicable:
            doc.add_paragraph(_("该报表不按本报告期报送，本期不作分析。"))
            continue
        for line in s.paragraphs:
            doc.add_paragraph(line)
        if not s.filings:
            continue
        cmp = s.comparison
        doc.add_heading(_("主要指标"), level=2)
        header = [_("指标"), cmp.period.label, cmp.yoy_period.label, _("同比")]
        if cmp.mom_period:
            header += [cmp.mom_period.label, _("环比")]
        rows = []
        for h in s.headlines:
            row = [h.label, show(h.kind, h.current, h.suffix), show(h.kind, h.yoy_base, h.suffix),
                   change_phrase(h.kind, h.current, h.yoy_base, "") or "—"]
            if cmp.mom_period:
                row += [show(h.kind, h.mom_base, h.suffix), change_phrase(h.kind, h.current, h.mom_base, "") or "—"]
            rows.append(row)
        _table(doc, header, rows)
        if s.top:
            doc.add_heading(_("居前单位"), level=2)
            _table(doc, [_("排名"), _("单位"), cmp.period.label, _("占合计比重"), _("同比")],
                   [[str(r.rank), r.label, show(cmp.kind, r.current), format_pct(r.share, signed=False),
                     format_pct(r.yoy_pct)] for r in s.top])
        if s.timeliness:
            doc.add_heading(_("报送及时性"), level=2)
            _table(doc, [_("报告期"), _("应报"), _("按时"), _("迟报"), _("未报"), _("完成率")],
                   [[p.period.label, str(p.expected), str(p.on_time), str(p.late), str(p.missing),
                     format_rate(p.rate)] for p in s.timeliness])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
