"""分析报告: for one period and scope, the key figures of every form with 同比/环比, the top
units, notable outliers and filing timeliness — as data and as generated Chinese text.

Per form: one aggregation by unit over the 同比 base .. the period (split by period; the
city's figures are the sums of the units'), and the timeliness of each native period inside
the chosen one. Forms filed less often than the chosen period (a half-yearly form for a
quarter) are listed as not applicable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..filing.periods import Period, period_of, periods_between
from ..filing.workflow import ACCEPTED
from ..forms import FORMS
from ..forms.base import FormSpec, Rate, format_rate
from ..money import format_wan
from .aggregate import UNIT, StatsQuery, Table
from .compare import format_pct, pct_change
from .comparison import Compared, Comparison, compare_many, sorted_by_rank
from .completion import CompletionPoint, completion_counts, lagging_units
from .indicators import min_base
from .measures import RATE, derived, kind_of, label_of, measures
from .rollup import COARSENESS

# (figure, unit of count) shown for each form; the first is the one units are ranked by.
HEADLINES: dict[str, list[tuple[str, object]]] = {
    "penalty": [("decisions_total", _l("件")), ("amount_total", ""), ("k_fine", _l("件")), ("hearings_held", _l("件")),
                ("challenge_correction_rate", ""), ("sued_loss_rate", "")],
    "reconsideration": [("new_applications", _l("件")), ("accepted", _l("件")), ("concluded", _l("件")),
                        ("correction_rate", ""), ("mediation_rate", "")],
    "litigation": [("new_total", _l("件")), ("concluded", _l("件")), ("loss_rate", ""), ("head_attendance_rate", "")],
    "institution": [("headcount", _l("人")), ("authorised_posts", _l("人")), ("reconsideration_staff", _l("人")),
                    ("staffing_rate", "")],
}
TOP_N, SWING_PCT, SWING_MIN_BASE = 5, Decimal("0.5"), 20


@dataclass
class Headline:
    name: str
    label: str
    kind: str
    suffix: str
    current: object
    yoy_base: object
    mom_base: object
    # The values set against the bases: the units with figures in both periods (comparison.MATCHED)
    yoy_now: object = None
    mom_now: object = None

    @property
    def yoy_current(self):
        return self.current if self.yoy_now is None else self.yoy_now

    @property
    def mom_current(self):
        return self.current if self.mom_now is None else self.mom_now


@dataclass
class Outlier:
    label: str
    text: str


@dataclass
class FormSection:
    spec: FormSpec
    period: Period
    applicable: bool
    filings: int = 0
    units: int = 0
    headlines: list[Headline] = field(default_factory=list)
    top: list[Compared] = field(default_factory=list)
    top_metric: str = ""
    swings: list[Outlier] = field(default_factory=list)
    rate_outliers: list[Outlier] = field(default_factory=list)
    timeliness: list[CompletionPoint] = field(default_factory=list)
    lagging: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, periods) late or missing
    paragraphs: list[str] = field(default_factory=list)
    comparison: Comparison | None = None


@dataclass
class Analysis:
    period: Period
    scope: str
    basis: str
    sections: list[FormSection]
    summary: list[str]
    generated_at: dt.datetime


def headline_names(spec: FormSpec) -> list[tuple[str, str]]:
    """The form's headline figures; a form without an entry gets its first three sums and rates."""
    if spec.code in HEADLINES:
        known = {m.name for m in measures(spec)} | set(derived(spec))
        return [(n, s) for n, s in HEADLINES[spec.code] if n in known]
    return [(m.name, "") for m in measures(spec)[:3]] + [(r.name, "") for r in spec.rates]


def show(kind: str, value, suffix: str = "") -> str:
    """A figure in running text: 1,234件 / 56.78万元 / 12.3%."""
    if value is None:
        return "—"
    if kind == RATE:
        return format_rate(value)
    if kind == "money":
        return _("%(wan)s万元", wan=format_wan(value))
    return f"{value:,}{suffix}"


def change_phrase(kind: str, current, base, which: str) -> str:
    """'同比增长12.5%' / '同比下降3.0%' / '与上年同期持平' / rates in 个百分点; '' without a base."""
    if current is None or base is None:
        return ""
    if kind == RATE:
        pp = (Decimal(current) - Decimal(base)) * 100
        if abs(pp) < Decimal("0.05"):
            return _("%(which)s持平", which=which)
        word = _("上升") if pp > 0 else _("下降")
        return _("%(which)s%(word)s%(pp)s个百分点", which=which, word=word, pp=f"{abs(pp):.1f}")
    pct = pct_change(current, base)
    if pct is None:
        return ""
    if pct == 0:
        return _("%(which)s持平", which=which)
    word = _("增长") if pct > 0 else _("下降")
    return _("%(which)s%(word)s%(pct)s", which=which, word=word, pct=format_pct(abs(pct), signed=False))


