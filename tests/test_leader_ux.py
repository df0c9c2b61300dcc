"""Issue 18, leaders: comparisons over a partial period compare the same units by default,
state their coverage and mark incomplete periods; the dashboard defaults to the latest period
even when partial; every figure's sources sum to it; completion counted in SQL follows the
timeliness rule exactly; time series follow successors by default.

Data: tests/leader_ux_helpers.py (a quarter half reviewed)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.filing.deadlines import move_deadline
from app.filing.periods import QUARTER, Period, last_complete, periods_between
from app.models import Filing, FormAssignment
from app.reporting.aggregate import CITY, KIND, UNIT, StatsQuery
from app.reporting.comparison import ALL_UNITS, MATCHED, compare
from app.reporting.completion import completion_counts, completion_series, lagging_units
from app.reporting.dashboard import build_dashboard
from app.reporting.sources import figure_sources
from tests.engine_helpers import user
from tests.leader_ux_helpers import MERGED_FIGURE, partial_city  # noqa: F401  (fixture)


def _q(period, by=CITY, **kw):
    return StatsQuery("penalty", period, by=by, **kw)


def test_matched_comparison_sets_the_same_units_against_each_other(app, partial_city):  # noqa: F811
    c = partial_city
    with app.app_context():
        leader = user("leader")
        cmp = compare(_q(c.p), "decisions_total", leader)
        t = cmp.total
        assert cmp.mode == MATCHED and t.current == 3300  # every unit with accepted figures now
        assert (t.yoy.current, t.yoy_base, t.yoy.units, t.yoy.units_now, t.yoy.units_base) == (3300, 3000, 2, 2, 4)
        assert t.yoy_pct == Decimal("0.1") and t.yoy_change == 300
        assert t.yoy.uneven
        # 环比 against last quarter: the same two units, 3,300 vs 2,700
        assert (t.mom.current, t.mom_base, t.mom.units) == (3300, 2700, 2)
        # the switch: every unit as it is — the misleading −67%
        everyone = compare(_q(c.p), "decisions_total", leader, mode=ALL_UNITS)
        e = everyone.total
        assert (e.current, e.yoy_base, e.yoy.units) == (3300, 10000, 4)
        assert e.yoy_pct == Decimal(3300 - 10000) / Decimal(10000)
        # a rate over the same units: from the summed parts of those units only
        rate = compare(_q(c.p), "challenge_correction_rate", leader)
        assert rate.is_rate and rate.total.yoy.units == 2


def test_matched_comparison_per_unit_and_per_kind(app, partial_city):  # noqa: F811
    c = partial_city
    with app.app_context():
        leader = user("leader")
        by_unit = {r.key: r for r in compare(_q(c.p, by=UNIT), "decisions_total", leader).rows}
        assert by_unit[c.ids["0100"]].yoy_pct == Decimal("0.1")  # 1,100 vs 1,000
        assert by_unit[c.ids["0500"]].current is None and by_unit[c.ids["0500"]].yoy_change is None
        assert c.ids["0200"] in by_unit and by_unit[c.ids["0200"]].current is None  # still under review
        # each unit's pairs: 西城区 has bases but nothing accepted now — matched, nothing is set
        # against its 3,000; as they are, its base stands (and 朝阳区's)
        west, dong = by_unit[c.ids["0200"]], by_unit[c.ids["0100"]]
        assert (west.yoy.units_now, west.yoy.units_base, west.yoy.units_both, west.yoy_base) == (0, 1, 0, None)
        assert (dong.yoy.current, dong.yoy_base, dong.yoy.units_both, dong.mom_base) == (1100, 1000, 1, 900)
        everyone = {r.key: r for r in compare(_q(c.p, by=UNIT), "decisions_total", leader, mode=ALL_UNITS).rows}
        assert everyone[c.ids["0200"]].yoy_base == 3000 and everyone[c.ids["0500"]].yoy_base == 4000
        kinds = {r.key: r for r in compare(_q(c.p, by=KIND), "decisions_total", leader).rows}
        # districts: 东城区 only on both sides (西城区 waiting, 朝阳区 not filed) — 1,100 vs 1,000
        d = kinds["district"]
        assert (d.current, d.yoy.current, d.yoy_base, d.yoy.units, d.yoy.units_base) == (1100, 1100, 1000, 1, 3)
        all_kinds = {r.key: r for r in compare(_q(c.p, by=KIND), "decisions_total", leader, mode=ALL_UNITS).rows}
        assert all_kinds["district"].yoy_base == 1000 + 3000 + 4000


def test_comparison_states_the_coverage_of_each_period(app, partial_city):  # noqa: F811
    c = partial_city
    with app.app_context():
        cmp = compare(_q(c.p), "decisions_total", user("leader"))
        expected = completion_series("penalty", [c.p], None)[0].expected
        now, base = cmp.covered(c.p), cmp.covered(c.y)
        assert (now.accepted, now.expected, now.complete) == (2, expected, False)
        assert base.accepted == 4 and not base.complete  # the other units never filed in the test city
        assert c.p in cmp.incomplete
        assert now.text == f"2/{expected} 单位已通过"
        # one unit asked for: coverage of that unit alone (with the unit it took over)
        one = compare(_q(c.p, unit_ids=frozenset({c.ids["0100"]}), successor=True), "decisions_total", user("leader"))
        assert (one.covered(c.p).accepted, one.covered(c.p).expected) == (1, 1)
        assert one.covered(c.p).complete and c.p not in one.incomplete


def test_completion_counted_in_sql_follows_the_timeliness_rule(app, partial_city):  # noqa: F811
    c = partial_city
    with app.app_context():
        # signed-off times around the deadline, an administrator's exclusion, a closed unit
        filings = {f.id: f for f in db.session.scalars(select(Filing))}
        for n, fid in enumerate(sorted(filings)):
            f = filings[fid]
            late = dt.timedelta(days=10 + 10 * (n % 3))
            f.first_reported_at = dt.datetime.combine(Period.parse(f.period_key).end, dt.time(15, 59)) + late
        db.session.add(FormAssignment(form_code="penalty", unit_id=c.ids["0500"], valid_from=c.m.start,
                                      required=False))
        db.session.commit()
        periods = periods_between(QUARTER, c.old.previous(), c.p)
        for ids in (None, {c.ids["0100"], c.ids["0500"], c.ids["T901"]}):
            sql = completion_counts("penalty", periods, ids)
            python = completion_series("penalty", periods, ids)
            assert [(p.period, p.on_time, p.late, p.missing) for p in sql] == \
                   [(p.period, p.on_time, p.late, p.missing) for p in python]
            # the analysis names the units late or missing in some period: the same units
            behind = Counter((r.unit.code, r.unit.short_name) for p in python for r in p.rows if r.status != "on_time")
            assert behind and lagging_units("penalty", periods, ids) == [(*k, n) for k, n in sorted(behind.items())]
        by_period = {p.period: p for p in completion_counts("penalty", periods, None)}
        assert by_period[c.p].accepted == 2 and by_period[c.y].accepted == 4
        assert any(p.on_time for p in by_period.values()) and any(p.late for p in by_period.values())
        # the deadline moved and the exclusion lifted: the next count follows at once (the
        # statements are kept by what they are made of, read anew on every call)
        assert by_period[c.p].late
        move_deadline("penalty", c.p, c.p.end + dt.timedelta(days=90), "系统故障顺延", user("admin"))
        db.session.add(FormAssignment(form_code="penalty", unit_id=c.ids["0500"], valid_from=c.p.start,
                                      required=True))
        db.session.commit()
        after = completion_counts("penalty", periods, None)
        assert [(p.period, p.on_time, p.late, p.missing) for p in after] == \
               [(p.period, p.on_time, p.late, p.missing) for p in completion_series("penalty", periods, None)]
        moved = {p.period: p for p in after}[c.p]
        assert moved.late == 0 and moved.on_time == by_period[c.p].on_time + by_period[c.p].late
        assert moved.expected > by_period[c.p].expected  # 0500 expected again


def test_dashboard_defaults_to_the_latest_period_even_when_partial(app, partial_city):  # noqa: F811
    c = partial_city
    with app.test_request_context():
        data = build_dashboard(today(), user("leader"), city=True, scope="全市")
        assert data.penalty_period == c.p and data.partial("penalty")
        assert data.coverage_text("penalty").startswith("2/")
        kpi = next(k for k in data.kpis if k.key == "decisions")
        assert (kpi.value, kpi.now, kpi.base, kpi.yoy_text, kpi.partial) == (3300, 3300, 3000, "+10.0%", True)
        assert "部分数据" in data.mark("penalty")
        everyone = build_dashboard(today(), user("leader"), city=True, mode=ALL_UNITS)
        assert next(k for k in everyone.kpis if k.key == "decisions").yoy_text == "-67.0%"
        # another period asked for: last quarter, complete for its units
        earlier = build_dashboard(today(), user("leader"), city=True, periods={"penalty": c.m.key})
        assert earlier.penalty_period == c.m
        assert next(k for k in earlier.kpis if k.key == "decisions").value == 5400
        # a period the selector does not offer falls back to the default
        assert build_dashboard(today(), user("leader"), city=True,
                               periods={"penalty": "1999Q1"}).penalty_period == c.p
        # the units table: figures of the chosen period per unit
        assert {u.key: u.decisions for u in data.units} == {c.ids["0100"]: 1100, c.ids["2300"]: 2200}


def test_dashboard_time_series_follow_successors_by_default(app, partial_city):  # noqa: F811
    c = partial_city
    with app.test_request_context():
        dongcheng = frozenset({c.ids["0100"]})
        series = dict(build_dashboard(today(), user("leader"), unit_ids=dongcheng).penalty_trend.series(
            "decisions_total"))
        own = dict(build_dashboard(today(), user("leader"), unit_ids=dongcheng, successor=False)
                   .penalty_trend.series("decisions_total"))
        assert series[c.old] == MERGED_FIGURE and own[c.old] is None
        assert series[c.p] == own[c.p] == 1100


def test_sources_sum_to_the_figure(app, partial_city):  # noqa: F811
    c = partial_city
    with app.app_context():
        leader = user("leader")
        src = figure_sources("penalty", c.p, "decisions_total", user=leader)
        assert src.total == 3300 and src.units == 2
        assert {r.filing_id for r in src.rows} == {c.filings[("0100", c.p.key)], c.filings[("2300", c.p.key)]}
        # the base of the matched 同比: only the units with figures in both periods
        base = figure_sources("penalty", c.y, "decisions_total", pair=c.p, user=leader)
        assert base.total == 3000 and sorted(r.value for r in base.rows) == [1000, 2000]
        # a unit with the units it took over
        merged = figure_sources("penalty", c.old, "decisions_total", {c.ids["0100"]}, successor=True, user=leader)
        assert merged.total == MERGED_FIGURE and [r.unit_id for r in merged.rows] == [c.ids["T901"]]
        # a year of quarters: the year's figure and its four filings per unit
        year = figure_sources("penalty", last_complete("year", today()), "decisions_total", user=leader)
        assert year.total == sum(r.value for r in year.rows)


def _numbers(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_pages_link_every_figure_to_its_sources(app, client_for, partial_city):  # noqa: F811
    c = partial_city
    leader = client_for("leader")
    html = leader.get("/dashboard/").get_data(as_text=True)
    assert "2/" in html and "单位已通过" in html and "部分数据" in html
    assert f'value="{c.p.key}" selected' in html
    links = set(re.findall(r'href="(/reports/penalty/sources\?[^"]+)"', html))
    assert any("metric=decisions_total" in u and f"period={c.p.key}" in u and "unit=" not in u for u in links)
    unit_link = next(u for u in links if f"unit={c.ids['2300']}" in u and "decisions_total" in u)
    page = leader.get(unit_link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'data-filing="{c.filings[("2300", c.p.key)]}"' in page and "2,200" in page
    # the comparison page: coverage, the basis, and each unit's figure linked
    cmp = leader.get(f"/reports/penalty/compare?from={c.p.key}&metric=decisions_total").get_data(as_text=True)
    assert "部分数据" in cmp and "同比2个单位" in cmp and "+10.0%" in cmp
    assert f"/reports/penalty/sources?period={c.p.key}&amp;metric=decisions_total&amp;unit={c.ids['0100']}" in cmp
    everyone = leader.get(f"/reports/penalty/compare?from={c.p.key}&metric=decisions_total&compare=all")
    assert "-67.0%" in everyone.get_data(as_text=True)
    # the download says how it compared
    xlsx = leader.get(f"/reports/penalty/compare.xlsx?from={c.p.key}&metric=decisions_total")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("sheet")


def test_sources_keep_to_the_scope(app, client_for, partial_city):  # noqa: F811
    c = partial_city
    filler = client_for("dongcheng_filler")
    html = filler.get(f"/reports/penalty/sources?period={c.p.key}&metric=decisions_total"
                      f"&unit={c.ids['2300']}").get_data(as_text=True)
    assert f'data-filing="{c.filings[("2300", c.p.key)]}"' not in html and "data-filing=" not in html
    own = filler.get(f"/reports/penalty/sources?period={c.p.key}&metric=decisions_total").get_data(as_text=True)
    assert re.findall(r'data-unit="(\d+)"', own) == [str(c.ids["0100"])]
    # nonsense parameters: the default figure, never a 500
    assert filler.get("/reports/penalty/sources?period=x&metric=nope&unit=abc").status_code == 200
    assert filler.get("/reports/nothing/sources?period=2024Q1").status_code == 404


def test_a_comparison_of_chosen_units_links_its_total_to_those_units(app, client_for, partial_city):  # noqa: F811
    """Chosen units (as a unit's dashboard links them, with successors): the total's sources link
    carries every chosen unit, and the page opens (the crawl found a 500 here once)."""
    c = partial_city
    leader = client_for("leader")
    units = f"unit={c.ids['0100']}&unit={c.ids['2300']}"
    page = leader.get(f"/reports/penalty/compare?from={c.p.key}&metric=decisions_total&compare=matched&{units}"
                      "&successor=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    total = re.findall(r'<tr[^>]*class="[^"]*total[^"]*"[^>]*>.*?</tr>', html, re.S)
    assert total, "no total row"
    assert f"unit={c.ids['0100']}&amp;unit={c.ids['2300']}" in total[0] and "successor=1" in total[0]


def test_report_figures_link_to_their_sources(app, client_for, partial_city):  # noqa: F811
    """The statistical report (one period, by unit): each figure links to its sources, which add up
    to it; the total links to every unit's filings."""
    c = partial_city
    leader = client_for("leader")
    html = leader.get(f"/reports/penalty/?from={c.p.key}").get_data(as_text=True)
    cell = re.search(rf'<tr data-key="{c.ids["2300"]}">.*?<td data-col="decisions_total"><a href="([^"]+)">([^<]+)</a>',
                     html, re.S)
    assert cell, "the unit's figure is not linked"
    href, shown = cell.group(1).replace("&amp;", "&"), cell.group(2)
    assert f"unit={c.ids['2300']}" in href and f"period={c.p.key}" in href and "metric=decisions_total" in href
    page = leader.get(href).get_data(as_text=True)
    assert f'data-filing="{c.filings[("2300", c.p.key)]}"' in page and shown in page
    total = re.search(r'<tfoot>.*?<td data-col="decisions_total"><a href="([^"]+)">', html, re.S)
    assert total and "unit=" not in total.group(1)
    # a range report is not linked (the sources page answers for one period)
    ranged = leader.get(f"/reports/penalty/?from={c.y.key}&to={c.p.key}").get_data(as_text=True)
    assert 'data-col="decisions_total"><a ' not in ranged


def test_a_report_by_kind_links_each_kinds_figure_to_that_kinds_sources(app, client_for, partial_city):  # noqa: F811
    """The report grouped by kind of unit: a kind's figure links to the sources of that kind (the
    addresses are kept per kind, app.views.reports._report_links), which add up to the figure; the
    total links with the report's own kind choice."""
    c = partial_city
    leader = client_for("leader")
    html = leader.get(f"/reports/penalty/?from={c.p.key}&by=kind").get_data(as_text=True)
    cells = re.findall(r'<tr data-key="(\w+)">.*?<td data-col="decisions_total"><a href="([^"]+)">([^<]+)</a>',
                       html, re.S)
    assert len(cells) >= 2, "kinds' figures are not linked"
    for kind, href, shown in cells:
        href = href.replace("&amp;", "&")
        assert f"kind={kind}" in href and f"period={c.p.key}" in href, (kind, href)
        assert shown in leader.get(href).get_data(as_text=True)  # the sources show the figure they add up to
    chosen = leader.get(f"/reports/penalty/?from={c.p.key}&by=kind&kind=district").get_data(as_text=True)
    total = re.search(r'<tfoot>.*?<td data-col="decisions_total"><a href="([^"]+)">', chosen, re.S)
    assert total and "kind=district" in total.group(1)
