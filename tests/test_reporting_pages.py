"""The statistics pages over HTTP: their numbers are the statistics layer's, 东城区's accounts
never see 市公安局 in reports, comparisons, the analysis, the dashboard or any download, the
number of SQL statements per page does not grow with the rows shown, and leaders land on the
dashboard.

Pattern: data set up inside ``with app.app_context():``, requests made outside it.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from sqlalchemy import event

from app.extensions import db
from app.filing.periods import Period
from app.reporting.aggregate import StatsQuery, aggregate
from app.unit_list import unit_by_code
from tests.engine_helpers import user
from tests.helpers import litigation_values, reconsideration_values
from tests.test_reporting import parsed, pen, put

GONGAN_FINES = "7654321.09"
# "公安局", not "公安": 公安 is also a 行政管理领域 column of the 2024 reconsideration form.
LEAKS = ("公安局", "gongan", "7654321", "7,654,321", "765.43", "2300")
UNIT_USERS = ("dongcheng_filler", "dongcheng_approver")


class _TableParser(HTMLParser):
    """{row key: {column: text}} of one <table id=…>, from data-key rows and data-col cells."""

    def __init__(self, table_id: str):
        super().__init__(convert_charrefs=True)
        self.table_id, self.inside, self.rows = table_id, 0, {}
        self.key = self.col = None
        self.buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = 1
        elif self.inside and tag == "tr" and "data-key" in a:
            self.key = a["data-key"]
            self.rows[self.key] = {}
        elif self.inside and tag == "td" and self.key is not None:
            self.col = a.get("data-col", "_name" if "name" in (a.get("class") or "") else None)
            self.buf = []

    def handle_endtag(self, tag):
        if tag == "td" and self.col is not None:
            self.rows[self.key][self.col] = "".join(self.buf).strip()
            self.col = None
        elif tag == "table" and self.inside:
            self.inside = 0

    def handle_data(self, data):
        if self.col is not None:
            self.buf.append(data)


def page_table(html: str, table_id: str) -> dict[str, dict[str, str]]:
    p = _TableParser(table_id)
    p.feed(html)
    return p.rows


def number(text: str):
    """A page cell back to a number: '1,234' → 1234, '12.50' → Decimal, '—' → None."""
    from decimal import Decimal

    text = text.replace(",", "").strip().rstrip("*")  # "*": a rate over a small base
    if text in ("—", ""):
        return None
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    return Decimal(text) if "." in text else int(text)


def xlsx_text(data: bytes) -> str:
    """Every string and number in a workbook, as one text (for leak checks)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))


@pytest.fixture
def figures(app):
    """东城区 and 市公安局 figures in every form for 2023–2024 (市公安局's fines are unique)."""
    with app.app_context():
        for unit, total, fines in (("0100", 100, "1000.00"), ("2300", 900, GONGAN_FINES)):
            for year in (2023, 2024):
                for q in (1, 2, 3, 4):
                    put("penalty", unit, f"{year}Q{q}", pen(total + q, fines))
                for h in (1, 2):
                    put("reconsideration", unit, f"{year}H{h}", parsed("reconsideration", reconsideration_values()))
                    put("litigation", unit, f"{year}H{h}", parsed("litigation", litigation_values()))
        db.session.commit()


def test_report_page_shows_the_layers_figures(app, client_for, figures):
    html = client_for("admin").get("/reports/penalty/?from=2024").get_data(as_text=True)
    rows = page_table(html, "report")
    with app.app_context():
        table = aggregate(StatsQuery("penalty", Period.parse("2024")), user("admin"))
        expected = {str(r.key): r for r in table.rows}
    assert set(rows) == set(expected) | {"total"}
    for key, row in expected.items():
        assert number(rows[key]["decisions_total"]) == row.get("decisions_total")
        assert rows[key]["_filings"] == "4"
    assert number(rows["total"]["decisions_total"]) == sum(r.get("decisions_total") for r in table.rows)
    # money in 万元 with two decimals; 元 on request
    gongan = str(unit_by_code_id(app, "2300"))
    assert rows[gongan]["amount_fines"] == "3,061.73"  # 4 × 7,654,321.09 元
    yuan = page_table(client_for("admin").get("/reports/penalty/?from=2024&money=yuan").get_data(as_text=True),
                      "report")
    assert yuan[gongan]["amount_fines"] == "30,617,284.36"
    # the official layout: the form's groups as the upper header row
    assert all(g in html for g in ("案件", "处罚决定（按种类）", "罚没金额（元）", "合计及比率"))


def unit_by_code_id(app, code: str) -> int:
    with app.app_context():
        return unit_by_code(code).id


