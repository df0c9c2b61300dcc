"""The analysis report's figures (主要特点): built by the portal's own figure builders from the
analysis and its city trends (app.reporting.analysis / findings), so the page shows them with
plotly and the printed report draws the same figures (app.charts.static)."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..reporting.comparison import sorted_by_rank
from ..reporting.measures import label_of
from .base import period_ticks
from .completion import completion
from .ranking import ranked_bar
from .trend import RATE, trend

TOP = 10


def _series(table, name):
    return [v for _p, v in table.series(name)]


def _periods(table):
    buckets = table.query.buckets()
    return [p.label for p in buckets], period_ticks(buckets)


def analysis_figures(a, trends) -> list[tuple[str, go.Figure]]:
    """(key, figure) in the report's order; a figure whose data is absent is left out."""
    figs: list[tuple[str, go.Figure]] = []
    rec, lit, pen = (trends.tables.get(k) for k in ("reconsideration", "litigation", "penalty"))
    if rec is not None and lit is not None:
        labels, ticks = _periods(rec)
        figs.append(("cases", trend(labels, [(_("行政复议新收"), _series(rec, "new_applications")),
                                             (_("行政复议审结"), _series(rec, "concluded")),
                                             (_("行政应诉新收"), _series(lit, "new_total"))],
                                    _("行政复议、行政应诉案件数"), _("件"), ticks=ticks)))
        figs.append(("rates", trend(labels, [(_("行政复议直接纠错率"), _series(rec, "correction_rate")),
                                             (_("行政应诉败诉率"), _series(lit, "loss_rate"))],
                                    _("直接纠错率与败诉率"), _("比率"), kind=RATE, ticks=ticks)))
    if pen is not None:
        labels, ticks = _periods(pen)
        figs.append(("penalty", trend(labels, [(_("处罚决定数"), _series(pen, "decisions_total"))],
                                      _("行政处罚决定数与罚没金额"), _("处罚决定数（件）"),
                                      secondary=[(_("罚没金额"), _series(pen, "amount_total"))],
                                      secondary_title=_("罚没金额"), ticks=ticks)))
    for s in a.sections:
        if s.top and s.comparison is not None:
            rows = sorted_by_rank(s.comparison.rows)
            label = label_of(s.spec, s.top_metric)
            figs.append((f"top-{s.spec.code}", ranked_bar(
                [r.label for r in rows], [r.current for r in rows],
                _("%(form)s：%(metric)s前%(n)d位（%(period)s）", form=s.spec.menu_title, metric=label, n=TOP,
                  period=s.period.label), label, kind=s.comparison.kind, limit=TOP)))
    timely = [s for s in a.sections if s.applicable and s.timeliness]
    if timely:
        sums = [[sum(getattr(p, k) for p in s.timeliness) for s in timely] for k in ("on_time", "late", "missing")]
        figs.append(("completion", completion([s.spec.menu_title for s in timely], *sums,
                                              _("各报表报送情况（%(period)s）", period=a.period.label))))
    return figs
