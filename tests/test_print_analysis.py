"""Issue 19 item 4: the 2025 analysis report, A4 in the GB/T 9704 style, as PDF (WeasyPrint) and
docx (rendered by LibreOffice headless): 标题, 主送, the five sections (基本情况, 主要特点 with at
least four charts, 存在的问题, 原因分析, 工作建议), 附表, 落款 and 日期, page numbers — N — on
every page, margins 37/35/28/26 mm, nothing under 8 pt. The problems come from rules over the
figures; the charts are the portal's plotly figures drawn by matplotlib from the same data."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.filing.periods import Period
from app.models import Filing
from app.unit_list import unit_by_code
from tests.engine_helpers import user
from tests.helpers import litigation_values, reconsideration_values
from tests.print_helpers import (
    MM_PER_PT,
    fonts,
    keep_sample,
    pages_text,
    paper_of,
    smallest_font_pt,
    soffice_pdf,
    squeeze,
)
from tests.test_reporting import parsed, pen, put

UNITS = ("0100", "0200", "0500", "0600", "2300", "2400")  # districts and bureaus
SMALL = "0600"  # a unit that concluded only 6 reconsideration cases in 2025H2
EXPLAINED = "本期新收案件激增系区域集中整治所致"
HEADINGS = ("一、基本情况", "二、主要特点", "三、存在的问题", "四、原因分析", "五、工作建议")


def _small_reconsideration() -> dict:
    values = parsed("reconsideration", reconsideration_values(accepted=20, concluded=20))
    values.update(concluded=6, o_dismissed=1, o_upheld=1, o_unlawful=1, o_revoked=1, o_varied=0, o_ordered=0,
                  o_mediated=1, o_settled=0, o_terminated=1, o_other=0, o_void=0, o_withdrawn_corrected=0,
                  pending=24)
    return values


@pytest.fixture
def year_2025(app):
    """2024 and 2025 figures of six units: in 2025 fewer cases concluded with the same number
    corrected or lost (纠错率 and 败诉率 rise); one unit's 2025H2 base is small; one filing was
    accepted with an explanation; the other units did not file (late / missing)."""
    with app.app_context():
        for code in UNITS:
            for year in (2024, 2025):
                for q in (1, 2, 3, 4):
                    put("penalty", code, f"{year}Q{q}", pen(100 + 10 * q + (year - 2024) * 40))
                for h in (1, 2):
                    key = f"{year}H{h}"
                    if code == SMALL and key == "2025H2":
                        put("reconsideration", code, key, _small_reconsideration())
                    else:
                        put("reconsideration", code, key, parsed("reconsideration", reconsideration_values(
                            concluded=40 if year == 2024 else 20, version="2024")))
                    put("litigation", code, key, parsed("litigation", litigation_values(
                        concluded=18 if year == 2024 else 10)))
        # reported two days before each period's deadline; 朝阳区's 2025H2 reconsideration ten days late
        for f in db.session.scalars(select(Filing)):
            deadline = Period.parse(f.period_key).default_deadline()
            late = f.unit_id == unit_by_code("0500").id and f.period_key == "2025H2"
            f.first_reported_at = dt.datetime.combine(deadline, dt.time(2)) + dt.timedelta(days=10 if late else -2)
        f = db.session.scalar(select(Filing).where(Filing.unit_id == unit_by_code("0200").id,
                                                   Filing.form_code == "reconsideration",
                                                   Filing.period_key == "2025H1"))
        f.explanation = EXPLAINED
        db.session.commit()


def _text_box_mm(pdf: bytes) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) of the body text over all pages, mm from the page's left and top
    edges; the page number line (— N —) left out."""
    reader = PdfReader(io.BytesIO(pdf))
    xs, ys = [], []
    for page in reader.pages:
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, height=height):
            if text.strip() and not re.fullmatch(r"[—\s\d]+", text.strip()):
                x = tm[4] * cm[0] + cm[4]
                y = tm[5] * cm[3] + cm[5]
                xs.append(x * MM_PER_PT)
                ys.append((height - y) * MM_PER_PT)

        page.extract_text(visitor_text=visit)
    return min(xs), max(xs), min(ys), max(ys)


def _images(pdf: bytes) -> int:
    return sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages)


def _check_document(pdf: bytes) -> str:
    assert paper_of(pdf) == {"A4 portrait"}
    assert smallest_font_pt(pdf) >= 8
    pages = pages_text(pdf)
    assert len(pages) >= 3
    for i, page in enumerate(pages, 1):
        assert re.search(rf"—\s*{i}\s*—", page), f"page {i}: no page number"
    text = squeeze("".join(pages))
    positions = [text.index(h) for h in HEADINGS]
    assert positions == sorted(positions), "the five sections, in order"
    assert text.startswith("关于2025年度") and "法制统计情况的分析报告" in text[:40]
    assert "市人民政府：" in text[:80]
    assert "北京市人民政府法制办公室" in text and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert "附表1" in text
    assert _images(pdf) >= 4
    return text