def test_report_filters_range_grouping_and_bad_input(app, client_for, figures):
    c = client_for("admin")
    html = c.get("/reports/penalty/?from=2024Q1&to=2024Q2&by=city").get_data(as_text=True)
    rows = page_table(html, "report")
    assert number(rows["city"]["decisions_total"]) == (101 + 102) + (901 + 902)
    assert "2024年第1季度至2024年第2季度" in html
    html = c.get("/reports/reconsideration/?from=2024&by=kind&kind=district").get_data(as_text=True)
    assert set(page_table(html, "report")) == {"district", "total"}
    resp = c.get("/reports/penalty/?from=2024Q3&to=2024Q1&by=nonsense&unit=abc&basis=x&money=y")
    assert resp.status_code == 200
    assert "截止报告期不能早于起始报告期" in resp.get_data(as_text=True)
    assert c.get("/reports/nonsense/").status_code == 404


@pytest.mark.parametrize("username", UNIT_USERS)
def test_unit_users_never_see_another_units_figures(app, client_for, figures, username):
    gongan = unit_by_code_id(app, "2300")
    c = client_for(username)
    pages = [f"/reports/{form}/?from={period}{extra}"
             for form, period in (("penalty", "2024"), ("reconsideration", "2024H1"), ("litigation", "2024"))
             for extra in ("", "&by=city", "&by=kind", "&by=parent", f"&unit={gongan}", "&successor=1",
                           "&basis=reported")]
    pages += ["/reports/", "/reports/penalty/compare?from=2024Q2",
              "/reports/penalty/compare?from=2024&metric=amount_total",
              f"/reports/penalty/compare?from=2024&unit={gongan}", "/reports/analysis?period=2024",
              "/reports/analysis?period=2024H1", "/dashboard/", "/"]
    for path in pages:
        resp = c.get(path)
        assert resp.status_code == 200, path
        body = resp.get_data(as_text=True)
        for needle in LEAKS:
            assert needle not in body, f"{path}: {needle!r} leaked"
    # 东城区's own figures are there
    rows = page_table(c.get("/reports/penalty/?from=2024").get_data(as_text=True), "report")
    assert set(rows) == {str(unit_by_code_id(app, "0100")), "total"}
    assert number(rows["total"]["decisions_total"]) == 101 + 102 + 103 + 104
    # downloads
    for path in ("/reports/penalty/export.xlsx?from=2024&by=city",
                 f"/reports/penalty/export.xlsx?from=2024&unit={gongan}", "/reports/penalty/compare.xlsx?from=2024",
                 "/reports/penalty/filings.xlsx?from=2023&to=2024",
                 "/reports/reconsideration/filings.xlsx?from=2024"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        text = xlsx_text(resp.get_data())
        for needle in LEAKS:
            assert needle not in text, f"{path}: {needle!r} leaked"
    text = docx_text(c.get("/reports/analysis.docx?period=2024").get_data())
    assert "东城区" in text and not any(n in text for n in LEAKS)
    # drilling down to another unit's dashboard is a 404
    assert c.get(f"/dashboard/?unit={gongan}").status_code == 404
    assert c.get("/dashboard/?unit=abc").status_code == 404


def test_municipal_office_sees_every_unit(app, client_for, figures):
    gongan = unit_by_code_id(app, "2300")
    for username in ("leader", "reviewer", "admin"):
        c = client_for(username)
        assert "市公安局" in c.get("/reports/penalty/?from=2024").get_data(as_text=True)
        assert "市公安局" in c.get("/reports/analysis?period=2024").get_data(as_text=True)
        assert "市公安局" in xlsx_text(c.get("/reports/penalty/filings.xlsx?from=2024").get_data())
        resp = c.get(f"/dashboard/?unit={gongan}")
        assert resp.status_code == 200 and "北京市公安局法制处" in resp.get_data(as_text=True)


def test_leaders_home_is_the_dashboard_and_units_get_a_link(app, client_for, figures):
    leader = client_for("leader").get("/").get_data(as_text=True)
    assert "数据看板" in leader and 'id="kpis"' in leader and "市级审核工作台" not in leader
    reviewer = client_for("reviewer").get("/").get_data(as_text=True)
    assert "市级审核工作台" in reviewer and 'id="kpis"' not in reviewer
    unit = client_for("dongcheng_filler").get("/").get_data(as_text=True)
    assert 'href="/dashboard/"' in unit and "本期应报" in unit


def test_dashboard_kpis_and_drill_down(app, client_for, figures):
    html = client_for("leader").get("/dashboard/").get_data(as_text=True)
    for key in ("decisions", "amount", "received", "correction", "loss", "completion"):
        assert f'data-kpi="{key}"' in html
    assert html.count('class="portal-chart"') >= 6 and "/static/js/charts.js" in html
    assert '/charts/plotly.min.js' in html
    dongcheng = unit_by_code_id(app, "0100")
    assert f'href="/dashboard/?unit={dongcheng}"' in html
    unit = client_for("leader").get(f"/dashboard/?unit={dongcheng}").get_data(as_text=True)
    assert "东城区人民政府法制办公室" in unit and 'id="drill"' in unit and "trend-own" in unit


def test_plotly_is_served_by_the_portal(app, client_for):
    c = app.test_client()
    resp = c.get("/charts/plotly.min.js")
    assert resp.status_code == 200 and resp.mimetype == "application/javascript"
    assert resp.headers["ETag"] and b"cdn.jsdelivr" not in resp.get_data()
    again = c.get("/charts/plotly.min.js", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304


# --- the number of SQL statements does not depend on the number of rows -----------------------

PAGES = {
    "leader": ["/", "/dashboard/", "/reports/penalty/?from=2024", "/reports/penalty/?from=2023&to=2024&by=kind",
               "/reports/reconsideration/?from=2024", "/reports/penalty/compare?from=2024Q2",
               "/reports/litigation/compare?from=2024H2&metric=loss_rate", "/reports/analysis?period=2024",
               "/reports/penalty/export.xlsx?from=2024", "/reports/penalty/filings.xlsx?from=2024",
               "/reports/penalty/compare.xlsx?from=2024"],
    "dongcheng_filler": ["/dashboard/", "/reports/penalty/?from=2024", "/reports/analysis?period=2024H1"],
}
DISTRICTS = ["0100", "0200", "0500", "0600", "0700", "0800", "0900", "1000", "1100", "1200", "1300", "1400"]


def _fill(units):
    for code in units:
        for q in (1, 2, 3, 4):
            put("penalty", code, f"2024Q{q}", pen(100 + q))
            put("penalty", code, f"2023Q{q}", pen(90 + q))
        for h in (1, 2):
            put("reconsideration", code, f"2024H{h}", parsed("reconsideration", reconsideration_values()))
            put("litigation", code, f"2024H{h}", parsed("litigation", litigation_values()))
    db.session.commit()


def _count_statements(app, client, path, own_only: bool = False) -> int:
    with app.app_context():
        engine = db.engine
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        resp = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert resp.status_code == 200, (path, resp.status_code)
    if own_only:  # leave out FAB's login, role and menu-permission lookups
        seen = [s for s in seen if " ab_" not in s and "FROM ab_" not in s]
    return len(seen)


def test_statement_count_is_independent_of_rows_shown(app, client_for):
    with app.app_context():
        _fill(DISTRICTS[:2])
    clients = {u: client_for(u) for u in PAGES}
    for username, paths in PAGES.items():
        for path in paths:  # warm up per-process caches
            clients[username].get(path)
    few = {(u, p): _count_statements(app, clients[u], p) for u, paths in PAGES.items() for p in paths}
    with app.app_context():
        _fill(DISTRICTS[2:])
    many = {(u, p): _count_statements(app, clients[u], p) for u, paths in PAGES.items() for p in paths}
    assert many == few
    # and a report is a handful of statements of its own (scope, units, the one aggregation)
    assert _count_statements(app, clients["leader"], "/reports/penalty/?from=2024", own_only=True) <= 4


def test_unit_selects_keep_the_choice(app, client_for, figures):
    """The unit selects (built in one pass, app.web.unit_options): every unit in scope once, the
    ones asked for selected — one on the filing list, several on a report."""
    with app.app_context():
        a, b = unit_by_code("0100").id, unit_by_code("2300").id
    options = re.compile(r'<option value="(\d+)"( selected)?>([^<]*)</option>')

    def unit_select(page):
        select = re.search(r'<select name="unit" id="f-unit".*?</select>', page, re.S).group(0)
        return {int(v): (bool(s), name) for v, s, name in options.findall(select)}

    listed = unit_select(client_for("reviewer").get(f"/filings/penalty/?unit={a}").get_data(as_text=True))
    assert listed[a] == (True, "东城区") and not listed[b][0] and sum(s for s, _n in listed.values()) == 1
    report = unit_select(client_for("leader").get(f"/reports/penalty/?from=2024&unit={a}&unit={b}")
                         .get_data(as_text=True))
    assert report[a][0] and report[b][0] and sum(s for s, _n in report.values()) == 2 and len(report) > 10
