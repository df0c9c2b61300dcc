"""One unit's filing as the official printed form: the heading (表号, 制表机关 …), 填报单位,
报告期, 计量单位, the figures with their line numbers (行次), the rates, and the sign-off block.
:func:`filing_document` is what both the PDF (template print/filing.html) and the workbook
(:func:`filing_xlsx`) print, so they show the same form."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _

from ..filing.periods import Period
from ..filing.values import current_values
from ..forms import form_of
from ..forms.base import format_rate
from ..models.filing import Filing
from ..reporting.indicators import min_base
from .official import SignOff, heading, heading_lines, sign_off, unit_of
from .print_setup import setup_pages
from .styles import FONT, open_workbook


@dataclass(frozen=True)
class Line:
    """One printed line of the form: its label, 行次 (line number), 计量单位 and value as text."""

    label: str
    number: int
    unit: str
    text: str


@dataclass(frozen=True)
class FilingDocument:
    title: str
    version: str
    corner: list[tuple[str, str]]
    unit_name: str
    period: str
    units: str
    groups: list[tuple[str, list[Line]]]
    rates: list[tuple[str, str]]
    signoff: SignOff
    explanation: str
    state_label: str

    @property
    def draft(self) -> bool:
        """Not signed off by the unit: printed with a 草稿 watermark."""
        return not self.signoff.signed


def filing_document(filing: Filing) -> FilingDocument:
    """The printable form of `filing` (the caller has checked the scope)."""
    from ..filing.workflow import state_label

    spec = form_of(filing)
    values = current_values(filing)
    h = heading(spec)
    groups: list[tuple[str, list[Line]]] = []
    n = 0
    for group, fields in spec.groups():
        lines = []
        for f in fields:
            n += 1
            lines.append(Line(f.label, n, unit_of(spec, f), f.display(values[f.name])))
        groups.append((group, lines))
    rates = [(str(r.label), format_rate(v)) for r, v in spec.compute_rates(values, min_base())]
    return FilingDocument(
        title=spec.title, version=spec.version_label, corner=heading_lines(spec), unit_name=filing.unit.name,
        period=Period.parse(filing.period_key).label, units=h.units, groups=groups, rates=rates,
        signoff=sign_off(filing), explanation=filing.explanation or "", state_label=_(state_label(filing.state)))


def filing_xlsx(doc: FilingDocument) -> bytes:
    """The form as a one-sheet workbook, A4 portrait, printed as the PDF is."""
    out = io.BytesIO()
    wb = open_workbook(out)
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
    f_title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    f_plain = wb.add_format(base)
    f_right = wb.add_format({**base, "align": "right"})
    f_head = wb.add_format({**base, "bold": True, "align": "center", "border": 1, "bg_color": "#EEEEEE"})
    f_group = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#F5F5F5"})
    f_cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    f_mid = wb.add_format({**base, "border": 1, "align": "center"})
    f_num = wb.add_format({**base, "border": 1, "align": "right"})
    ws = wb.add_worksheet(_("报表"))
    widths = [38, 6, 8, 16]  # at most print_setup.A4_PORTRAIT_CHARS: one A4 portrait width
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    r = 0
    for label, text in doc.corner:
        ws.merge_range(r, 0, r, 3, f"{label}：{text}", f_right)
        r += 1
    ws.merge_range(r, 0, r, 3, doc.title + (_("（草稿）") if doc.draft else ""), f_title)
    ws.set_row(r, 30)
    r += 1
    ws.write_string(r, 0, _("填报单位（盖章）：%(unit)s", unit=doc.unit_name), f_plain)
    ws.merge_range(r, 1, r, 3, _("计量单位：%(units)s", units=doc.units), f_right)
    r += 1
    ws.write_string(r, 0, _("报告期：%(period)s", period=doc.period), f_plain)
    r += 1
    first_header = r
    for c, text in enumerate((_("项目"), _("行次"), _("计量单位"), _("本期数"))):
        ws.write_string(r, c, text, f_head)
    r += 1
    for group, lines in doc.groups:
        if group:
            ws.merge_range(r, 0, r, 3, group, f_group)
            r += 1
        for line in lines:
            ws.write_string(r, 0, line.label, f_cell)
            ws.write_number(r, 1, line.number, f_mid)
            ws.write_string(r, 2, line.unit, f_mid)
            ws.write_string(r, 3, line.text, f_num)
            r += 1
    if doc.rates:
        ws.merge_range(r, 0, r, 3, _("比率（系统计算）"), f_group)
        r += 1
        for label, text in doc.rates:
            ws.merge_range(r, 0, r, 2, label, f_cell)
            ws.write_string(r, 3, text, f_num)
            r += 1
    if doc.explanation:
        r += 1
        wrap = wb.add_format({**base, "text_wrap": True})
        ws.merge_range(r, 0, r, 3, _("填报说明：%(text)s", text=doc.explanation), wrap)
        ws.set_row(r, 15 * (1 + len(doc.explanation) // 40))
        r += 1
    r += 1
    pairs = doc.signoff.pairs()
    ws.write_string(r, 0, "    ".join(f"{k}：{v or '________'}" for k, v in pairs[:3]), f_plain)
    r += 1
    ws.write_string(r, 0, "    ".join(f"{k}：{v or '________'}" for k, v in pairs[3:]), f_plain)
    setup_pages(ws, widths, ["", "", "", ""], f"{doc.title}  {doc.unit_name}  {doc.period}",
                "  ".join(f"{k}：{v}" for k, v in doc.corner[:1]), (first_header, first_header), draft=doc.draft,
                portrait=True)
    wb.close()
    return out.getvalue()