def test_analysis_pdf_is_an_official_document(app, client_for, year_2025):
    resp = client_for("leader").get("/reports/analysis.pdf?period=2025")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = resp.get_data()
    keep_sample("analysis.pdf", pdf)
    text = _check_document(pdf)
    left, right, top, bottom = _text_box_mm(pdf)
    assert 27.5 <= left <= 29 and right <= 210 - 26  # 订口 28 mm; right margin 26 mm
    assert 37 <= top <= 45 and bottom <= 297 - 35 + 1  # 天头 37 mm (first baseline a line below)
    names = {r["name"].split("+")[1] for r in fonts(pdf)}
    assert "PortalSerif" in names and all(r["emb"] == "yes" for r in fonts(pdf))
    # the rules' findings, from the figures
    assert "直接纠错率上升" in text and "败诉率上升" in text
    assert re.search(r"迟报\d+份", text) and "迟报" in text and "未报" in text
    assert "朝阳区" in text[text.index("三、存在的问题"):]
    assert EXPLAINED in text
    assert "基数不足" in text
    # the charts: captions 图1 … 图4 at least
    assert all(f"图{n}" in text for n in (1, 2, 3, 4))


def test_analysis_docx_is_an_official_document(app, client_for, year_2025):
    resp = client_for("leader").get("/reports/analysis.docx?period=2025")
    assert resp.status_code == 200 and resp.mimetype.endswith("wordprocessingml.document")
    data = resp.get_data()
    doc = Document(io.BytesIO(data))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    assert len(doc.inline_shapes) >= 4 and all(abs(sh.width - Mm(156)) < Mm(1) for sh in doc.inline_shapes)
    assert doc.styles["Normal"].font.name == "Noto Serif CJK SC"
    assert doc.styles["Heading 1"].font.color.rgb == (0, 0, 0)  # not Word's blue
    # the annex tables: one paragraph style (五号 body font, East Asian too), bold header, figures right
    annex = doc.tables[-1]
    head, cell = annex.cell(0, 0).paragraphs[0], annex.cell(1, 1).paragraphs[0]
    assert head.style.font.name == "Noto Serif CJK SC" and head.style.font.size == Pt(10.5)
    assert head.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    assert head.runs[0].bold and cell.alignment == WD_ALIGN_PARAGRAPH.RIGHT and cell.style is not None
    assert len({len(r.cells) for r in annex.rows}) == 1 and len(annex.rows) > 2
    pdf = soffice_pdf(data, ".docx")
    keep_sample("analysis-docx.pdf", pdf)
    text = _check_document(pdf)
    assert "直接纠错率上升" in text and EXPLAINED in text


def test_unit_users_analysis_pdf_shows_only_their_own_figures(app, client_for, year_2025):
    text = squeeze("".join(pages_text(client_for("dongcheng_filler").get("/reports/analysis.pdf?period=2025")
                                       .get_data())))
    assert "东城区" in text
    for other in ("西城区", "朝阳区", "市公安局", EXPLAINED):
        assert other not in text, other


def test_the_charts_are_the_pages_figures_drawn_from_the_same_data(app, monkeypatch, year_2025):
    """official_report draws exactly analysis_figures' plotly figures; their numbers are the
    aggregation's (app.reporting.aggregate), not a second calculation."""
    from app.charts import analysis as charts
    from app.exports import analysis_doc
    from app.reporting.aggregate import CITY, StatsQuery, aggregate
    from app.reporting.analysis import build_analysis
    from app.reporting.findings import analysis_trends, findings

    drawn = []
    real = analysis_doc.render_png
    monkeypatch.setattr(analysis_doc, "render_png", lambda fig: drawn.append(fig) or real(fig))
    with app.test_request_context():
        leader = user("leader")
        period = Period.parse("2025")
        a = build_analysis(period, "全市", None, user=leader)
        trends = analysis_trends(period, ("accepted",), user=leader)
        report = analysis_doc.official_report(a, trends, findings(a, trends, ("accepted",), user=leader),
                                              dt.date(2026, 1, 20))
        figs = dict(charts.analysis_figures(a, trends))
        rec = aggregate(StatsQuery("reconsideration", Period.parse("2022H1"), Period.parse("2025H2"), split=True,
                                   by=CITY), leader)
    assert len(drawn) == len(figs) >= 4
    assert sorted(f.to_json() for f in drawn) == sorted(f.to_json() for f in figs.values())
    assert [c.number for c in report.charts] == list(range(1, len(figs) + 1))  # numbered as they appear
    rates = figs["rates"].data[0]
    expected = [float(v) if v is not None else None for _p, v in rec.series("correction_rate")]
    assert list(rates.y) == expected and expected[-1] is not None
    assert all(c.png.startswith(b"\x89PNG") for c in report.charts)


