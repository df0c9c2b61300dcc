"""Issue 6 acceptance 2: every export opens with openpyxl and its numbers equal the page's; a
unit named ``=1+1`` comes out as text; the layout (title, heading lines, grouped headers,
number formats, totals, frozen header, widths) is there; large exports stream.

Pattern: data set up inside ``with app.app_context():``, requests made outside it.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from app.exports.sheet import Col, write_sheet
from app.exports.styles import Styles, open_workbook
from app.extensions import db
from app.models import Unit
from tests.test_reporting import pen, put
from tests.test_reporting_pages import figures, number, page_table  # noqa: F401  (figures is a fixture)

FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(A1)")


def workbook(resp):
    assert resp.status_code == 200, resp.status_code
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(resp.get_data()))


def header_row(ws, label: str) -> int:
    """The row number of the lower header row (the one holding `label`)."""
    for row in ws.iter_rows():
        for c in row:
            if c.value == label:
                return c.row
    raise AssertionError(f"no header {label!r}")


def sheet_rows(ws, first_data_row: int) -> dict[str, list]:
    """{first column text: [cell, …]} for the data rows and the totals row."""
    return {row[0].value: list(row) for row in ws.iter_rows(min_row=first_data_row) if row[0].value is not None}


def same(page_text: str, cell) -> bool:
    """A page cell equals a workbook cell as shown: counts exactly, 万元/元 to two decimals,
    rates to one decimal of a percent, — as —."""
    expected = number(page_text)
    value = cell.value
    if expected is None:
        return value in (None, "—")
    if isinstance(expected, int):
        return value == expected
    if page_text.strip().rstrip("*").endswith("%"):  # "*": a rate over a small base
        return Decimal(str(value)).quantize(Decimal("0.001"), ROUND_HALF_UP) == expected.quantize(Decimal("0.001"))
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP) == expected


@pytest.mark.parametrize("query", ["from=2024", "from=2024Q1&to=2024Q3&money=yuan", "from=2023&to=2024&by=kind"])
def test_report_export_equals_the_page(app, client_for, figures, query):  # noqa: F811
    c = client_for("admin")
    page = page_table(c.get(f"/reports/penalty/?{query}").get_data(as_text=True), "report")
    wb = workbook(c.get(f"/reports/penalty/export.xlsx?{query}"))
    ws = wb.active
    top = header_row(ws, "立案数")
    labels = [c.value for c in ws[top]]
    groups = {c.column: c.value for c in ws[top - 1] if c.value}
    rows = sheet_rows(ws, top + 1)
    html = c.get(f"/reports/penalty/?{query}").get_data(as_text=True)
    names = {key: _row_name(html, key) for key in page}
    assert len(rows) == len(page)
    checked = 0
    for key, cells in page.items():
        sheet = rows[names[key]]
        for col, text in cells.items():
            if col == "_name":
                continue
            idx = _column_index(html, col)
            assert same(text, sheet[idx]), (key, col, text, sheet[idx].value, labels[idx])
            checked += 1
    assert checked > 100
    # layout: title, heading lines, grouped header, number formats, totals, frozen header
    assert ws["A1"].value == "行政处罚情况统计表"
    heading = [ws.cell(r, 1).value for r in range(2, top - 1)]
    assert any(h and h.startswith("统计范围：全市") for h in heading)
    assert any(h and h.startswith("报告期：") for h in heading)
    assert any(h and h.startswith("生成时间：") for h in heading)
    assert {"案件", "处罚决定（按种类）", "合计及比率"} <= set(groups.values())
    assert ws.freeze_panes == f"B{top + 1}"
    total = rows["合计"]
    assert total[labels.index("立案数")].font.b
    assert total[labels.index("立案数")].number_format == "#,##0"
    money_col = next(i for i, v in enumerate(labels) if v and v.startswith("罚款金额"))
    assert total[money_col].number_format == "#,##0.00"
    assert total[labels.index("处罚决定被复议纠错率")].number_format == "0.0%"
    assert ws.column_dimensions["A"].width >= 8


def _row_name(html: str, key: str) -> str:
    """The text of the name cell of the row with data-key=key."""
    import re

    m = re.search(rf'<tr[^>]*data-key="{re.escape(key)}"[^>]*>\s*<td class="name">([^<]*)</td>', html)
    assert m, key
    return m.group(1).strip()


def _column_index(html: str, col: str) -> int:
    """The position of a column in the page's lower header order (label column first)."""
    import re

    order = ["_label", "_filings"] + [c for c in re.findall(r'<th data-col="([^"]+)"', html)
                                      if c not in ("_label", "_filings")]
    return order.index(col)


