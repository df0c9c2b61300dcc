"""Issue 6 acceptance 3: the figure builders, tested on their figure data — series, values,
labels, hover texts — without a browser, a request or a database."""

from __future__ import annotations

import json
from collections import OrderedDict
from decimal import Decimal

import pytest

from app.charts import base
from app.charts.assets import plotly_js
from app.charts.base import figure_json, period_ticks
from app.charts.completion import completion
from app.charts.composition import stacked
from app.charts.ranking import ranked_bar, rates_by_unit
from app.charts.staff import staff_composition
from app.charts.trend import trend
from app.filing.periods import Period
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture: both units' figures)


@pytest.fixture(autouse=True)
def _validated(monkeypatch):
    """Pages skip plotly's property validation for speed; here every figure is validated."""
    monkeypatch.setattr(base, "VALIDATE", True)


def test_ranked_bar_sorts_limits_and_links():
    fig = ranked_bar(["东城区", "西城区", "市公安局", "无数据"], [120, 80, 3000, None], "处罚决定数排名", "处罚决定数",
                     limit=2, links=["/d?unit=1", "/d?unit=2", "/d?unit=3", "/d?unit=4"])
    (bar,) = fig.data
    assert bar.type == "bar" and bar.orientation == "h"
    # the largest on top: plotly draws the first category at the bottom
    assert list(bar.y) == ["东城区", "市公安局"] and list(bar.x) == [120, 3000]
    assert [c[1] for c in bar.customdata] == ["/d?unit=1", "/d?unit=3"]
    assert [c[0] for c in bar.customdata] == ["120", "3,000"]
    assert "处罚决定数" in bar.hovertemplate and fig.layout.title.text == "处罚决定数排名"
    assert fig.layout.xaxis.title.text == "处罚决定数"


def test_ranked_bar_money_in_wan_with_exact_yuan_hover():
    fig = ranked_bar(["甲", "乙"], [123456789, 100], "罚没金额", "罚没金额", kind="money")
    bar = fig.data[0]
    assert list(bar.y) == ["乙", "甲"]
    assert list(bar.x) == [0.0, 123.46]  # 万元, two decimals (fen 123456789 = 1,234,567.89 元)
    assert bar.customdata[1][0] == "1,234,567.89 元"
    assert fig.layout.xaxis.title.text == "罚没金额（万元）"


def test_rates_by_unit_shows_rates_with_their_parts():
    fig = rates_by_unit(["东城区", "西城区"], [
        ("纠错率", [Decimal("0.1"), None], [(3, 30), None]),
        ("败诉率", [Decimal("0.25"), Decimal("0")], [(1, 4), (0, 9)]),
    ], "纠错率与败诉率")
    assert [t.name for t in fig.data] == ["纠错率", "败诉率"]
    correction, loss = fig.data
    assert list(correction.y) == ["西城区", "东城区"] and list(correction.x) == [None, 0.1]
    assert list(loss.x) == [0.0, 0.25]
    assert [list(c) for c in correction.customdata] == [["—", "—"], ["10.0%", "3 / 30"]]
    assert fig.layout.barmode == "group" and fig.layout.xaxis.tickformat == ".0%"


def test_trend_lines_with_a_money_axis():
    periods = [Period(2024, "quarter", i) for i in (1, 2, 3)]
    fig = trend([p.label for p in periods], [("处罚决定数", [10, None, 30])], "趋势", "件",
                secondary=[("罚没金额", [1_000_000, 2_500_000, None])], secondary_title="罚没金额",
                ticks=period_ticks(periods))
    decisions, amount = fig.data
    assert decisions.mode == "lines+markers" and list(decisions.y) == [10, None, 30]
    assert list(decisions.x) == ["2024年第1季度", "2024年第2季度", "2024年第3季度"]
    assert list(decisions.customdata) == ["10", "—", "30"]
    assert amount.yaxis == "y2" and list(amount.y) == [1.0, 2.5, None]
    assert amount.customdata[0] == "1.00 万元（10,000.00 元）"
    assert fig.layout.yaxis2.title.text == "罚没金额（万元）"
    assert list(fig.layout.xaxis.ticktext) == ["Q1<br>2024", "Q2", "Q3"]


def test_trend_of_rates():
    fig = trend(["2024年上半年", "2024年下半年"], [("纠错率", [Decimal("0.125"), None])], "纠错率", "比率", kind="rate")
    assert list(fig.data[0].y) == [0.125, None] and list(fig.data[0].customdata) == ["12.5%", "—"]
    assert fig.layout.yaxis.tickformat == ".0%"


