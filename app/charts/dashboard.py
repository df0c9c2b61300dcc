"""The dashboard's figures, drawn from its aggregated data (app.reporting.dashboard)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..forms import get_form
from ..forms.base import is_small
from ..forms.penalty import KIND_FIELDS
from ..reporting.dashboard import outcome_fields
from .base import period_ticks
from .completion import completion
from .composition import stacked
from .ranking import MONEY, RATE, ranked_bar, rates_by_unit
from .staff import staff_composition
from .trend import trend

RANK_LIMIT, RATE_UNITS = 20, 15


def _labels(table) -> list[str]:
    return [p.label for p in table.query.buckets()]


def _ticks(table) -> list[str]:
    return period_ticks(table.query.buckets())


def _parts(table, fields) -> list[tuple[str, list]]:
    return [(label, [v for _p, v in table.series(name)]) for name, label in fields]


def city_figures(data, link: Callable[[int], str]) -> list[tuple[str, go.Figure]]:
    """(id, figure) for the city view; `link(unit_id)` is a unit's drill-down address."""
    figs = _common(data)
    rows = data.ranking
    links = [link(r.key) for r in rows]
    mark = data.mark("penalty")
    figs.insert(0, ("rank-decisions", ranked_bar(
        [r.label for r in rows], [r.get("decisions_total") for r in rows],
        _("各单位行政处罚决定数（%(period)s，前%(n)d位）", period=data.penalty_period.label, n=RANK_LIMIT) + mark,
        _("处罚决定数"), limit=RANK_LIMIT, links=links)))
    figs.insert(1, ("rank-amount", ranked_bar(
        [r.label for r in rows], [r.get("amount_total") for r in rows],
        _("各单位罚没金额（%(period)s，前%(n)d位）", period=data.penalty_period.label, n=RANK_LIMIT) + mark,
        _("罚没金额"), kind=MONEY, limit=RANK_LIMIT, links=links)))
    figs.append(("rates", _rates(data)))
    return figs + _staff(data)


def unit_figures(data) -> list[tuple[str, go.Figure]]:
    """(id, figure) for one unit against its own history."""
    pen = data.penalty_trend
    periods = pen.query.buckets()[4:]

    def decisions(p):
        row = pen.total(p)
        return row.get("decisions_total") if row.filings else None

    figs = [("trend-own", trend([p.label for p in periods],
                                [(_("本期"), [decisions(p) for p in periods]),
                                 (_("上年同期"), [decisions(p.same_last_year()) for p in periods])],
                                _("行政处罚决定数：本期与上年同期") + data.mark("penalty"), _("件"),
                                ticks=period_ticks(periods)))]
    figs += _common(data)
    rec, lit = data.reconsideration_trend, data.litigation_trend
    from ..reporting.indicators import definition_notes

    q = rec.query
    figs.append(("rates-trend", trend(
        _labels(rec), [(_("直接纠错率"), [v for _p, v in rec.series("correction_rate")]),
                       (_("败诉率"), [v for _p, v in lit.series("loss_rate")])],
        _("直接纠错率与败诉率") + data.mark("reconsideration"), _("比率"), kind=RATE, ticks=_ticks(rec),
        notes=[_("直接纠错率：") + n for n in definition_notes("reconsideration", "correction_rate", q.first, q.end)]
        + [_("败诉率：") + n for n in definition_notes("litigation", "loss_rate", lit.query.first, lit.query.end)])))
    return figs + _staff(data)


