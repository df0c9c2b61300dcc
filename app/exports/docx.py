"""分析报告 as a Word document (python-docx), for editing before it is sent: A4 with the GB/T 9704
margins (天头 37 mm, 订口 28 mm, 版心 156 × 225 mm), a 仿宋-style body (a free equivalent by
default: setting ANALYSIS_BODY_FONT), 三号 text on a 28 pt line, the title, 主送, the five
numbered sections with the charts, 落款, 日期, page numbers — N — at the outer edge, and the
附表. It prints the same OfficialReport as the PDF. Text goes in as text: nothing in it is
ever interpreted."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from ..content_cache import ContentCache, made_by
from .analysis_doc import OfficialReport, ordinal

BODY_FONT, HEADING_FONT = "Noto Serif CJK SC", "Noto Sans CJK SC"  # 仿宋 / 黑体 stand-ins
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_PT, TITLE_PT, TABLE_PT, LINE_PT = 16, 22, 10.5, 28  # 三号, 二号, 五号; 22 lines a page


def _fonts(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's Latin and East Asian font (Word keeps them apart)."""
    target.font.name = name
    target._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    target.font.color.rgb = RGBColor(0, 0, 0)


def _para(doc, text: str, *, indent: bool = True, align=None, font: str | None = None, size: float | None = None,
          bold: bool = False, keep_next: bool = False):
    p = doc.add_paragraph()
    run = p.add_run(text)
    if font or size or bold:
        _fonts(run, font or current_app.config.get("ANALYSIS_BODY_FONT") or BODY_FONT, size, bold)
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(BODY_PT * 2) if indent else Pt(0)
    if align is not None:
        p.alignment = align
    fmt.keep_with_next = keep_next
    return p


def _page_number(paragraph) -> None:
    """— PAGE — as a field, in the body font at 四号 (14 pt)."""
    def run(text=None):
        r = paragraph.add_run(text)
        _fonts(r, current_app.config.get("ANALYSIS_BODY_FONT") or BODY_FONT, 14)
        return r

    run("— ")
    r = run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        r._r.append(el)
    run(" —")


def _setup(doc) -> None:
    body = current_app.config.get("ANALYSIS_BODY_FONT") or BODY_FONT
    normal = doc.styles["Normal"]
    _fonts(normal, body, BODY_PT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)
    for name, font, bold in (("Heading 1", HEADING_FONT, False), ("Heading 2", body, True)):
        style = doc.styles[name]
        _fonts(style, font, BODY_PT, bold)
        style.font.italic = False
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = Pt(LINE_PT)
        style.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    s.footer_distance = Mm(28)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = s.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(BODY_PT)  # 空一字
    _page_number(odd)
    even = s.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(BODY_PT)
    _page_number(even)


TABLE_STYLE = "表格文字"


def _table_style(doc):
    """The annex tables' paragraph style (body font at 五号, single spacing, no indent): added
    once per document, not set on each of a few thousand runs."""
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _fonts(style, current_app.config.get("ANALYSIS_BODY_FONT") or BODY_FONT, TABLE_PT, False)
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.first_line_indent = Pt(0)
    return style


def _table(doc, ids: dict, title: str, header: list[str], rows: list[list[str]]) -> None:
    _para(doc, title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=12, bold=True, keep_next=True)
    style_id = ids[TABLE_STYLE]
    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table._tbl.tblStyle_val = ids["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = table._cells  # every cell in one pass (row.cells recomputes the grid for each row)
    width = len(header)
    for r, values in enumerate([header, *rows]):
        if len(values) != width:
            raise ValueError(f"row {r} has {len(values)} cells, the header {width}")
        for i, text in enumerate(values):
            p = cells[r * width + i].paragraphs[0]
            p._p.style = style_id  # the id itself: Paragraph.style looks the default style up each time
            run = p.add_run(text)
            if r == 0:
                run.bold = True
            elif i:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


# Documents by everything they are made of (app.content_cache): the report's texts and charts,
# the language, the font setting, this module's source, python-docx's version and the
# translations. Leaders download the same report many times between two acceptances;
# python-docx takes ~100 ms for it.
DOCUMENTS = ContentCache("portal:docx:", made_by(__file__, packages=("python-docx",)), max_local=16)


def analysis_docx(r: OfficialReport) -> bytes:
    """The report as a .docx (A4, GB/T 9704 layout)."""
    def plain(value):
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        raise TypeError(type(value))

    material = json.dumps([str(get_locale()), current_app.config.get("ANALYSIS_BODY_FONT"),
                           dataclasses.asdict(r)], ensure_ascii=False, default=plain)
    return DOCUMENTS.get(material, lambda: _build(r))


def _heading(doc, ids: dict, text: str, level: int) -> None:
    """doc.add_heading with the style's id looked up once (python-docx searches every style by
    name for each heading)."""
    doc.add_paragraph(text)._p.style = ids[f"Heading {level}"]


def _build(r: OfficialReport) -> bytes:
    doc = Document()
    _setup(doc)
    _table_style(doc)
    ids = {s.name: s.style_id for s in doc.styles}
    _para(doc, r.title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=TITLE_PT, bold=True)
    doc.add_paragraph()
    _para(doc, r.addressee, indent=False)
    _para(doc, r.opening)
    heads = r.sections()
    parts = [r.basic, None, r.problems, r.causes, r.advice]
    for (num, title), lines in zip(heads, parts, strict=True):
        _heading(doc, ids, f"{num}、{title}", 1)
        if lines is None:
            for i, f in enumerate(r.features, 1):
                _heading(doc, ids, f"（{ordinal(i)}）{f.title}", 2)
                for line in f.paragraphs:
                    _para(doc, line)
                for c in f.charts:
                    pic = doc.add_paragraph()
                    pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    pic.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                    pic.paragraph_format.first_line_indent = Pt(0)
                    pic.paragraph_format.keep_with_next = True
                    pic.add_run().add_picture(io.BytesIO(c.png), width=Mm(156))
                    cap = _para(doc, c.caption, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
                    cap.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            continue
        numbered = title != heads[0][1]
        for i, line in enumerate(lines, 1):
            _para(doc, f"（{ordinal(i)}）{line}" if numbered else line)
    _para(doc, _("附表：") + "；".join(f"{i}. {t.title}" for i, t in enumerate(r.annex, 1)))
    doc.add_paragraph()
    sig = _para(doc, r.issuer, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sig.paragraph_format.right_indent = Pt(BODY_PT * 4)
    date = _para(doc, r.date_text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = Pt(BODY_PT * 4)
    if r.annex:
        brk = doc.add_paragraph().add_run()
        brk.add_break(WD_BREAK.PAGE)
        _para(doc, _("附表"), indent=False, font=HEADING_FONT, size=BODY_PT)
        for i, t in enumerate(r.annex, 1):
            _table(doc, ids, _("附表%(n)d  %(title)s", n=i, title=t.title), t.header, t.rows)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
