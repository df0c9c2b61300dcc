"""Filing completion over periods: on time, late and missing units, and the completion rate."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..forms.base import format_rate
from ..reporting.compare import share
from .base import LATE, MISSING, ON_TIME, axis, category_axis, layout, make_figure, number


def completion(periods: Sequence[str], on_time: Sequence[int], late: Sequence[int], missing: Sequence[int],
               title: str, ticks: Sequence[str] | None = None) -> go.Figure:
    """Stacked bars of units per status and a line of (on time + late) / expected."""
    rates = [share(a + b, a + b + c) for a, b, c in zip(on_time, late, missing, strict=True)]
    unit = _("个单位")
    traces = [dict(type="bar", x=list(periods), y=list(values), name=name, marker=dict(color=color),
                   hovertemplate=name + "：%{y:,}" + unit + "<extra></extra>")
              for name, values, color in ((_("按时"), on_time, ON_TIME), (_("迟报"), late, LATE),
                                          (_("未报"), missing, MISSING))]
    traces.append(dict(type="scatter", x=list(periods), y=[number(r) for r in rates], name=_("完成率"), yaxis="y2",
                       mode="lines+markers", line=dict(color="#2f6fb0", width=2.5),
                       customdata=[format_rate(r) for r in rates],
                       hovertemplate=_("完成率") + "：%{customdata}<extra></extra>"))
    return make_figure(traces, layout(
        title, barmode="stack", hovermode="x unified",
        xaxis=dict(**axis(""), **category_axis(periods, ticks)),
        yaxis=axis(_("单位数"), tickformat=",d", rangemode="tozero"),
        yaxis2=dict(**axis(_("完成率")), overlaying="y", side="right", range=[0, 1.05], tickmode="array",
                    tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0], tickformat=".0%", showgrid=False)))
