"""Issue 19 items 2, 3 and 5: city reports that print. The 2025 行政复议 report of every unit, as
PDF (WeasyPrint) and as a workbook rendered by LibreOffice headless: A3 landscape, nothing under
8 pt, the title and 表号 on every page, 第 N 页 共 M 页, row titles repeated on every page,
every column and the totals row printed — and the same for every form and version."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.exports.paging import plan
from app.exports.pdf import render_pdf
from app.exports.reports import report_xlsx
from app.exports.table_print import report_print
from app.extensions import db
from app.filing.periods import Period
from app.forms import DECLARED, get_form
from app.models import Unit
from app.reporting.aggregate import UNIT, StatsQuery
from app.reporting.report import build_report
from tests.helpers import reconsideration_values
from tests.print_helpers import fonts, info, keep_sample, pages_text, paper_of, smallest_font_pt, soffice_pdf, squeeze
from tests.test_reporting import parsed, put
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture)

TITLE = "行政复议案件情况统计表"


@pytest.fixture
def year_2025(app):
    """Accepted 行政复议 filings for 2025H1 and 2025H2 from every unit active in 2025."""
    with app.app_context():
        units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
        active = [u for u in units if u.active_on(dt.date(2025, 6, 30))]
        for i, u in enumerate(active):
            for half in ("2025H1", "2025H2"):
                put("reconsideration", u.code, half, parsed("reconsideration",
                                                             reconsideration_values(accepted=20 + i % 30)))
        db.session.commit()
        return [u.short_name for u in active]


def _every_page_has_header_and_footer(pages: list[str]) -> None:
    n = len(pages)
    assert n > 1
    for i, page in enumerate(pages, 1):
        flat = squeeze(page)
        assert TITLE in flat, f"page {i}: no title"
        assert "表号：法统2表" in flat, f"page {i}: no 表号"
        assert f"第{i}页共{n}页" in flat, f"page {i}: no page number"


def test_the_2025_reconsideration_report_pdf_prints_legibly(app, client_for, year_2025):
    resp = client_for("reviewer").get("/reports/reconsideration/export.pdf?from=2025H1&to=2025H2&by=unit")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = resp.get_data()
    keep_sample("report.pdf", pdf)
    assert paper_of(pdf) == {"A3 landscape"}
    assert smallest_font_pt(pdf) >= 8
    assert all(r["emb"] == "yes" for r in fonts(pdf))
    pages = pages_text(pdf)
    assert len(pages) == int(info(pdf)["Pages"])
    _every_page_has_header_and_footer(pages)
    # row titles on every page: each page names units (the first column is repeated)
    for i, page in enumerate(pages, 1):
        assert sum(name in page for name in year_2025) >= 5, f"page {i}: no row titles"
    with app.app_context():
        report = build_report(StatsQuery("reconsideration", Period.parse("2025H1"), Period.parse("2025H2"), by=UNIT),
                              "全市")
        t = report_print(report)
    assert len(t.parts) >= 2  # too wide for one A3 width: column groups over several pages
    text = squeeze("".join(pages_text(pdf, layout=False)))
    # every column is printed once, in one part, with the row titles in every part; every part
    # (a page width of column groups) is printed with its group headings and the totals row
    printed = [label for part in t.parts for label, _k, _w in part.columns[1:]]
    assert printed == [c.label for c in report.columns[1:]]
    assert all(part.columns[0][0] == "单位" for part in t.parts)
    for k in range(1, len(t.parts) + 1):
        assert f"第{k}部分共{len(t.parts)}部分" in text
    for group, _cols in report.groups:
        assert squeeze(group) in text, group
    assert text.count("合计") >= len(t.parts)
    total_new = sum(2 * (20 + i % 30 + 10) for i in range(len(year_2025)))  # 本期新收, both halves
    # the totals row: 报表数, 上期结转 (a stock: the first half's, 10 a unit), 本期新收 (a flow: both)
    n = len(year_2025)
    assert re.search(rf"合计\s+{2 * n}\s+{n * 10:,}\s+{total_new:,}\s", "\n".join(pages))


def test_the_2025_reconsideration_workbook_prints_legibly(app, client_for, year_2025):
    resp = client_for("reviewer").get("/reports/reconsideration/export.xlsx?from=2025H1&to=2025H2&by=unit")
    data = resp.get_data()
    ws = load_workbook(io.BytesIO(data)).active
    setup = ws.page_setup
    assert setup.paperSize == 8 and setup.orientation == "landscape"  # A3 landscape
    assert (setup.scale or 100) == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols == "$A:$A" and ws.print_title_rows
    assert ws.col_breaks.count >= 1  # column groups over several page widths
    assert "&P" in ws.oddFooter.center.text and TITLE in ws.oddHeader.left.text
    pdf = soffice_pdf(data, ".xlsx")
    keep_sample("report-xlsx.pdf", pdf)
    assert paper_of(pdf) == {"A3 landscape"}
    assert smallest_font_pt(pdf) >= 8
    pages = pages_text(pdf)
    _every_page_has_header_and_footer(pages)
    for i, page in enumerate(pages, 1):
        assert sum(name in page for name in year_2025) >= 5, f"page {i}: no row titles"
    # LibreOffice printed exactly the planned page widths (it broke no column group on its own):
    # the first unit's row opens each of them, and the title is on the first
    first = [i for i, page in enumerate(pages) if re.search(rf"^\s*{year_2025[0]}\s", page, re.M)]
    assert len(first) == ws.col_breaks.count + 1 >= 2, first
    assert TITLE in squeeze(pages[0].split("统计范围")[0].split("\n", 2)[-1])

def _one_period(spec) -> Period:
    """A period filed under `spec`'s version."""
    first = Period.parse(spec.valid_from) if spec.valid_from else Period(2020, spec.period_kind, 1)
    return first


