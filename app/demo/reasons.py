"""Demo return reasons written from the filing's own figures, so that what the demo's reviewer
says agrees with what the filing holds: "changed much" only where the figure did change much
against the unit's previous period (环比), and with the figures named.

The figures compared are those each form's declaration already watches for outliers
(its HistoryOutlier rules), so no second list of "important fields" exists here."""

from __future__ import annotations

from ..forms.base import MONEY, FormSpec, HistoryOutlier

MUCH = 0.3  # |环比| from which a change is "较大"
# Reasons that claim nothing about the figures (a returned filing whose figures changed little).
PLAIN_REASONS = ("情况说明未写明本期数据的主要来源，请补充后重新上报",
                 "请按填报说明核对各项合计及计量单位（金额以元为单位）后重新上报",
                 "单位审核人未核对附表，请核对后重新上报")
# Their codes in app.filing.return_reasons, in the same order; a reason naming a change is
# "unexplained_change".
PLAIN_CODES = ("weak_explanation", "unit_scope", "other")


def watched_fields(spec: FormSpec) -> list[str]:
    """The fields the form's outlier rules watch (its headline figures), in declaration order."""
    return [name for rule in spec.rules if isinstance(rule, HistoryOutlier) for name in rule.fields]


def largest_change(spec: FormSpec, values: dict, previous: dict | None):
    """(field name, before, now, relative change) of the watched figure that moved most against
    the previous period; None without a previous period or a non-zero base."""
    best = None
    for name in watched_fields(spec):
        now, before = values.get(name), (previous or {}).get(name)
        if now is None or not before:
            continue
        change = (now - before) / before
        if best is None or abs(change) > abs(best[3]):
            best = (name, before, now, change)
    return best


def return_reason(spec: FormSpec, values: dict, previous: dict | None, pick: int) -> str:
    """The reviewer's reason for returning a filing with `values` (the unit's `previous` period's
    before it): the figure that changed most when it changed by 30 % or more, with both figures
    and the 环比; else one of the reasons that claim nothing about the figures (`pick` chooses)."""
    found = largest_change(spec, values, previous)
    if found is not None and abs(found[3]) >= MUCH:
        name, before, now, change = found
        f = spec.field(name)
        unit = "元" if f.kind == MONEY else ""
        return (f"{f.quoted}由上期的{f.display(before)}{unit}变为{f.display(now)}{unit}（环比{change * 100:+.1f}%），"
                "变化较大，请核实并在情况说明中写明原因后重新上报")
    return PLAIN_REASONS[pick % len(PLAIN_REASONS)]


def coded_return_reason(spec: FormSpec, values: dict, previous: dict | None, pick: int) -> tuple[str, str]:
    """(reason code, the reviewer's words) of return_reason: the code of app.filing.return_reasons
    that the words amount to."""
    text = return_reason(spec, values, previous, pick)
    if text in PLAIN_REASONS:
        return PLAIN_CODES[PLAIN_REASONS.index(text)], text
    return "unexplained_change", text