def test_stacked_composition_keeps_top_parts_and_merges_the_rest():
    fig = stacked(["2023年", "2024年"], [("警告", [10, 20]), ("罚款", [70, 60]), ("拘留", [1, 2]), ("其他", [None, 3])],
                  "处罚种类构成", "件", top=2)
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["警告", "罚款", "其他（合并）"]
    assert list(fig.data[2].y) == [1, 5]  # 拘留 + 其他, a missing value as 0
    # hover: exact count and the share of the year's total
    assert [list(c) for c in fig.data[1].customdata] == [["70", "86.4%"], ["60", "70.6%"]]


def test_completion_bars_and_rate_line():
    fig = completion(["2024年第1季度", "2024年第2季度"], [50, 40], [5, 10], [5, 0], "报送情况")
    assert [t.name for t in fig.data] == ["按时", "迟报", "未报", "完成率"]
    rate = fig.data[3]
    assert rate.yaxis == "y2" and list(rate.y) == [55 / 60, 1.0]
    assert list(rate.customdata) == ["91.7%", "100.0%"]
    assert fig.layout.barmode == "stack"


def test_completion_without_expected_units_shows_a_gap():
    fig = completion(["2024年度"], [0], [0], [0], "报送情况")
    assert list(fig.data[3].y) == [None] and list(fig.data[3].customdata) == ["—"]


def test_staff_composition_is_any_breakdown_of_counts():
    fig = staff_composition({"本科": 30, "硕士": 12, "": 3, "博士": 0}, "学历构成")
    pie = fig.data[0]
    assert pie.type == "pie" and list(pie.labels) == ["本科", "硕士", "—"] and list(pie.values) == [30, 12, 3]


def test_figure_json_is_safe_inside_a_script_element():
    fig = ranked_bar(["</script><script>alert(1)</script>"], [1], "x & y", "值")
    text = figure_json(fig)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["data"][0]["y"] == ["</script><script>alert(1)</script>"]


def test_chinese_everywhere_and_no_plotly_template():
    fig = ranked_bar(["东城区"], [1], "处罚决定数排名", "处罚决定数")
    data = json.loads(fig.to_json())
    assert len(json.dumps(data["layout"].get("template", {}))) < 100  # not plotly's default theme
    assert "Noto Sans CJK SC" in data["layout"]["font"]["family"]


def test_served_plotly_bundle_names_no_third_party_host():
    data, etag = plotly_js()
    assert data.startswith(b"/**") and b"plotly.js" in data[:200] and len(etag) == 16
    for host in (b"cdn.jsdelivr.net", b"cdn.plot.ly", b"cartocdn.com", b"tile.openstreetmap.org",
                 b"arcgisonline.com", b"gstatic.", b"googleapis.", b"unpkg.", b"cdnjs."):
        assert host not in data, host


def test_dashboard_figures_are_valid_and_labelled(app, figures):  # noqa: F811
    import datetime as dt

    from app.charts.dashboard import city_figures, unit_figures
    from app.reporting.dashboard import build_dashboard
    from app.unit_list import unit_by_code
    from tests.engine_helpers import user

    with app.app_context(), app.test_request_context():
        leader = user("leader")
        data = build_dashboard(dt.date(2025, 3, 1), leader, city=True)
        figs = dict(city_figures(data, lambda uid: f"/dashboard/?unit={uid}"))
        assert {"rank-decisions", "rank-amount", "trend-penalty", "trend-cases", "kinds", "outcomes-reconsideration",
                "outcomes-litigation", "completion", "rates"} <= set(figs)
        ranking = figs["rank-decisions"].data[0]
        assert list(ranking.y) == ["东城区", "市公安局"] and list(ranking.x) == [104, 904]  # 2024Q4
        assert ranking.customdata[1][1] == f"/dashboard/?unit={unit_by_code('2300').id}"
        trend_x = list(figs["trend-penalty"].data[0].x)
        assert trend_x[-1] == "2024年第4季度" and len(trend_x) == 12
        assert figs["trend-penalty"].data[0].y[-1] == 104 + 904
        dongcheng = frozenset({unit_by_code("0100").id})
        own = dict(unit_figures(build_dashboard(dt.date(2025, 3, 1), leader, unit_ids=dongcheng)))
        this, before = own["trend-own"].data
        assert (this.name, before.name) == ("本期", "上年同期")
        assert list(this.y)[-4:] == [101, 102, 103, 104] and list(before.y)[-4:] == [101, 102, 103, 104]
        for fig in (*figs.values(), *own.values()):
            assert fig.layout.title.text and any("\u4e00" <= ch <= "\u9fff" for ch in fig.layout.title.text)


