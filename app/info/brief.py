"""法治信息简报: an issue compiled by the office from adopted items, as Word (python-docx) and PDF
(WeasyPrint), A4, in the office's document format (标题 in 黑体/Sans, 正文 in 仿宋-style serif)."""

from __future__ import annotations

import html as htmllib
import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask import render_template
from sqlalchemy import func, select

from ..audit import record
from ..clock import today
from ..extensions import db
from ..filing.errors import Conflict, Forbidden, Invalid
from ..filing.workflow import clean_text
from ..models.docflow import InfoBrief, InfoItem
from ..notices.html import clean
from ..security import has_perm
from . import ADOPTED, INFO

BODY_FONT, TITLE_FONT = "Noto Serif CJK SC", "Noto Sans CJK SC"
ISSUER = "市人民政府法制办公室"
_BLOCK_END = re.compile(r"</(p|h3|h4|li|blockquote|tr)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")


def compile_brief(user, item_ids: list[int], title: str | None = None) -> InfoBrief:
    """A new issue (the year's next number) of the given adopted items not yet in an issue; the
    office only. Flushes and audits; nothing written on a refusal."""
    if not has_perm(user, "can_review", INFO):
        raise Forbidden("只有市司法局可以编辑简报")
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        raise Invalid("请至少选择一条已采用的信息", {"items": "请至少选择一条已采用的信息"})
    items = list(db.session.scalars(select(InfoItem).where(InfoItem.id.in_(ids)).order_by(InfoItem.id)))
    if len(items) != len(ids) or any(i.state != ADOPTED for i in items):
        raise Invalid("只能选择已采用的信息", {"items": "只能选择已采用的信息"})
    if any(i.brief_id is not None for i in items):
        raise Conflict("所选信息已编入其他期简报")
    year = today().year
    number = (db.session.scalar(select(func.max(InfoBrief.number)).where(InfoBrief.year == year)) or 0) + 1
    title = clean_text(title, "简报标题", "title") or f"法治信息简报（{year}年第{number}期）"
    brief = InfoBrief(year=year, number=number, title=title[:200], issued_on=today(), author=user.username)
    db.session.add(brief)
    db.session.flush()
    for item in items:
        item.brief_id = brief.id
    db.session.flush()
    record("info.brief", "info_brief", brief.id, {"number": number, "year": year, "items": ids}, user=user)
    return brief


def paragraphs(body: str) -> list[str]:
    """The item's sanitised HTML as plain paragraphs (for Word)."""
    text = _BLOCK_END.sub("\n", clean(body))
    text = htmllib.unescape(_TAG.sub("", text))
    return [p.strip() for p in text.split("\n") if p.strip()]


def _font(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
    target.font.name = name
    element = target._r if hasattr(target, "_r") else target.element  # a run, or a style
    rpr = element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold


def brief_docx(brief: InfoBrief) -> bytes:
    """The issue as a Word document: A4, masthead, issue line, one section per item."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _font(doc.styles["Normal"], BODY_FONT, 16)  # 三号
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("法治信息简报")
    _font(run, TITLE_FONT, 26, True)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(line.add_run(f"{brief.year}年第{brief.number}期"), BODY_FONT, 16)
    meta = doc.add_paragraph()
    _font(meta.add_run(f"{ISSUER}　　　　{brief.issued_on.year}年{brief.issued_on.month}月{brief.issued_on.day}日"),
          BODY_FONT, 14)
    for item in brief.items:
        h = doc.add_paragraph()
        h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(h.add_run(item.title), TITLE_FONT, 18, True)
        for text in paragraphs(item.body):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.line_spacing = Pt(28)
            _font(p.add_run(text), BODY_FONT, 16)
        src = doc.add_paragraph()
        src.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(src.add_run(f"（{item.unit.name}供稿）"), BODY_FONT, 14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def brief_pdf(brief: InfoBrief) -> bytes:
    """The same issue as PDF (WeasyPrint, fonts of the machine; no network)."""
    from weasyprint import HTML

    html = render_template("info/brief_print.html", brief=brief, issuer=ISSUER, clean=clean)
    return HTML(string=html).write_pdf()
