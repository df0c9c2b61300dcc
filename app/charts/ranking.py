"""Units ranked by a figure, and rates by unit (horizontal bars, largest on top)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..forms.base import format_rate
from ..money import fen_to_wan, format_yuan
from .base import BAR_HEIGHT, COLORS, axis, layout, number

COUNT, MONEY, RATE = "count", "money", "rate"


def _display(kind: str, value) -> str:
    if kind == MONEY:
        return _("%(yuan)s 元", yuan=format_yuan(value))
    if kind == RATE:
        return format_rate(value)
    return f"{value:,}"


def ranked_bar(labels: Sequence[str], values: Sequence, title: str, value_label: str, *,
               kind: str = COUNT, limit: int | None = None, links: Sequence[str] | None = None) -> go.Figure:
    """Bars sorted by value (largest on top); units without a value are left out.

    Money comes in fen and is drawn in 万元; the hover shows the exact amount in 元. `links`
    (one per label) go into customdata so a page can drill down on click."""
    rows = [(lab, v, links[i] if links else "") for i, (lab, v) in enumerate(zip(labels, values, strict=True))
            if v is not None]
    rows.sort(key=lambda r: r[1], reverse=True)
    if limit is not None:
        rows = rows[:limit]
    rows.reverse()  # plotly draws the first category at the bottom
    if kind == MONEY:
        x = [float(fen_to_wan(v)) for _l, v, _u in rows]
        axis_title = _("%(label)s（万元）", label=value_label)
    elif kind == RATE:
        x = [number(v) for _l, v, _u in rows]
        axis_title = value_label
    else:
        x = [v for _l, v, _u in rows]
        axis_title = value_label
    bar = go.Bar(
        x=x, y=[r[0] for r in rows], orientation="h", name=value_label, marker_color=COLORS[0],
        customdata=[[_display(kind, v), url] for _l, v, url in rows],
        hovertemplate="%{y}<br>" + value_label + "：%{customdata[0]}<extra></extra>",
        text=[_display(kind, v) if kind != MONEY else f"{xv:,.2f}" for (_l, v, _u), xv in zip(rows, x, strict=True)],
        textposition="auto", cliponaxis=False,
    )
    fig = go.Figure(bar, layout(title, height=max(220, 70 + BAR_HEIGHT * len(rows)), showlegend=False))
    fig.update_xaxes(**axis(axis_title, tickformat=".0%" if kind == RATE else ",", rangemode="tozero"))
    fig.update_yaxes(**axis(""), type="category")
    return fig


def rates_by_unit(labels: Sequence[str], series: Sequence[tuple[str, Sequence, Sequence]], title: str) -> go.Figure:
    """Grouped bars of rates per unit. Each series is (name, rates, (numerator, denominator)
    pairs); the hover shows the rate with the summed parts it came from."""
    n = len(labels)
    fig = go.Figure(layout=layout(title, height=max(240, 90 + BAR_HEIGHT * n * max(len(series), 1) * 0.7),
                                  barmode="group"))
    for i, (name, rates, parts) in enumerate(series):
        custom = [[format_rate(r), f"{p[0]:,} / {p[1]:,}" if p and p[1] is not None else "—"]
                  for r, p in zip(rates, parts, strict=True)]
        fig.add_trace(go.Bar(
            x=[number(r) for r in reversed(rates)], y=list(reversed(labels)), orientation="h", name=name,
            marker_color=COLORS[i % len(COLORS)], customdata=list(reversed(custom)),
            hovertemplate="%{y}<br>" + name + "：%{customdata[0]}（%{customdata[1]}）<extra></extra>",
        ))
    fig.update_xaxes(**axis(_("比率"), tickformat=".0%", rangemode="tozero"))
    fig.update_yaxes(**axis(""), type="category")
    return fig
