"""The indicator catalogue: every figure and rate the reports show, machine-readable — the 指标说明
page's definitions (``indicators.definitions``, ``indicators.OTHER``) and the report's columns
(``measures``, ``combined``), in the words the portal shows, with each form version they hold in.

One entry per (form, name): a field summed, a choice counted, a combined amount, a rate, or one
of the filing-record indicators (按时报送率, 报送完成率). A rate whose definition changes with a
form version lists every version's numerator and denominator.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..forms import VERSIONS
from ..forms.base import MONEY, FormSpec
from .indicators import OTHER, definitions, formula, span_text
from .measures import CHOICE_COUNT, combined, measures

FIELD, CHOICE, COMBINED, RATE, TIMELINESS = "field", "choice", "combined", "rate", "timeliness"
# The API names of the filing-record indicators of 指标说明 (OTHER), as /api/v1/timeliness answers.
OTHER_NAMES = {"按时报送率": "on_time_rate", "报送完成率": "completion_rate"}


def unit_of_measure(kind: str) -> str:
    """元 for amounts (the feed's money unit), % for rates, 份 for filings counted, else 计数."""
    return {MONEY: _("元"), RATE: "%", CHOICE: _("份（报表数）"), TIMELINESS: "%"}.get(kind, _("计数"))


def _part(spec: FormSpec, names) -> list[dict]:
    return [{"name": n, "label": spec.field(n).label} for n in names]


def _span(spec: FormSpec) -> dict:
    return {"version": spec.version, "version_label": spec.version_label,
            "periods": span_text(VERSIONS[spec.code], spec)}


def catalogue() -> list[dict]:
    """Every indicator, forms in registry order, then the filing-record indicators."""
    out: dict[tuple[str, str], dict] = {}
    for code, versions in VERSIONS.items():
        for spec in versions:
            for m in measures(spec):
                kind = CHOICE if m.how == CHOICE_COUNT else FIELD
                entry = out.setdefault((code, m.name), {
                    "form": code, "name": m.name, "label": str(m.label), "kind": kind, "group": str(m.group),
                    "unit": unit_of_measure(m.kind if kind == FIELD else CHOICE),
                    "definition": _("报告期内各报表「%(label)s」之和", label=m.label) if kind == FIELD else
                    _("报告期内填报「%(label)s」的报表份数", label=m.label),
                    "numerator": [{"name": m.column, "label": spec.field(m.column).label}], "denominator": [],
                    "versions": []})
                entry["label"] = str(m.label)  # the newest version's words
                entry["versions"].append(_span(spec))
            for c in combined(spec):
                entry = out.setdefault((code, c.name), {
                    "form": code, "name": c.name, "label": str(c.label), "kind": COMBINED, "group": _("合计及比率"),
                    "unit": unit_of_measure(c.kind), "definition": "＋".join(spec.field(p).quoted for p in c.parts),
                    "numerator": _part(spec, c.parts), "denominator": [], "versions": []})
                entry["versions"].append(_span(spec))
    for d in definitions():
        spec, rate = d.spec, d.rate
        entry = out.setdefault((spec.code, rate.name), {
            "form": spec.code, "name": rate.name, "label": rate.label, "kind": RATE, "group": _("合计及比率"),
            "unit": unit_of_measure(RATE), "versions": []})
        # the newest version's definition on top; every version's below
        entry.update(label=rate.label, definition=d.formula, numerator=_part(spec, rate.numerator),
                     denominator=_part(spec, rate.denominator))
        entry["versions"].append({**_span(spec), "definition": formula(spec, rate),
                                  "numerator": _part(spec, rate.numerator),
                                  "denominator": _part(spec, rate.denominator)})
    entries = list(out.values())
    for label, num, den, source in OTHER:
        entries.append({"form": None, "name": OTHER_NAMES[label], "label": label, "kind": TIMELINESS,
                        "group": _("报送情况"), "unit": unit_of_measure(TIMELINESS),
                        "definition": f"{num} ÷ {den}", "numerator": [{"name": None, "label": num}],
                        "denominator": [{"name": None, "label": den}], "source": source, "versions": []})
    return entries