def _headline_sentence(h: Headline, yoy_label: str, mom_label: str | None) -> str:
    text = f"{h.label}{show(h.kind, h.current, h.suffix)}"
    parts = [change_phrase(h.kind, h.yoy_current, h.yoy_base, _("同比"))]
    if mom_label:
        parts.append(change_phrase(h.kind, h.mom_current, h.mom_base, _("环比")))
    parts = [p for p in parts if p]
    if parts:
        text += "，" + "，".join(parts)
    return text


def _rate_outliers(spec: FormSpec, table: Table, period: Period) -> list[Outlier]:
    """Units whose rate is at least twice the overall rate (and 10 points above it), on a
    denominator of at least RATE_MIN_BASE."""
    found = []
    total = table.total(period)
    smallest = min_base()
    for rate in spec.rates:
        overall = total.get(rate.name)
        if overall is None:
            continue
        for r in table.for_period(period):
            value = r.get(rate.name)
            if value is None or value < overall * 2 or value - overall < Decimal("0.10"):
                continue
            base = _den(rate, r)
            if base >= smallest:
                found.append((rate, r, value, base, overall))
                if len(found) == TOP_N * 2:  # the text names no more: the rest are not worded
                    break
        if len(found) == TOP_N * 2:
            break
    return [Outlier(r.label, _("%(label)s%(value)s（%(num)s/%(den)s），高于平均水平%(avg)s",
                               label=rate.label, value=format_rate(value), num=f"{_num(rate, r):,}",
                               den=f"{base:,}", avg=format_rate(overall)))
            for rate, r, value, base, overall in found]


def _num(rate: Rate, row) -> int:
    return sum(row.get(n) or 0 for n in rate.numerator)


def _den(rate: Rate, row) -> int:
    return sum(row.get(n) or 0 for n in rate.denominator)


def _swings(cmp: Comparison, spec: FormSpec, suffix: str) -> list[Outlier]:
    """Units whose ranked figure changed by half or more against a base of some size."""
    found = [r for r in cmp.rows if r.yoy_pct is not None and abs(r.yoy_pct) >= SWING_PCT
             and r.yoy_base is not None and r.yoy_base >= SWING_MIN_BASE]
    found.sort(key=lambda r: abs(r.yoy_pct), reverse=True)
    label = label_of(spec, cmp.metric)
    return [Outlier(r.label, _("%(label)s同比%(pct)s（%(base)s→%(now)s）", label=label, pct=format_pct(r.yoy_pct),
                               base=show(cmp.kind, r.yoy_base, suffix), now=show(cmp.kind, r.current, suffix)))
            for r in found[:TOP_N]]


def form_section(spec: FormSpec, period: Period, scope: str, states, unit_ids, successor: bool,
                 visible: set[int] | None, user=None) -> FormSection:
    section = FormSection(spec, period, COARSENESS[spec.period_kind] <= COARSENESS[period.kind])
    if not section.applicable:
        return section
    names = headline_names(spec)
    top_metric, top_suffix = names[0] if names else (measures(spec)[0].name, "")
    q = StatsQuery(spec.code, period, by=UNIT, states=states, successor=successor, unit_ids=unit_ids,
                   names=frozenset(r.name for r in spec.rates))
    wanted = list(dict.fromkeys([top_metric] + [n for n, _s in names]))
    cmps = compare_many(q, wanted, user, visible=visible, ranked={top_metric})
    cmp = cmps[top_metric]
    table = cmp.table
    section.comparison, section.top_metric = cmp, top_metric
    section.filings = table.total(period).filings
    section.units = len(table.for_period(period))

    def headline(n, s):
        t = cmps[n].total
        return Headline(n, label_of(spec, n), kind_of(spec, n), s, t.current, t.yoy_base, t.mom_base,
                        t.yoy.current if t.yoy else None, t.mom.current if t.mom else None)

    section.headlines = [headline(n, s) for n, s in names]
    ranked = [r for r in sorted_by_rank(cmp.rows) if r.current]
    section.top = ranked[:TOP_N] if section.units > 1 else []
    section.swings = _swings(cmp, spec, top_suffix) if section.units > 1 else []
    section.rate_outliers = _rate_outliers(spec, table, period) if section.units > 1 else []
    ids = set(unit_ids) if unit_ids is not None else visible
    native = periods_between(spec.period_kind, period_of(spec.period_kind, period.start),
                             period_of(spec.period_kind, period.end))
    if q.unit_ids is None and all(n in cmp.points for n in native):  # the comparison's coverage counted them
        section.timeliness = [cmp.points[n] for n in native]
    else:
        section.timeliness = completion_counts(spec.code, native, ids)
    section.lagging = lagging_units(spec.code, native, ids)
    section.paragraphs = _paragraphs(section, scope, top_suffix)
    return section


