"""What the analysis report says beyond the figures: 存在的问题, 原因分析 and 工作建议, found by
rules from the figures of :func:`app.reporting.analysis.build_analysis` and the city trends —
never written by hand, never a second copy of the statistics.

Rules (each a Finding with its problem, cause and advice):

- a rate that should fall rises (纠错率, 败诉率 and the penalty's 被纠错率 / 败诉率): up by
  RISE_PP percentage points or more against the same period last year, or up in each of the last
  three periods of the trend; the units far above the average are named as where it comes from;
- units filing late or not at all, the ones late more than once named;
- rates over a small base (fewer cases than RATE_MIN_BASE): marked, not ranked, read with care;
- figures accepted with an explanation (the filing's 填报说明 for an unusual value), quoted;
- units whose ranked figure swung by half or more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..filing.periods import Period, period_of, periods_between
from ..forms import FORMS
from ..forms.base import format_rate, is_small
from ..models.filing import Filing
from ..models.unit import Unit
from ..scope import restrict
from .aggregate import CITY, StatsQuery, Table, aggregate
from .analysis import Analysis
from .indicators import min_base
from .measures import known

RISE_PP = Decimal("0.01")  # a rate up by one percentage point or more is a rise
TREND_YEARS = 4  # the trend charts and the rising-rate rule look this many years back
# The rates whose rise is a problem: (form, rate).
WATCHED = (("reconsideration", "correction_rate"), ("litigation", "loss_rate"),
           ("penalty", "challenge_correction_rate"), ("penalty", "sued_loss_rate"))
QUOTE_MAX = 80


@dataclass
class Finding:
    kind: str  # rising_rate | late | small_base | explained | swing
    problem: str
    cause: str
    advice: str


@dataclass
class Trends:
    """City totals per native period over the last TREND_YEARS years, per form."""

    tables: dict[str, Table] = field(default_factory=dict)


def trend_range(form_code: str, period: Period) -> tuple[Period, Period]:
    kind = FORMS[form_code].period_kind
    last = period_of(kind, period.end)
    return Period(last.year - TREND_YEARS + 1, kind, 1), last


# What the report draws from the city trends (app.charts.analysis) and what the rules watch
# (WATCHED): only these are summed — the reconsideration form has some 80 fields.
TREND_FIGURES = {
    "penalty": ("decisions_total", "amount_total"),
    "reconsideration": ("new_applications", "concluded", "correction_rate"),
    "litigation": ("new_total", "loss_rate"),
}


def analysis_trends(period: Period, states, unit_ids=None, successor: bool = False, user=None) -> Trends:
    """The trends of the case and penalty forms up to `period` (scope applied by aggregate)."""
    out = Trends()
    for code in ("penalty", "reconsideration", "litigation"):
        first, last = trend_range(code, period)
        q = StatsQuery(code, first, last, split=True, by=CITY, states=tuple(states), successor=successor,
                       unit_ids=unit_ids)
        shown = TREND_FIGURES[code] + tuple(name for form, name in WATCHED if form == code)
        out.tables[code] = aggregate(q.but(names=known(q.spec, shown)), user)
    return out


def _section(a: Analysis, code: str):
    return next((s for s in a.sections if s.spec.code == code and s.applicable and s.filings), None)


def _rising(a: Analysis, trends: Trends) -> list[Finding]:
    out = []
    for code, name in WATCHED:
        s = _section(a, code)
        if s is None or s.spec.rate(name) is None:
            continue
        label = str(s.spec.rate(name).label)
        h = next((h for h in s.headlines if h.name == name), None)
        series = [v for _p, v in trends.tables[code].series(name)] if code in trends.tables else []
        tail = [v for v in series[-4:] if v is not None]
        streak = len(tail) == 4 and all(b > a_ for a_, b in zip(tail, tail[1:], strict=False))
        up = (h is not None and h.yoy_current is not None and h.yoy_base is not None and not is_small(h.current)
              and Decimal(h.yoy_current) - Decimal(h.yoy_base) >= RISE_PP)
        if not (up or streak):
            continue
        form = s.spec.menu_title
        if up:
            problem = _("%(form)s%(label)s上升：%(now)s，比上年同期（%(base)s）上升%(pp)s个百分点。", form=form,
                        label=label, now=format_rate(h.current), base=format_rate(h.yoy_base),
                        pp=f"{(Decimal(h.yoy_current) - Decimal(h.yoy_base)) * 100:.1f}")
        else:
            problem = _("%(form)s%(label)s连续三期上升，最近一期为%(now)s。", form=form, label=label,
                        now=format_rate(tail[-1]))
        high = [o for o in s.rate_outliers if o.text.startswith(label)]
        if high:
            cause = _("%(label)s上升主要集中在少数单位：%(units)s。这些单位的%(label)s明显高于平均水平，"
                      "反映其行政行为在合法性、合理性或程序方面存在较多问题。", label=label,
                      units="；".join(f"{o.label}{o.text}" for o in high[:5]))
        else:
            cause = _("%(label)s上升分布于多数单位，未集中于个别单位，"
                      "反映行政执法规范化水平总体上仍需提高。", label=label)
        advice = _("针对%(form)s%(label)s上升，建议加强执法监督和案卷评查，对%(label)s较高的单位逐案分析被纠错、"
                   "败诉原因，督促整改并在下一报告期跟踪。", form=form, label=label)
        out.append(Finding("rising_rate", problem, cause, advice))
    return out


def _late(a: Analysis) -> list[Finding]:
    counts: Counter[str] = Counter()
    missing, late, expected = 0, 0, 0
    for s in a.sections:
        for p in s.timeliness:
            expected += p.expected
            late += p.late
            missing += p.missing
        for _code, name, times in s.lagging:
            counts[name] += times
    if not counts:
        return []
    problem = _("报送不够及时：应报%(e)d份报表中，迟报%(late)d份、未报%(missing)d份，涉及%(n)d个单位。",
                e=expected, late=late, missing=missing, n=len(counts))
    repeat = [name for name, c in counts.most_common() if c > 1]
    if repeat:
        cause = _("迟报、未报集中在%(units)s等单位（多次迟报或未报），说明这些单位统计报送责任尚未落实到人。",
                  units="、".join(repeat[:8]))
    else:
        cause = _("迟报、未报的单位各只有一次，多属偶发，与报送人员变动、临近截止日期集中报送有关。")
    advice = _("建议严格执行报送时限，将报送及时性纳入法治政府建设年度考核；对%(units)s予以提醒或通报，"
               "明确统计负责人和填表人。", units="、".join((repeat or list(counts))[:8]))
    return [Finding("late", problem, cause, advice)]


def _small_bases(a: Analysis) -> list[Finding]:
    parts = []
    for s in a.sections:
        if not (s.applicable and s.filings and s.comparison and s.spec.rates):
            continue
        for rate in s.spec.rates:
            small = [r for r in s.comparison.table.for_period(s.period) if is_small(r.get(rate.name))]
            if small:
                parts.append(_("%(form)s%(label)s有%(n)d个单位", form=s.spec.menu_title, label=rate.label,
                               n=len(small)))
    if not parts:
        return []
    problem = _("部分比率基数偏小：%(parts)s的计算基数不足%(min)d件，比率以“*”标示、不参与排名。",
                parts="；".join(parts[:6]), min=min_base())
    cause = _("这些单位本期案件数量少，个别案件的结果即可使比率大幅变动，不宜据此比较单位之间的工作水平。")
    advice = _("对基数偏小的单位，建议以多个报告期合并或全市合计观察其比率，避免以单期比率评价。")
    return [Finding("small_base", problem, cause, advice)]


def _explained(a: Analysis, states, unit_ids, user=None) -> list[Finding]:
    """Filings of the period in scope accepted with an explanation of unusual figures."""
    quoted = []
    for s in a.sections:
        if not s.applicable:
            continue
        kind = s.spec.period_kind
        keys = [p.key for p in periods_between(kind, period_of(kind, a.period.start), period_of(kind, a.period.end))]
        q = select(Filing, Unit.short_name).join(Unit, Unit.id == Filing.unit_id).where(
            Filing.form_code == s.spec.code, Filing.period_key.in_(keys), Filing.state.in_(tuple(states)),
            Filing.explanation.is_not(None), Filing.explanation != "")
        if unit_ids is not None:
            q = q.where(Filing.unit_id.in_(unit_ids))
        for f, name in db.session.execute(restrict(q, Filing.unit_id, user).order_by(Unit.code, Filing.period_key)):
            text = f.explanation.strip().replace("\n", " ")
            text = text[:QUOTE_MAX] + ("…" if len(text) > QUOTE_MAX else "")
            quoted.append(_("%(unit)s（%(form)s，%(period)s）：“%(text)s”", unit=name, form=s.spec.menu_title,
                            period=Period.parse(f.period_key).label, text=text))
    if not quoted:
        return []
    problem = _("有%(n)d份报表的数据超出常规范围，经填报单位说明后审核通过。", n=len(quoted))
    cause = _("各单位的说明如下：%(quotes)s。", quotes="；".join(quoted[:8]))
    advice = _("建议对上述说明所涉情况在下一报告期予以复核，确属特殊情况的在年度分析中单独说明，"
               "避免影响全市数据的可比性。")
    return [Finding("explained", problem, cause, advice)]


def _swings(a: Analysis) -> list[Finding]:
    items = [(s, o) for s in a.sections if s.applicable for o in s.swings]
    if not items:
        return []
    problem = _("部分单位数据同比大幅波动：%(items)s。",
                items="；".join(f"{o.label}{s.spec.menu_title}{o.text}" for s, o in items[:8]))
    cause = _("大幅波动可能来自案件数量的实际变化、职能调整或机构变动，也可能来自统计口径理解不一致。")
    advice = _("建议相关单位核实数据并说明变动原因，市法制办在审核时重点关注。")
    return [Finding("swing", problem, cause, advice)]


def findings(a: Analysis, trends: Trends, states, unit_ids=None, user=None) -> list[Finding]:
    """Every rule's findings, most serious first (`user`'s scope; None: the signed-in user's)."""
    return _rising(a, trends) + _late(a) + _explained(a, states, unit_ids, user) + _swings(a) + _small_bases(a)
