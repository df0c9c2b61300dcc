"""分析报告 as a document of a Party and government office (GB/T 9704 style): 标题, 主送,
一、基本情况, 二、主要特点 (with the charts), 三、存在的问题, 四、原因分析, 五、工作建议, 附表,
落款 and 日期. :func:`official_report` assembles it from the analysis, its trends and the
findings (app.reporting); the PDF (template print/analysis.html) and the Word file
(:mod:`app.exports.docx`) print this one object.

Settings: ANALYSIS_ADDRESSEE (主送, default 市人民政府), ANALYSIS_ISSUER (落款, default the
municipal legal-affairs office).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _

from ..charts.analysis import analysis_figures
from ..charts.static import render_png
from ..forms.base import format_rate
from ..reporting.analysis import Analysis, change_phrase, show
from ..reporting.compare import format_pct
from ..reporting.findings import Finding, Trends
from .official import ISSUER

NUMERALS = "一二三四五六七八九十"


def ordinal(i: int) -> str:
    """1 → 一, 11 → 十一 (headings up to 二十)."""
    return NUMERALS[i - 1] if i <= 10 else "十" + NUMERALS[i - 11]


@dataclass
class Chart:
    key: str
    number: int
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


@dataclass
class AnnexTable:
    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Feature:
    """One 主要特点 subsection: a form's paragraphs and the charts that belong to it."""

    title: str
    paragraphs: list[str]
    charts: list[Chart] = field(default_factory=list)


@dataclass
class OfficialReport:
    title: str
    addressee: str
    opening: str
    basic: list[str]
    features: list[Feature]
    problems: list[str]
    causes: list[str]
    advice: list[str]
    annex: list[AnnexTable]
    issuer: str
    date_text: str

    @property
    def charts(self) -> list[Chart]:
        return [c for f in self.features for c in f.charts]

    def sections(self) -> list[tuple[str, str]]:
        """The five numbered headings, in order."""
        return [(ordinal(i), t) for i, t in enumerate(
            (_("基本情况"), _("主要特点"), _("存在的问题"), _("原因分析"), _("工作建议")), 1)]


# Which chart goes with which form's 主要特点 (top-<form>: that form's; others under 报送情况).
CHART_FORM = {"cases": "reconsideration", "rates": "litigation", "penalty": "penalty"}


def chart_form(key: str) -> str | None:
    return key.removeprefix("top-") if key.startswith("top-") else CHART_FORM.get(key)


def _annex(a: Analysis) -> list[AnnexTable]:
    tables = []
    for s in a.sections:
        if not (s.applicable and s.filings):
            continue
        cmp = s.comparison
        header = [_("指标"), cmp.period.label, cmp.yoy_period.label, _("同比")]
        rows = [[h.label, show(h.kind, h.current, h.suffix), show(h.kind, h.yoy_base, h.suffix),
                 change_phrase(h.kind, h.yoy_current, h.yoy_base, "") or "—"] for h in s.headlines]
        tables.append(AnnexTable(_("%(form)s主要指标", form=s.spec.menu_title), header, rows))
        if s.top:
            tables.append(AnnexTable(
                _("%(form)s居前单位", form=s.spec.menu_title),
                [_("排名"), _("单位"), cmp.period.label, _("占合计比重"), _("同比")],
                [[str(r.rank), r.label, show(cmp.kind, r.current), format_pct(r.share, signed=False),
                  format_pct(r.yoy_pct)] for r in s.top]))
    timely = [(s, p) for s in a.sections if s.applicable for p in s.timeliness]
    if timely:
        tables.append(AnnexTable(_("报送及时性"), [_("报表"), _("报告期"), _("应报"), _("按时"), _("迟报"), _("未报"),
                                                   _("完成率")],
                                 [[s.spec.menu_title, p.period.label, str(p.expected), str(p.on_time), str(p.late),
                                   str(p.missing), format_rate(p.rate)] for s, p in timely]))
    return tables


def _basic(a: Analysis) -> list[str]:
    sections = [s for s in a.sections if s.applicable]
    filings = sum(s.filings for s in sections)
    expected = sum(p.expected for s in sections for p in s.timeliness)
    reported = sum(p.on_time + p.late for s in sections for p in s.timeliness)
    lines = [_("%(period)s，%(scope)s各单位共报送%(forms)d类法制统计报表，纳入本报告统计的报表%(n)d份（%(basis)s）。",
               period=a.period.label, scope=a.scope, forms=len(sections), n=filings, basis=a.basis)]
    if expected:
        lines[0] += _("应报%(e)d份，已报%(r)d份，报送率%(rate)s。", e=expected, r=reported,
                      rate=format_rate(Decimal(reported) / Decimal(expected)))
    if a.summary:
        lines.append(_("主要数据：") + "；".join(a.summary) + "。")
    return lines


def official_report(a: Analysis, trends: Trends, found: list[Finding], today: dt.date) -> OfficialReport:
    """The analysis report for `a` (its figures, the city trends and the rules' findings)."""
    figs = analysis_figures(a, trends)
    charts: list[Chart] = []

    def draw(keys: list[str]) -> list[Chart]:
        """The figures `keys`, numbered in the order they appear in the text."""
        out = []
        for key, fig in figs:
            if key in keys:
                n = len(charts) + 1
                out.append(Chart(key, n, _("图%(n)d  %(title)s", n=n, title=fig.layout.title.text or ""),
                                 render_png(fig)))
                charts.append(out[-1])
        return out

    features = []
    for s in a.sections:
        if not s.applicable:
            continue
        # with figures, the last paragraph is on timeliness: it goes under 报送情况
        paragraphs = list(s.paragraphs[:-1] if s.filings else s.paragraphs)
        own = draw([k for k, _f in figs if chart_form(k) == s.spec.code])
        if own:
            see = _("（见%(figs)s）", figs="、".join(_("图%(n)d", n=c.number) for c in own))
            if paragraphs:
                paragraphs[-1] += see
            else:
                paragraphs.append(see)
        features.append(Feature(s.spec.menu_title, paragraphs, own))
    rest = draw([k for k, _f in figs if chart_form(k) is None])
    if rest:
        features.append(Feature(_("报送情况"), [s.paragraphs[-1] for s in a.sections
                                               if s.applicable and s.filings][:4], rest))
    problems = [f.problem for f in found] or [_("本期各项数据未触发问题规则，未发现需要特别关注的问题。")]
    causes = [f.cause for f in found] or [_("各项比率与上年同期基本持平，报送总体及时。")]
    advice = [f.advice for f in found]
    advice.append(_("进一步加强法制统计工作，做好数据审核和质量抽查，保证统计数据真实、准确、完整、及时。"))
    cfg = current_app.config
    return OfficialReport(
        title=_("关于%(period)s%(scope)s法制统计情况的分析报告", period=a.period.label, scope=a.scope),
        addressee=(cfg.get("ANALYSIS_ADDRESSEE") or _("市人民政府")) + "：",
        opening=_("现将%(period)s%(scope)s法制统计情况分析报告如下：", period=a.period.label, scope=a.scope),
        basic=_basic(a), features=features, problems=problems, causes=causes, advice=advice,
        annex=_annex(a), issuer=cfg.get("ANALYSIS_ISSUER") or ISSUER,
        date_text=_("%(y)d年%(m)d月%(d)d日", y=today.year, m=today.month, d=today.day))