def test_a_chart_is_drawn_once_for_the_same_figure_and_again_when_it_changes(monkeypatch):
    """Drawn PNGs are kept by the figure's whole content (issue 20): the same figure is not drawn
    twice; a figure with one number changed is drawn anew (a kept image is never stale)."""
    import plotly.graph_objects as go

    from app.charts import static

    monkeypatch.setattr(static.CHARTS, "local", OrderedDict())
    drawn = []
    real = static._draw
    monkeypatch.setattr(static, "_draw", lambda fig, h: drawn.append(fig) or real(fig, h))
    fig = go.Figure(go.Bar(x=["东城区", "西城区"], y=[3, 4]), layout={"title": {"text": "处罚决定"}})
    first = static.render_png(fig)
    assert first.startswith(b"\x89PNG") and static.render_png(go.Figure(fig)) == first and len(drawn) == 1
    monkeypatch.setattr(static.CHARTS, "max_local", 1)  # the kept images are bounded, the oldest goes first
    changed = go.Figure(go.Bar(x=["东城区", "西城区"], y=[3, 5]), layout={"title": {"text": "处罚决定"}})
    assert static.render_png(changed) != first and len(drawn) == 2 and len(static.CHARTS.local) == 1
    assert static.render_png(fig) == first and len(drawn) == 3


def test_a_drawn_chart_is_shared_by_every_worker_through_redis(app, monkeypatch):
    """With REDIS_URL, a chart one worker drew is not drawn again by another (a fresh process:
    its own cache empty); the shared key is the content's digest, so a changed figure is drawn
    anew; Redis away, the chart is drawn and the document does not fail."""
    import plotly.graph_objects as go
    import redis

    from app.charts import static

    url = "redis://127.0.0.1:6379/12"
    redis.Redis.from_url(url).flushdb()
    drawn = []
    real = static._draw
    monkeypatch.setattr(static, "_draw", lambda fig, h: drawn.append(fig) or real(fig, h))
    fig = go.Figure(go.Bar(x=["东城区", "西城区"], y=[3, 4]), layout={"title": {"text": "处罚决定"}})
    with app.app_context():
        monkeypatch.setitem(app.config, "REDIS_URL", url)
        monkeypatch.setattr(static.CHARTS, "local", OrderedDict())
        first = static.render_png(fig)
        monkeypatch.setattr(static.CHARTS, "local", OrderedDict())  # another worker
        assert static.render_png(go.Figure(fig)) == first and len(drawn) == 1
        assert len(redis.Redis.from_url(url).keys(static.SHARED_PREFIX + "*")) == 1
        changed = go.Figure(go.Bar(x=["东城区", "西城区"], y=[3, 5]), layout={"title": {"text": "处罚决定"}})
        assert static.render_png(changed) != first and len(drawn) == 2
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
        monkeypatch.setattr(static.CHARTS, "local", OrderedDict())
        assert static.render_png(fig) == first and len(drawn) == 3
    redis.Redis.from_url(url).flushdb()


def test_kept_bytes_are_keyed_by_what_makes_them_too(app, monkeypatch):
    """A new release (another drawing or document code, library or translation: `made_by`) builds
    anew what an older one left in Redis; the same release reuses it in any worker."""
    import redis

    from app.content_cache import ContentCache, made_by

    url = "redis://127.0.0.1:6379/12"
    redis.Redis.from_url(url).flushdb()
    built = []

    def build(text):
        return lambda: built.append(text) or text.encode()

    with app.app_context():
        monkeypatch.setitem(app.config, "REDIS_URL", url)
        release = made_by(__file__, packages=("matplotlib",))
        assert ContentCache("t:", release).get("figure", build("old")) == b"old"
        assert ContentCache("t:", release).get("figure", build("again")) == b"old"  # another worker
        assert ContentCache("t:", release + "-next").get("figure", build("new")) == b"new"
        assert built == ["old", "new"]
        assert made_by(__file__) != made_by(__file__, packages=("matplotlib",))
    redis.Redis.from_url(url).flushdb()


