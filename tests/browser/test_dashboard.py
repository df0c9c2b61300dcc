"""Issue 6 acceptance 4: the leaders' dashboard in a real browser — plotly.js from the portal,
every chart drawn as SVG, no script errors, nothing fetched from elsewhere, drill-down to a
unit; and a unit's own dashboard showing only that unit.

Uses the live-server, browser and page fixtures of tests/browser/conftest.py.
"""

from __future__ import annotations

from tests.browser.test_browser import login
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture: both units' figures)


def _watch(page, server):
    seen = {"requests": [], "errors": [], "failed": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("response", lambda r: seen["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return seen


def _charts_drawn(page) -> int:
    """How many chart panels hold a drawn plot: plotly's SVG with at least one trace in it."""
    page.wait_for_selector(".portal-chart svg.main-svg", state="attached")
    page.wait_for_load_state("networkidle")
    return page.evaluate("""() => Array.from(document.querySelectorAll('.portal-chart'))
        .filter(el => el.querySelector('svg.main-svg g.trace'))
        .length""")


def _slow_pages(page) -> None:
    """plotly.js is 4.8 MB: its first parse on a busy 2-core machine can take seconds."""
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(60_000)


def test_leader_dashboard_renders_plot_svgs(live_server, page, figures):  # noqa: F811
    seen = _watch(page, live_server)
    _slow_pages(page)
    login(page, live_server, "leader")
    assert page.url == live_server.url("/")  # the dashboard is the leader's home page
    assert page.locator("h2").first.inner_text().startswith("数据看板")
    panels = page.locator(".portal-chart").count()
    assert panels >= 7
    assert _charts_drawn(page) == panels, "a chart did not render"
    # the plot itself: bars of the ranking, with Chinese labels on the axis
    ranking = page.locator("#chart-rank-decisions")
    assert ranking.locator("g.trace.bars path").count() >= 2
    assert "东城区" in ranking.inner_text() and "市公安局" in ranking.inner_text()
    assert page.locator("[data-kpi=decisions] .value").inner_text().strip() not in ("", "—")
    assert not seen["errors"], seen["errors"]
    assert not [u for u in seen["requests"] if not live_server.is_own(u)], "requests left the portal"
    assert not [f for f in seen["failed"] if not f.endswith("/favicon.ico")], seen["failed"]
    assert any(u.split("?")[0].endswith("/charts/plotly.min.js") for u in seen["requests"])

    # drill down: the unit table links to one unit's dashboard, which draws its own history
    with page.expect_navigation():
        page.click("#units a:has-text('东城区')")
    assert "unit=" in page.url and "东城区人民政府法制办公室" in page.locator("h2").first.inner_text()
    assert _charts_drawn(page) == page.locator(".portal-chart").count()
    assert page.locator("#chart-trend-own g.scatterlayer path.js-line").count() >= 1
    assert not seen["errors"], seen["errors"]


def test_unit_dashboard_shows_only_its_own_unit(live_server, page, figures):  # noqa: F811
    seen = _watch(page, live_server)
    _slow_pages(page)
    login(page, live_server, "dongcheng_filler")
    page.click("#own-dashboard a[href='/dashboard/']")
    page.wait_for_url(live_server.url("/dashboard/"))
    assert _charts_drawn(page) == page.locator(".portal-chart").count() >= 5
    body = page.inner_text("body")
    assert "东城区" in body and "公安" not in body
    assert not seen["errors"], seen["errors"]
