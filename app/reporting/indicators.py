"""指标说明: one definition per indicator, read from the declarations and shown to users.

Every rate of every form version, with its numerator, denominator, source fields and the
periods it applies to; plus the indicators that do not come from a form's figures (按时报送率).
A rate name means one thing: two forms never give one label to different definitions (the
penalty form's 处罚决定被复议纠错率 is over decisions challenged; the reconsideration form's
直接纠错率 over cases concluded). Within one form a definition may change with a version (直接
纠错率 counts 确认无效 from 2024); a trend over such a change states both definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from ..filing.periods import Period
from ..forms import VERSIONS
from ..forms.base import FormSpec, Rate
from ..forms.versions import start_of

DEFAULT_MIN_BASE = 10


def min_base() -> int:
    """RATE_MIN_BASE (default 10): a rate over fewer cases is marked and never ranked."""
    try:
        return int(current_app.config.get("RATE_MIN_BASE", DEFAULT_MIN_BASE))
    except (RuntimeError, TypeError, ValueError):
        return DEFAULT_MIN_BASE


@dataclass(frozen=True)
class Definition:
    """One rate of one form version."""

    spec: FormSpec
    rate: Rate
    span: str  # the periods it applies to, e.g. "2024年上半年起"

    @property
    def formula(self) -> str:
        return formula(self.spec, self.rate)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys((*self.rate.numerator, *self.rate.denominator)))


# Indicators computed from filing records rather than a form's figures.
OTHER = [
    ("按时报送率", "截止日期前（含当日）经单位审核人签报（已上报）的应报报表数", "应报报表数",
     "报送记录：签报时间（当地日期）与该报告期的截止日期；应报单位按填报范围与单位存续期确定"),
    ("报送完成率", "已签报（按时或迟报）的应报报表数", "应报报表数", "同上"),
]


def formula(spec: FormSpec, rate: Rate) -> str:
    """（「确认违法」＋「撤销」＋…）÷「已审结」 — in the version's own labels."""
    def part(names):
        text = "＋".join(spec.field(n).quoted for n in names)
        return f"（{text}）" if len(names) > 1 else text
    return f"{part(rate.numerator)} ÷ {part(rate.denominator)}"


def span_text(versions: list[FormSpec], spec: FormSpec) -> str:
    """The periods a version applies to, in words."""
    i = versions.index(spec)
    nxt = versions[i + 1] if i + 1 < len(versions) else None
    start = Period.parse(spec.valid_from).label if spec.valid_from else ""
    end = Period.parse(nxt.valid_from).previous().label if nxt else ""
    if start and end:
        return _("%(a)s至%(b)s", a=start, b=end)
    if start:
        return _("%(a)s起", a=start)
    if end:
        return _("%(b)s及以前", b=end)
    return _("全部报告期")


def definitions() -> list[Definition]:
    """Every rate of every version of every form, forms in registry order, versions oldest first."""
    out = []
    for versions in VERSIONS.values():
        for spec in versions:
            out.extend(Definition(spec, r, span_text(versions, spec)) for r in spec.rates)
    return out


def label_clashes() -> list[str]:
    """Labels given to rates of different forms or names (must be none: one name, one meaning)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for d in definitions():
        seen.setdefault(d.rate.label, set()).add((d.spec.code, d.rate.name))
    return sorted(label for label, owners in seen.items() if len(owners) > 1)


def definition_notes(form_code: str, rate_name: str, first: Period, last: Period) -> list[str]:
    """When the rate's definition changes inside [first, last]: one line per version ("2023年
    下半年及以前（2015版）：…"), else []. Stated on every trend chart that crosses a change."""
    versions = VERSIONS[form_code]
    inside = [v for v in versions if start_of(v) <= last.end and
              (versions.index(v) + 1 == len(versions) or start_of(versions[versions.index(v) + 1]) > first.start)]
    defs = [(v, v.rate(rate_name)) for v in inside]
    shapes = {None if r is None else (r.numerator, r.denominator) for _v, r in defs}
    if len(shapes) < 2:
        return []
    lines = []
    for v, r in defs:
        what = formula(v, r) if r is not None else _("该版本未采集，无此指标")
        lines.append(f"{span_text(versions, v)}（{v.version_label}）：{what}")
    return lines