@pytest.mark.parametrize("spec", DECLARED, ids=lambda s: s.template_kind)
def test_every_form_and_version_prints(app, spec):
    """Every form version's report (empty figures: the layout is the point) on paper: PDF and
    workbook, the paper the plan chose, nothing under 8 pt, header and page numbers on every page."""
    period = _one_period(spec)
    with app.test_request_context():
        assert get_form(spec.code, period) is spec
        report = build_report(StatsQuery(spec.code, period, by=UNIT), "全市")
        t = report_print(report)
        pdf = render_pdf("print/table.html", t=t, doc_title=t.title, body_class=t.body_class)
        xlsx = report_xlsx(report)
    columns = report.columns
    expected = plan([c.kind for c in columns], [c.label for c in columns], [c.group for c in columns])
    assert paper_of(pdf) == {f"{expected.paper} landscape"}
    assert smallest_font_pt(pdf) >= 8
    pages = pages_text(pdf)
    for i, page in enumerate(pages, 1):
        flat = squeeze(page)
        assert spec.title in flat and f"第{i}页共{len(pages)}页" in flat
    printed = soffice_pdf(xlsx, ".xlsx")
    assert smallest_font_pt(printed) >= 8
    pages = pages_text(printed)
    for i, page in enumerate(pages, 1):
        assert spec.title in squeeze(page) and f"第{i}页共{len(pages)}页" in squeeze(page)


def test_a_narrow_table_fits_a4_and_a_wide_one_splits_by_groups():
    narrow = plan(["text", "count", "count", "rate"], ["单位", "a", "b", "c"], ["", "", "g", "g"])
    assert narrow.paper == "A4" and narrow.pages == [[0, 1, 2, 3]]
    kinds = ["text"] + ["count"] * 40
    groups = [""] + [f"g{i // 8}" for i in range(40)]
    wide = plan(kinds, ["单位"] + ["x"] * 40, groups)
    assert wide.paper == "A3" and len(wide.pages) >= 2
    for page in wide.pages:
        assert page[0] == 0  # row titles on every page
        inner = [groups[i] for i in page[1:]]
        # a group is never split when it fits a page: each page starts a group
        assert groups[page[1]] != groups[page[1] - 1] or page[1] == 1
        assert sum(wide.widths[i] for i in page) <= 400
        assert inner
    assert sorted(i for p in wide.pages for i in p[1:]) == list(range(1, 41))


@pytest.mark.parametrize("username", ("dongcheng_filler", "dongcheng_approver"))
def test_unit_users_print_only_their_own_figures(app, client_for, figures, username):  # noqa: F811
    """东城区's users print 东城区's figures: no PDF, print view or forged unit filter shows
    市公安局's (its unit id asked for directly gives nothing of it either)."""
    from tests.test_reporting_pages import LEAKS, unit_by_code_id

    gongan = unit_by_code_id(app, "2300")
    c = client_for(username)
    for path in ("/reports/penalty/export.pdf?from=2024", f"/reports/penalty/export.pdf?from=2024&unit={gongan}",
                 "/reports/penalty/export.pdf?from=2024&by=city", "/reports/penalty/compare.pdf?from=2024",
                 "/reports/reconsideration/compare.pdf?from=2024H1&metric=correction_rate",
                 "/reports/analysis.pdf?period=2024"):
        resp = c.get(path)
        assert resp.status_code == 200 and resp.mimetype == "application/pdf", path
        text = "".join(pages_text(resp.get_data()))
        assert "东城区" in text or "合计" in text, path
        for needle in LEAKS:
            assert needle not in text, f"{path}: {needle!r} leaked"
    for path in ("/reports/penalty/print?from=2024", f"/reports/penalty/print?from=2024&unit={gongan}",
                 "/reports/analysis/print?period=2024"):
        body = c.get(path).get_data(as_text=True)
        assert "东城区" in body, path
        for needle in LEAKS:
            assert needle not in body, f"{path}: {needle!r} leaked"
