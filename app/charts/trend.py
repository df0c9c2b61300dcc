"""Figures over periods (lines), optionally an amount on a second axis."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..forms.base import format_rate
from ..money import fen_to_wan, format_yuan
from .base import COLORS, axis, category_axis, layout, make_figure, number

COUNT, MONEY, RATE = "count", "money", "rate"
_TICKS = {COUNT: ",~r", MONEY: ",.0f", RATE: ".0%"}


def _points(kind: str, values: Sequence) -> tuple[list, list]:
    """(y values, exact hover texts) for a series of counts, fen or rates."""
    if kind == MONEY:
        return ([None if v is None else float(fen_to_wan(v)) for v in values],
                ["—" if v is None else _("%(wan)s 万元（%(yuan)s 元）", wan=f"{fen_to_wan(v):,.2f}",
                                          yuan=format_yuan(v)) for v in values])
    if kind == RATE:
        return [number(v) for v in values], [format_rate(v) for v in values]
    return list(values), ["—" if v is None else f"{v:,}" for v in values]


def _title(kind: str, title: str) -> str:
    return _("%(label)s（万元）", label=title) if kind == MONEY else title


def trend(periods: Sequence[str], series: Sequence[tuple[str, Sequence]], title: str, y_title: str, *,
          kind: str = COUNT, secondary: Sequence[tuple[str, Sequence]] = (), secondary_title: str = "",
          secondary_kind: str = MONEY, ticks: Sequence[str] | None = None,
          notes: Sequence[str] = ()) -> go.Figure:
    """One line per series over the periods (labels on the x axis, in order); gaps stay gaps.
    `ticks` are shorter axis labels (the hover keeps the full period labels). `notes` are
    written under the plot, e.g. a rate's definition on each side of a form version change."""
    traces = []
    lines = [(name, values, kind, "y", "solid") for name, values in series]
    lines += [(name, values, secondary_kind, "y2", "dot") for name, values in secondary]
    for i, (name, values, k, yaxis, dash) in enumerate(lines):
        y, text = _points(k, values)
        traces.append(dict(type="scatter", x=list(periods), y=y, name=name, mode="lines+markers", yaxis=yaxis,
                           customdata=text, line=dict(color=COLORS[i % len(COLORS)], width=2.5, dash=dash),
                           hovertemplate=name + "：%{customdata}<extra></extra>"))
    extra = {}
    if secondary:
        extra["yaxis2"] = dict(**axis(_title(secondary_kind, secondary_title)), overlaying="y", side="right",
                               showgrid=False, rangemode="tozero", tickmode="auto", nticks=6,
                               tickformat=_TICKS[secondary_kind])
    if notes:
        extra["annotations"] = [dict(text="<br>".join(notes), xref="paper", yref="paper", x=0, y=-0.18,
                                     xanchor="left", yanchor="top", showarrow=False, align="left",
                                     font=dict(size=11, color="#555"))]
        extra["margin"] = dict(l=10, r=20, t=48, b=60 + 18 * len(notes), pad=2)
        extra["height"] = 360 + 18 * len(notes)
    return make_figure(traces, layout(
        title, hovermode="x unified", xaxis=dict(**axis(""), **category_axis(periods, ticks)),
        yaxis=axis(_title(kind, y_title), tickformat=_TICKS[kind], rangemode="tozero"), **extra))