def test_comparison_export_equals_the_page(app, client_for, figures):  # noqa: F811
    c = client_for("leader")
    for query in ("from=2024Q2", "from=2024&metric=amount_total", "from=2024H1&metric=correction_rate"):
        form = "reconsideration" if "correction" in query else "penalty"
        page = page_table(c.get(f"/reports/{form}/compare?{query}").get_data(as_text=True), "compare")
        ws = workbook(c.get(f"/reports/{form}/compare.xlsx?{query}")).active
        top = header_row(ws, "排名")
        rows = sheet_rows(ws, top + 1)
        order = ["_name", "current", "yoy_base", "yoy_change", "yoy_pct", "mom_base", "mom_change", "mom_pct",
                 "rank", "share"]
        for key, cells in page.items():
            present = [k for k in order if k in cells]
            sheet = rows[cells["_name"]]
            for i, col in enumerate(present):
                if col == "_name":
                    continue
                text = cells[col]
                if col.endswith("_change") and "个百分点" in text:
                    assert Decimal(str(sheet[i].value * 100)).quantize(Decimal("0.1"), ROUND_HALF_UP) == \
                        Decimal(text.replace("个百分点", "")), (query, key, col)
                elif col == "rank" and text == "":
                    assert sheet[i].value in (None, "—")
                else:
                    assert same(text.replace("+", ""), sheet[i]), (query, key, col, text, sheet[i].value)


def test_formula_like_unit_names_are_text(app, client_for):
    with app.app_context():
        for i, name in enumerate(FORMULAS):
            db.session.add(Unit(code=f"98{i:02d}", name=name, short_name=name, kind="department",
                                valid_from=dt.date(2000, 1, 1)))
            db.session.flush()
            put("penalty", f"98{i:02d}", "2024Q1", pen(100 + i))
        db.session.commit()
    c = client_for("admin")
    for path in ("/reports/penalty/export.xlsx?from=2024Q1", "/reports/penalty/compare.xlsx?from=2024Q1",
                 "/reports/penalty/filings.xlsx?from=2024Q1"):
        ws = workbook(c.get(path)).active
        found = {cell.value: cell.data_type for row in ws.iter_rows() for cell in row if cell.value in FORMULAS}
        assert found == {name: "s" for name in FORMULAS}, path
    html = c.get("/reports/penalty/?from=2024Q1").get_data(as_text=True)
    assert '<td class="name">=1+1</td>' in html


def test_filings_list_export(app, client_for, figures):  # noqa: F811
    ws = workbook(client_for("admin").get("/reports/penalty/filings.xlsx?from=2023&to=2024")).active
    top = header_row(ws, "单位编码")
    labels = [c.value for c in ws[top]]
    data = [row for row in ws.iter_rows(min_row=top + 1, values_only=True) if row[0]]
    assert len(data) == 16  # 2 units × 8 quarters
    assert {r[0] for r in data} == {"0100", "2300"}
    first = dict(zip(labels, data[0], strict=True))
    assert first["报告期"] == "2023年第1季度" and first["状态"] == "已通过"
    assert first["处罚决定总数"] == 101 and first["罚款金额"] == pytest.approx(0.1)  # 1,000.00 元 in 万元


