"""Figures over periods (lines), optionally an amount on a second axis."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..forms.base import format_rate
from ..money import fen_to_wan, format_yuan
from .base import COLORS, axis, category_axis, layout, number

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
          secondary_kind: str = MONEY, ticks: Sequence[str] | None = None) -> go.Figure:
    """One line per series over the periods (labels on the x axis, in order); gaps stay gaps.
    `ticks` are shorter axis labels (the hover keeps the full period labels)."""
    fig = go.Figure(layout=layout(title, hovermode="x unified"))
    color = 0
    for name, values in series:
        y, text = _points(kind, values)
        fig.add_trace(go.Scatter(x=list(periods), y=y, name=name, mode="lines+markers", customdata=text,
                                 line=dict(color=COLORS[color % len(COLORS)], width=2.5),
                                 hovertemplate=name + "：%{customdata}<extra></extra>"))
        color += 1
    for name, values in secondary:
        y, text = _points(secondary_kind, values)
        fig.add_trace(go.Scatter(x=list(periods), y=y, name=name, mode="lines+markers", yaxis="y2",
                                 customdata=text, line=dict(color=COLORS[color % len(COLORS)], width=2, dash="dot"),
                                 hovertemplate=name + "：%{customdata}<extra></extra>"))
        color += 1
    fig.update_xaxes(**axis(""), **category_axis(periods, ticks))
    fig.update_yaxes(**axis(_title(kind, y_title), tickformat=_TICKS[kind], rangemode="tozero"))
    if secondary:
        fig.update_layout(yaxis2=dict(**axis(_title(secondary_kind, secondary_title)), overlaying="y", side="right",
                                      showgrid=False, rangemode="tozero", tickmode="auto", nticks=6,
                                      tickformat=_TICKS[secondary_kind]))
    return fig
