"""Units ranked by a figure, and rates by unit (horizontal bars, largest on top)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..forms.base import format_rate
from ..money import fen_to_wan, format_yuan
from .base import BAR_HEIGHT, COLORS, axis, layout, make_figure, number

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
        text = [f"{xv:,.2f}" for xv in x]
    else:
        x = [number(v) for _l, v, _u in rows]
        axis_title = value_label
        text = [_display(kind, v) for _l, v, _u in rows]
    bar = dict(
        type="bar", x=x, y=[r[0] for r in rows], orientation="h", name=value_label, marker=dict(color=COLORS[0]),
        customdata=[[_display(kind, v), url] for _l, v, url in rows], text=text, textposition="auto",
        cliponaxis=False, hovertemplate="%{y}<br>" + value_label + "：%{customdata[0]}<extra></extra>",
    )
    return make_figure([bar], layout(
        title, height=max(220, 70 + BAR_HEIGHT * len(rows)), showlegend=False,
        xaxis=axis(axis_title, tickformat=".0%" if kind == RATE else ",", rangemode="tozero"),
        yaxis=axis("", type="category")))


def rates_by_unit(labels: Sequence[str], series: Sequence[tuple[str, Sequence, Sequence]], title: str) -> go.Figure:
    """Grouped bars of rates per unit. Each series is (name, rates, (numerator, denominator)
    pairs); the hover shows the rate with the summed parts it came from."""
    traces = []
    for i, (name, rates, parts) in enumerate(series):
        custom = [[format_rate(r), f"{p[0]:,} / {p[1]:,}" if p and p[1] is not None else "—"]
                  for r, p in zip(rates, parts, strict=True)]
        traces.append(dict(
            type="bar", x=[number(r) for r in reversed(rates)], y=list(reversed(labels)), orientation="h",
            name=name, marker=dict(color=COLORS[i % len(COLORS)]), customdata=list(reversed(custom)),
            hovertemplate="%{y}<br>" + name + "：%{customdata[0]}（%{customdata[1]}）<extra></extra>",
        ))
    height = max(240, int(90 + BAR_HEIGHT * len(labels) * max(len(series), 1) * 0.7))
    return make_figure(traces, layout(
        title, height=height, barmode="group",
        xaxis=axis(_("比率"), tickformat=".0%", rangemode="tozero"), yaxis=axis("", type="category")))