def test_the_process_cache_is_safe_for_threaded_workers():
    """gunicorn's gthread workers share one process cache between requests: lookups and
    evictions in many threads at once never raise (a lookup of a key another thread just
    evicted did: KeyError) and never return another key's bytes."""
    import random
    import sys
    import threading

    from app.content_cache import ContentCache

    cache, errors = ContentCache("t:", "race", max_local=2), []

    def work():
        try:
            for _ in range(5_000):
                k = str(random.randrange(4))
                assert cache.get(k, lambda k=k: k.encode()) == k.encode()
        except Exception as e:  # noqa: BLE001 — collected and asserted below
            errors.append(repr(e))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows at once
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


def test_a_page_embeds_plotlys_own_json_without_building_its_figure(monkeypatch):
    """Pages serialise a figure straight from the builder's dicts (PageFigure): the same JSON
    as plotly's Figure would write, money and Decimal included; plotly's Figure is built only
    when something reads its attributes."""
    import copy

    import plotly.graph_objects as go

    monkeypatch.setattr(base, "VALIDATE", False)  # as on a page
    figs = [
        ranked_bar(["东城区", "西城区"], [Decimal("120"), 80], "处罚决定数排名", "处罚决定数",
                   links=["/d?u=1", "/d?u=2"]),
        ranked_bar(["甲", "乙"], [123456789, 100], "罚没金额", "罚没金额", kind="money"),
        trend(["Q1<br>2024", "Q2"], [("罚没金额", [Decimal("1234.56"), None])], "罚没金额趋势", "万元", kind="money"),
        stacked(["2023年", "2024年"], [("警告", [10, 20]), ("罚款", [70, 60])], "处罚种类构成", "件"),
        completion(["2024年第1季度"], [50], [5], [5], "报送情况"),
        staff_composition({"本科": 30, "硕士": 12}, "学历构成"),
    ]
    for fig in figs:
        assert fig._figure is None  # nothing built yet
        go.Figure(copy.deepcopy(fig._plain))  # validated: the dicts follow plotly's schema
        own = json.loads(go.Figure(copy.deepcopy(fig._plain), _validate=False).to_json())  # pages' JSON before
        text = base.figure_json(fig)
        assert json.loads(text) == own and fig._figure is None
        assert fig.layout.title.text and fig._figure is not None  # reading builds it
        assert base.figure_json(fig) == text  # and changes nothing, not even the keys' order


def test_matplotlib_draws_a_printed_chart_once(monkeypatch):
    """A printed chart is laid out (tight_layout) and drawn once: savefig used to draw the whole
    figure a second time, with drawing switched off, because tight_layout left a layout engine
    (15–20 % of the chart's time); with a legend and without."""
    import matplotlib.figure
    import plotly.graph_objects as go

    from app.charts import static

    static._setup()
    draws = []
    real = matplotlib.figure.Figure.draw
    monkeypatch.setattr(matplotlib.figure.Figure, "draw", lambda self, r: draws.append(1) or real(self, r))
    one = go.Figure(go.Bar(x=["东城区", "西城区"], y=[3, 4]), layout={"title": {"text": "处罚决定"}})
    two = go.Figure([go.Bar(x=["2024", "2025"], y=[3, 4], name="警告"),
                     go.Bar(x=["2024", "2025"], y=[1, 2], name="罚款")])
    for fig in (one, two):
        draws.clear()
        assert static._draw(fig, None).startswith(b"\x89PNG") and len(draws) == 1


def test_a_printed_chart_is_compressed_fast():
    """The PNG's zlib stream is written at level 1 (FLEVEL 0 in its header: fastest), not PIL's
    default 6 (FLEVEL 2): the drawing is redone after every acceptance on deadline day, and PNG
    is lossless whatever the level. The image keeps its printed width (156 mm at 200 dpi)."""
    import io

    import plotly.graph_objects as go
    from PIL import Image

    from app.charts import static

    png = static._draw(go.Figure(go.Bar(x=["东城区", "西城区"], y=[3, 4])), None)
    idat = png.index(b"IDAT") + 4  # the first image chunk's data: the zlib stream begins there
    assert png[idat] & 0x0F == 8 and png[idat + 1] >> 6 == 0  # deflate, the fastest level
    assert Image.open(io.BytesIO(png)).size[0] == round(static.WIDTH_MM / 25.4 * static.DPI)
