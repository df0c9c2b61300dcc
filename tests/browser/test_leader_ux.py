"""Issue 18, leaders, in a real browser (Debian's Chromium): the dashboard's period selector with
coverage and partial marks; same-unit 同比 with its switch on the comparison page; every figure
leading down to its units and filings; a unit's trend following its successor by default.

The city of tests/leader_ux_helpers.py, where only its four units are expected to file penalties
(the others excluded by an administrator's assignment): this quarter 2/4 units accepted, last
quarter 3/4, a year ago 4/4. Screenshots go to $LEADER_UX_SHOTS when set (else the test's tmp dir).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FormAssignment, Unit
from tests.browser.test_browser import login
from tests.browser.test_dashboard import _charts_drawn, _slow_pages, _watch
from tests.leader_ux_helpers import FIGURES, MERGED_FIGURE, build_partial_city


@pytest.fixture
def city(app):
    with app.app_context():
        c = build_partial_city()
        keep = set(c.ids.values())
        for uid in db.session.scalars(select(Unit.id)):
            if uid not in keep:
                db.session.add(FormAssignment(form_code="penalty", unit_id=uid, valid_from=c.old.start,
                                              required=False))
        db.session.commit()
        return c


def _shot(page, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("LEADER_UX_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _drawn(page, chart: str) -> None:
    """Wait until one chart holds a drawn trace."""
    page.wait_for_selector(f"#chart-{chart} svg.main-svg g.trace", state="attached")


def _kpi(page, key: str) -> str:
    return page.locator(f"[data-kpi={key}] .value").inner_text().strip()


def test_dashboard_period_selector_coverage_and_partial_marks(live_server, page, city, tmp_path):
    c = city
    seen = _watch(page, live_server)
    _slow_pages(page)
    login(page, live_server, "leader")
    assert page.url == live_server.url("/")
    # the latest quarter by default, although only half of it is accepted
    assert page.locator("#p-penalty").input_value() == c.p.key
    coverage = page.locator("#coverage [data-form=penalty]")
    assert "2/4 单位已通过" in coverage.inner_text() and coverage.locator(".partial-mark").is_visible()
    assert _kpi(page, "decisions") == "3,300"
    card = page.locator("[data-kpi=decisions]")
    assert card.locator(".partial-mark").is_visible() and "同比 +10.0%" in card.inner_text()
    assert "相同的2个单位" in card.inner_text()
    # partial figures are marked in the charts' titles too
    assert _charts_drawn(page) >= 5  # (no reconsideration figures here: its charts stay empty)
    for chart in ("rank-decisions", "trend-penalty"):
        title = page.locator(f"#chart-{chart} .gtitle").text_content()
        assert "部分数据" in title and "2/4" in title, title
    # the selector offers each period with its coverage
    options = page.locator("#p-penalty option").all_inner_texts()
    assert f"{c.p.label}（2/4）" in options and f"{c.y.label}（4/4）" in options
    _shot(page, tmp_path, "dashboard-partial")
    # a complete period: no partial mark, the figures of that period
    page.select_option("#p-penalty", c.y.key)
    with page.expect_navigation():
        page.click("#period-select button[type=submit]")
    assert f"penalty={c.y.key}" in page.url
    assert _kpi(page, "decisions") == f"{sum(v[0] for v in FIGURES.values()):,}"
    assert page.locator("#coverage [data-form=penalty] .partial-mark").count() == 0
    assert "4/4 单位已通过" in page.locator("#coverage [data-form=penalty]").inner_text()
    assert page.locator("[data-kpi=decisions] .partial-mark").count() == 0
    _drawn(page, "rank-decisions")
    assert "部分数据" not in page.locator("#chart-rank-decisions .gtitle").text_content()
    assert not seen["errors"], seen["errors"]


def test_comparison_compares_the_same_units_with_a_switch(live_server, page, city, tmp_path):
    seen = _watch(page, live_server)
    _slow_pages(page)
    login(page, live_server, "leader")
    # from the card's 同比 to the comparison behind it
    with page.expect_navigation():
        page.click("[data-kpi=decisions] .delta a")
    assert "/reports/penalty/compare" in page.url and "metric=decisions_total" in page.url
    total = page.locator("#compare tr.total")
    assert total.locator("[data-col=yoy_pct]").inner_text().strip() == "+10.0%"
    assert total.locator("[data-col=yoy_base]").inner_text().strip() == "3,000"
    box = page.locator("#compare-coverage")
    assert "2/4 单位已通过" in box.inner_text() and "部分数据" in box.inner_text()
    assert "同比2个单位" in box.inner_text() and "3,300" in page.locator("#yoy-now").inner_text()
    _shot(page, tmp_path, "compare-matched")
    # the switch: every unit as it is
    page.select_option("#f-compare", "all")
    with page.expect_navigation():
        page.click("#report-filters button.btn-primary")
    assert "compare=all" in page.url
    total = page.locator("#compare tr.total")
    assert total.locator("[data-col=yoy_pct]").inner_text().strip() == "-67.0%"
    assert total.locator("[data-col=yoy_base]").inner_text().strip() == "10,000"
    assert "两期单位不同" in page.locator("#compare-basis").inner_text()
    assert not seen["errors"], seen["errors"]


def test_every_figure_leads_to_its_units_and_filings(live_server, page, city, tmp_path):
    c = city
    seen = _watch(page, live_server)
    _slow_pages(page)
    login(page, live_server, "leader")
    with page.expect_navigation():
        page.click("[data-kpi=decisions] .value a")
    assert "/reports/penalty/sources" in page.url
    assert page.locator("#sources-summary [data-col=total]").inner_text() == "3,300"
    rows = page.locator("#sources tbody tr")
    assert rows.count() == 2
    assert {rows.nth(i).get_attribute("data-filing") for i in range(2)} == {
        str(c.filings[("0100", c.p.key)]), str(c.filings[("2300", c.p.key)])}
    _shot(page, tmp_path, "sources")
    with page.expect_navigation():
        page.click(f"#sources tr[data-filing='{c.filings[('2300', c.p.key)]}'] a")
    assert page.url.endswith(f"/filings/{c.filings[('2300', c.p.key)]}")
    assert "2,200" in page.inner_text("body")
    # a unit's cell in the dashboard's table, and a base on the comparison page
    page.goto(live_server.url("/"))
    with page.expect_navigation():
        page.click(f"#units tr[data-key='{c.ids['0100']}'] td:nth-child(2) a")
    assert page.locator("#sources tbody tr").count() == 1
    assert page.locator("#sources [data-col=value]").inner_text() == "1,100"
    page.goto(live_server.url(f"/reports/penalty/compare?from={c.p.key}&metric=decisions_total"))
    with page.expect_navigation():
        page.click("#compare tr.total [data-col=yoy_base] a")
    assert page.locator("#sources-summary [data-col=total]").inner_text() == "3,000"
    assert page.locator("#sources-pair").is_visible()
    # a figure of the statistical report (one quarter, by unit)
    page.goto(live_server.url(f"/reports/penalty/?from={c.p.key}"))
    with page.expect_navigation():
        page.click(f"tr[data-key='{c.ids['2300']}'] td[data-col=decisions_total] a")
    assert "/reports/penalty/sources" in page.url
    assert page.locator("#sources tbody tr").get_attribute("data-filing") == str(c.filings[("2300", c.p.key)])
    assert page.locator("#sources [data-col=value]").inner_text() == "2,200"
    assert not seen["errors"], seen["errors"]


def test_unit_trend_follows_its_successor_by_default(live_server, page, city, tmp_path):
    c = city
    seen = _watch(page, live_server)
    _slow_pages(page)
    login(page, live_server, "leader")
    page.goto(live_server.url(f"/dashboard/?unit={c.ids['0100']}"))
    _drawn(page, "trend-penalty")
    series = """() => { const gd = document.getElementById('chart-trend-penalty');
        return {x: gd.data[0].x, y: gd.data[0].y}; }"""
    merged = page.evaluate(series)
    at = merged["x"].index(c.old.label)
    assert merged["y"][at] == MERGED_FIGURE  # 前进区's quarter inside 东城区's trend
    assert page.locator("#p-successor").input_value() == "1"
    assert "含撤并单位" in page.locator("#coverage").inner_text()
    _shot(page, tmp_path, "unit-successor")
    page.select_option("#p-successor", "0")
    with page.expect_navigation():
        page.click("#period-select button[type=submit]")
    assert "successor=0" in page.url
    _drawn(page, "trend-penalty")
    own = page.evaluate(series)
    assert own["y"][own["x"].index(c.old.label)] is None
    assert own["y"][own["x"].index(c.p.label)] == merged["y"][at + 6] == 1100
    assert not seen["errors"], seen["errors"]
