"""Issue 15 item 6: one definition per indicator, shown to users — the 指标说明 page lists every
rate per form version, every report links to it, one name never means two things, and a
trend across a form version change states each side's definition on the chart."""

from __future__ import annotations

import json
import re

from app.extensions import db
from app.forms import VERSIONS
from app.reporting.indicators import definitions, label_clashes
from tests.engine_helpers import drive
from tests.helpers import penalty_values, reconsideration_values

REC = "reconsideration"


def test_one_name_one_meaning():
    assert label_clashes() == []
    labels = {(d.spec.code, d.rate.name): d.rate.label for d in definitions()}
    # the clash of issue 15: the penalty form's rate over decisions challenged is named apart
    # from the reconsideration form's rate over cases concluded
    assert labels[("penalty", "challenge_correction_rate")] == "处罚决定被复议纠错率"
    assert labels[("reconsideration", "correction_rate")] == "直接纠错率"
    assert "纠错率" not in {label for (code, _n), label in labels.items() if code == "penalty"}


def test_indicators_page_lists_every_rate_per_version(client_for):
    html = client_for("leader").get("/reports/indicators").get_data(as_text=True)
    for d in definitions():
        row = re.search(rf'<tr data-form="{d.spec.code}" data-version="{d.spec.version}" '
                        rf'data-rate="{d.rate.name}">(.*?)</tr>', html, re.S)
        assert row, (d.spec.code, d.spec.version, d.rate.name)
        for name in (*d.rate.numerator, *d.rate.denominator):
            assert d.spec.field(name).quoted in row.group(1)
    old = re.search(r'data-version="2015" data-rate="correction_rate">(.*?)</tr>', html, re.S).group(1)
    new = re.search(r'data-version="2024" data-rate="correction_rate">(.*?)</tr>', html, re.S).group(1)
    assert "「确认无效」" not in old and "2023年下半年及以前" in old
    assert "「确认无效」" in new and "2024年上半年起" in new
    for needed in ("综合化解率", "调解和解率", "复议后被诉率", "败诉率", "负责人出庭率", "按时报送率"):
        assert needed in html, needed


def test_every_report_links_to_the_indicators(client_for):
    c = client_for("leader")
    for path in ("/reports/", "/reports/penalty/", f"/reports/{REC}/?from=2024H1", "/reports/penalty/compare",
                 "/reports/analysis", "/dashboard/", f"/reports/{REC}/trend"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        assert 'href="/reports/indicators"' in resp.get_data(as_text=True), path


def _chart(html: str, key: str) -> dict:
    m = re.search(rf'<script type="application/json" id="chart-{key}-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_twenty_year_trend_crosses_the_change_each_side_by_its_own_definition(app, client_for):
    with app.app_context():
        drive(REC, "0100", "2023H2", reconsideration_values(version="2015"), "accepted")
        new = reconsideration_values(carried=20)
        new.update(o_upheld=str(int(new["o_upheld"]) - 3), o_void="3")
        drive(REC, "0100", "2024H1", new, "accepted")
        db.session.commit()
    html = client_for("leader").get(f"/reports/{REC}/trend?metric=correction_rate&from=2006H1&to=2025H2") \
        .get_data(as_text=True)
    fig = _chart(html, "trend")
    line = fig["data"][0]
    assert len(line["x"]) == 40  # twenty years of half-years
    points = dict(zip(line["x"], line["y"], strict=True))
    assert abs(points["2023年下半年"] - 4 / 30) < 1e-9  # without 确认无效
    assert abs(points["2024年上半年"] - 7 / 30) < 1e-9  # with the 3 declared void
    assert points["2010年上半年"] is None  # no filings: a gap, never 0
    note = fig["layout"]["annotations"][0]["text"]  # stated on the chart itself
    assert "2023年下半年及以前（2015版）" in note and "2024年上半年起（2024版）" in note
    assert "「确认无效」" in note.split("2024年上半年起")[1] and "「确认无效」" not in note.split("2024年上半年起")[0]
    assert 'id="definition-notes"' in html
    # a rate whose definition did not change carries no note
    same = client_for("leader").get(f"/reports/{REC}/trend?metric=mediation_rate&from=2006H1&to=2025H2")
    assert "annotations" not in _chart(same.get_data(as_text=True), "trend")["layout"]


def test_trend_shows_only_the_users_scope(app, client_for):
    with app.app_context():
        drive("penalty", "2300", "2024Q1", penalty_values(total=777), "accepted")
        drive("penalty", "0100", "2024Q1", penalty_values(total=100), "accepted")
        db.session.commit()
    own = client_for("dongcheng_filler").get("/reports/penalty/trend?metric=decisions_total&from=2024Q1&to=2024Q1")
    city = client_for("leader").get("/reports/penalty/trend?metric=decisions_total&from=2024Q1&to=2024Q1")
    assert _chart(own.get_data(as_text=True), "trend")["data"][0]["y"] == [100]
    assert _chart(city.get_data(as_text=True), "trend")["data"][0]["y"] == [877]


def test_bad_trend_parameters_fall_back_with_a_message(client_for):
    c = client_for("leader")
    for q in ("?from=2024Q1", "?from=nonsense", "?metric=%3Cscript%3E", "?from=2026H1&to=2020H1"):
        resp = c.get(f"/reports/{REC}/trend{q}")
        assert resp.status_code == 200 and "<script>" not in resp.get_data(as_text=True).split("</h2>")[0]
    assert VERSIONS[REC][0].version == "2015"