def test_rules_fire_only_on_the_figures(app, year_2025):
    """Break the rising-rate rule's input: with 2025 as good as 2024, no rise is reported."""
    from app.filing.periods import Period
    from app.reporting.analysis import build_analysis
    from app.reporting.findings import analysis_trends, findings

    with app.test_request_context():
        leader = user("leader")
        period = Period.parse("2025")
        a = build_analysis(period, "全市", None, user=leader)
        kinds = {f.kind for f in findings(a, analysis_trends(period, ("accepted",), user=leader), ("accepted",),
                                          user=leader)}
        assert {"rising_rate", "late", "explained", "small_base"} <= kinds
        for code in UNITS:  # 2025 as 2024: the same concluded cases
            for f in db.session.scalars(select(Filing).where(Filing.unit_id == unit_by_code(code).id,
                                                             Filing.form_code.in_(("reconsideration", "litigation")),
                                                             Filing.year == 2025)):
                from app.models import VALUE_MODELS

                row = db.session.scalar(select(VALUE_MODELS[f.form_code]).where(
                    VALUE_MODELS[f.form_code].filing_id == f.id))
                row.concluded = 40 if f.form_code == "reconsideration" else 18
        db.session.flush()
        a = build_analysis(period, "全市", None, user=leader)
        found = findings(a, analysis_trends(period, ("accepted",), user=leader), ("accepted",), user=leader)
        assert "rising_rate" not in {f.kind for f in found}
        db.session.rollback()


def test_the_page_shows_the_figures_the_report_prints(app, client_for, year_2025):
    """The analysis page embeds the same plotly figures (their JSON) that the report draws."""
    import json

    from app.charts.analysis import analysis_figures
    from app.filing.periods import Period
    from app.reporting.analysis import build_analysis
    from app.reporting.findings import analysis_trends

    page = client_for("leader").get("/reports/analysis?period=2025").get_data(as_text=True)
    with app.test_request_context():
        leader = user("leader")
        period = Period.parse("2025")
        a = build_analysis(period, "全市", None, user=leader)
        figs = analysis_figures(a, analysis_trends(period, ("accepted",), user=leader))
    assert len(figs) >= 4
    for key, fig in figs:
        found = re.search(rf'<script type="application/json" id="chart-{key}-data">(.*?)</script>', page, re.S)
        assert found, key
        shown = json.loads(found.group(1))
        assert [t.get("y") for t in shown["data"]] == [t.get("y") for t in json.loads(fig.to_json())["data"]], key


def test_a_report_is_built_once_until_a_figure_changes(app, client_for, year_2025, monkeypatch):
    """Downloads of the same report (same figures, language and font) reuse the document built
    for the first, in any worker (app.content_cache: Redis when REDIS_URL is set); a changed
    figure or another language is another report, built anew — a kept document is never stale.
    The headings keep Word's heading styles (looked up once per document)."""
    from collections import OrderedDict

    from app.exports import docx as module
    from app.models.values import value_model

    monkeypatch.setattr(module.DOCUMENTS, "local", OrderedDict())
    built = []
    real = module._build
    monkeypatch.setattr(module, "_build", lambda r: built.append(r) or real(r))
    leader = client_for("leader")
    first = leader.get("/reports/analysis.docx?period=2025").get_data()
    assert leader.get("/reports/analysis.docx?period=2025").get_data() == first and len(built) == 1
    doc = Document(io.BytesIO(first))
    heads = [p for p in doc.paragraphs if p.text in HEADINGS]
    assert len(heads) == 5 and {p.style.name for p in heads} == {"Heading 1"}
    features = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]  # 主要特点's subsections
    assert len(features) >= 3 and features[0].startswith("（一）")
    assert doc.tables and all(t.style.name == "Table Grid" for t in doc.tables)
    with app.app_context():  # one unit's accepted 2025Q4 penalty decisions change
        fid = db.session.scalar(select(Filing.id).where(Filing.unit_id == unit_by_code("0100").id,
                                                        Filing.form_code == "penalty", Filing.period_key == "2025Q4"))
        row = db.session.scalar(select(value_model("penalty")).where(value_model("penalty").filing_id == fid))
        row.decisions_total += 7
        db.session.commit()
    changed = leader.get("/reports/analysis.docx?period=2025").get_data()
    assert len(built) == 2 and changed != first
    before = squeeze("".join(p.text for p in Document(io.BytesIO(first)).paragraphs))
    after = squeeze("".join(p.text for p in Document(io.BytesIO(changed)).paragraphs))
    assert before != after
    leader.get("/lang/en", headers={"Referer": "/"})
    english = leader.get("/reports/analysis.docx?period=2025").get_data()
    assert len(built) == 3 and english != changed