def test_large_exports_stream_with_flat_memory(tmp_path):
    """constant_memory: each row goes to disk as soon as the next one starts, so the worksheet
    holds one row at a time however many are written (without it, it holds them all)."""
    cols = [Col("单位", "text", "", 12), Col("件数", "count", "数据"), Col("金额", "money", "数据"),
            Col("比率", "rate", "数据")]

    def rows_held(n: int, large: bool) -> int:
        rows = ([f"单位{i}", i, i * 100, Decimal("0.5")] for i in range(n))
        wb = open_workbook(str(tmp_path / f"{n}-{large}.xlsx"), large=large)
        write_sheet(wb, Styles(wb), "明细", "标题", [("统计范围", "全市")], cols, rows, streaming=large)
        held = len(wb.worksheets()[0].table)
        wb.close()
        return held

    assert rows_held(20_000, large=True) <= 1
    assert rows_held(2_000, large=False) > 2_000
    ws = load_workbook(tmp_path / "20000-True.xlsx", read_only=True).active
    assert ws.max_row >= 20_000 and ws.cell(ws.max_row, 2).value == 19_999


def test_analysis_docx_opens_with_text_and_tables(app, client_for, figures):  # noqa: F811
    resp = client_for("leader").get("/reports/analysis.docx?period=2024")
    assert resp.status_code == 200 and resp.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(resp.get_data()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于2024年度全市法制统计情况的分析报告" in text  # the GB/T 9704 title (issue 19)
    assert "行政处罚决定" in text or "处罚决定总数" in text
    assert "同比" in text and "报送方面" in text
    assert len(doc.tables) >= 6
    headline = doc.tables[0]
    assert headline.rows[0].cells[0].text == "指标"


def test_a_report_workbook_is_kept_until_what_it_shows_changes(app, client_for, figures, monkeypatch):  # noqa: F811
    """Downloads of the same report (same figures, texts, language, minute) reuse the workbook
    built for the first, in any worker (app.content_cache); a changed figure, another language or
    another user's scope is another workbook, built anew — a kept workbook is never stale."""
    from collections import OrderedDict

    from sqlalchemy import select

    from app.exports import reports as module
    from app.models import Filing
    from app.models.values import value_model
    from app.unit_list import unit_by_code

    monkeypatch.setattr(module.WORKBOOKS, "local", OrderedDict())
    built = []
    real = module._report_workbook
    monkeypatch.setattr(module, "_report_workbook", lambda r: built.append(r) or real(r))
    leader = client_for("leader")
    path = "/reports/penalty/export.xlsx?from=2024"

    def total_decisions(data: bytes) -> int:
        ws = load_workbook(io.BytesIO(data)).active
        top = header_row(ws, "处罚决定总数")
        col = [c.value for c in ws[top]].index("处罚决定总数")
        return [row for row in ws.iter_rows(min_row=top + 1, values_only=True) if row[0] == "合计"][0][col]

    first = leader.get(path).get_data()
    assert leader.get(path).get_data() == first and len(built) == 1
    with app.app_context():  # 东城区's accepted 2024Q4 penalty decisions change
        fid = db.session.scalar(select(Filing.id).where(Filing.unit_id == unit_by_code("0100").id,
                                                        Filing.form_code == "penalty", Filing.period_key == "2024Q4"))
        model = value_model("penalty")
        row = db.session.scalar(select(model).where(model.filing_id == fid))
        row.decisions_total += 7
        db.session.commit()
    changed = leader.get(path).get_data()
    assert len(built) == 2 and total_decisions(changed) == total_decisions(first) + 7
    own = client_for("dongcheng_filler").get(path).get_data()  # one unit's scope: its own rows only
    assert len(built) == 3 and own != changed
    leader.get("/lang/en", headers={"Referer": "/"})
    assert leader.get(path).get_data() != changed and len(built) == 4