def _common(data) -> list[tuple[str, go.Figure]]:
    pen, rec, lit = data.penalty_trend, data.reconsideration_trend, data.litigation_trend
    m_pen, m_rec, m_lit = data.mark("penalty"), data.mark("reconsideration"), data.mark("litigation")
    figs = [
        ("trend-penalty", trend(
            _labels(pen), [(_("处罚决定数"), [v for _p, v in pen.series("decisions_total")])],
            _("行政处罚决定数与罚没金额") + m_pen, _("处罚决定数（件）"),
            secondary=[(_("罚没金额"), [v for _p, v in pen.series("amount_total")])],
            secondary_title=_("罚没金额"), ticks=_ticks(pen))),
        ("trend-cases", trend(
            _labels(rec), [(_("行政复议新收"), [v for _p, v in rec.series("new_applications")]),
                           (_("行政复议审结"), [v for _p, v in rec.series("concluded")]),
                           (_("行政应诉新收"), [v for _p, v in lit.series("new_total")])],
            _("行政复议与行政应诉案件") + (m_rec or m_lit), _("件"), ticks=_ticks(rec))),
        ("kinds", stacked(_labels(pen), _parts(pen, [(f.name, f.label) for f in KIND_FIELDS]),
                          _("行政处罚决定种类构成") + m_pen, _("件"), top=6, ticks=_ticks(pen))),
        ("outcomes-reconsideration", stacked(_labels(rec), _parts(rec, outcome_fields(rec.spec, "reconsideration")),
                                             _("行政复议审结结果构成") + m_rec, _("件"), top=7, ticks=_ticks(rec))),
        ("outcomes-litigation", stacked(_labels(lit), _parts(lit, outcome_fields(lit.spec, "litigation")),
                                        _("行政应诉审结结果构成") + m_lit, _("件"), top=7, ticks=_ticks(lit))),
    ]
    if data.city and data.completion:
        points = data.completion
        figs.append(("completion", completion(
            [p.period.label for p in points], [p.on_time for p in points], [p.late for p in points],
            [p.missing for p in points], _("行政处罚报表报送情况"), ticks=period_ticks([p.period for p in points]))))
    return figs


def _staff(data) -> list[tuple[str, go.Figure]]:
    figs = []
    for key, title in (("by_education", _("法制工作人员学历构成")), ("by_age_band", _("法制工作人员年龄构成"))):
        if data.staff and data.staff.get(key):
            figs.append((f"staff-{key}", staff_composition(data.staff[key], title)))
    return figs


def _rate(form_code: str, name: str):
    return next(r for r in get_form(form_code).rates if r.name == name)


def _rate_series(rows: dict, keys: list, rate) -> tuple[list, list]:
    """Rates of the units `keys` and the summed (numerator, denominator) behind each."""
    rates, parts = [], []
    for k in keys:
        row = rows.get(k)
        rates.append(row.get(rate.name) if row else None)
        parts.append((sum(row.get(n) or 0 for n in rate.numerator),
                      sum(row.get(d) or 0 for d in rate.denominator)) if row else None)
    return rates, parts


def _rates(data) -> go.Figure:
    """纠错率 and 败诉率 of the units with the most concluded cases, highest 纠错率 first."""
    rec = {r.key: r for r in data.reconsideration_units}
    lit = {r.key: r for r in data.litigation_units}

    def cases(k):
        return sum((t[k].get("concluded") or 0) for t in (rec, lit) if k in t)

    keys = sorted(set(rec) | set(lit), key=cases, reverse=True)[:RATE_UNITS]
    # highest 纠错率 first; a rate over a small base is never ranked: it goes last
    keys.sort(key=lambda k: (rec[k].get("correction_rate") or 0) if k in rec and not
              is_small(rec[k].get("correction_rate")) else -1, reverse=True)
    labels = [(rec.get(k) or lit.get(k)).label for k in keys]
    c_rates, c_parts = _rate_series(rec, keys, _rate("reconsideration", "correction_rate"))
    l_rates, l_parts = _rate_series(lit, keys, _rate("litigation", "loss_rate"))
    return rates_by_unit(labels, [(_("行政复议纠错率"), c_rates, c_parts), (_("行政应诉败诉率"), l_rates, l_parts)],
                         _("纠错率与败诉率（审结案件最多的%(n)d个单位，%(period)s）",
                           n=RATE_UNITS, period=data.case_period.label) + data.mark("reconsideration"))