def _paragraphs(s: FormSection, scope: str, suffix: str) -> list[str]:
    cmp = s.comparison
    title = s.spec.menu_title or s.spec.title
    if not s.filings:
        return [_("%(period)s，%(scope)s暂无已审核的%(form)s统计数据。",
                  period=s.period.label, scope=scope, form=title)]
    lines = [_("%(period)s，%(scope)s共%(units)d个单位报送%(form)s统计数据（%(n)d份报表）。",
               period=s.period.label, scope=scope, units=s.units, form=title, n=s.filings)]
    expected = sum(p.expected for p in s.timeliness)
    if expected and s.filings < expected:
        lines[0] += _("另有%(n)d份应报报表尚未纳入统计（未报、未审核或被退回）。", n=expected - s.filings)
        if (expected - s.filings) * 20 > expected:  # more than 5% missing
            lines[0] += _("同比、环比仅供参考。")
    mom_label = cmp.mom_period.label if cmp.mom_period else None
    sentences = [_headline_sentence(h, cmp.yoy_period.label, mom_label) for h in s.headlines if h.current is not None]
    if sentences:
        lines.append("；".join(sentences) + "。")
    if s.top:
        label = label_of(s.spec, s.top_metric)
        parts = [_("%(unit)s（%(value)s，占%(share)s）", unit=r.label, value=show(cmp.kind, r.current, suffix),
                   share=format_pct(r.share, signed=False)) for r in s.top]
        lines.append(_("%(label)s居前%(n)d位的单位：", label=label, n=len(s.top)) + "、".join(parts) + "。")
    if s.swings:
        lines.append(_("同比变化幅度较大的单位：") + "；".join(f"{o.label}{o.text}" for o in s.swings)
                     + _("，建议关注原因。"))
    if s.rate_outliers:
        lines.append(_("比率明显偏高的单位：") + "；".join(f"{o.label}{o.text}" for o in s.rate_outliers) + "。")
    lines.append(_timeliness_sentence(s.timeliness, s.lagging))
    return lines


def _timeliness_sentence(points: list[CompletionPoint], lagging_units: list[tuple[str, str, int]]) -> str:
    expected = sum(p.expected for p in points)
    if not expected:
        return _("报送方面：本期没有应报的报表。")
    on_time, late, missing = (sum(getattr(p, k) for p in points) for k in ("on_time", "late", "missing"))
    text = _("报送方面：应报%(e)d份，按时%(a)d份，迟报%(b)d份，未报%(c)d份，完成率%(rate)s。",
             e=expected, a=on_time, b=late, c=missing, rate=format_rate(Decimal(on_time + late) / expected))
    lagging = [name for _code, name, _n in lagging_units]
    if lagging:
        shown = "、".join(lagging[:10]) + (_("等%(n)d个单位", n=len(lagging)) if len(lagging) > 10 else "")
        text += _("迟报或未报的单位：%(units)s。", units=shown)
    return text


def build_analysis(period: Period, scope: str, visible: set[int] | None, states=(ACCEPTED,),
                   unit_ids: frozenset[int] | None = None, successor: bool = False, user=None,
                   basis: str = "") -> Analysis:
    from ..clock import utcnow

    sections = [form_section(spec, period, scope, states, unit_ids, successor, visible, user)
                for spec in FORMS.values()]
    summary = []
    for s in sections:
        if s.applicable and s.filings and s.headlines:
            h = s.headlines[0]
            phrase = change_phrase(h.kind, h.yoy_current, h.yoy_base, _("同比"))
            summary.append(_("%(form)s：%(label)s%(value)s%(change)s", form=s.spec.menu_title, label=h.label,
                             value=show(h.kind, h.current, h.suffix), change=("，" + phrase) if phrase else ""))
    return Analysis(period, scope, basis, sections, summary, utcnow())
