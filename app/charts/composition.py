"""Parts of a whole (penalty kinds, case outcomes …) per period or unit: stacked bars."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from flask_babel import gettext as _

from ..reporting.compare import format_pct, share
from .base import COLORS, axis, category_axis, layout, make_figure


def stacked(categories: Sequence[str], parts: Sequence[tuple[str, Sequence]], title: str, y_title: str, *,
            top: int | None = None, horizontal: bool = False, ticks: Sequence[str] | None = None) -> go.Figure:
    """One stacked bar per category; each part one colour. With `top`, the largest parts
    (by their sum over all categories) are kept and the rest merged into 其他（合并）. The
    hover shows the exact count and its share of the category's total."""
    parts = [(name, [v or 0 for v in values]) for name, values in parts]
    if top is not None and len(parts) > top:
        ranked = sorted(parts, key=lambda p: sum(p[1]), reverse=True)
        kept, rest = ranked[:top], ranked[top:]
        order = {name: i for i, (name, _v) in enumerate(parts)}
        kept.sort(key=lambda p: order[p[0]])
        merged = [sum(vals) for vals in zip(*(v for _n, v in rest), strict=True)]
        parts = [*kept, (_("其他（合并）"), merged)]
    totals = [sum(vals) for vals in zip(*(v for _n, v in parts), strict=True)] if parts else []
    traces = []
    for i, (name, values) in enumerate(parts):
        custom = [[f"{v:,}", format_pct(share(v, t), signed=False)] for v, t in zip(values, totals, strict=True)]
        trace = dict(type="bar", name=name, marker=dict(color=COLORS[i % len(COLORS)]), customdata=custom,
                     hovertemplate=("%{y}" if horizontal else "%{x}") + "<br>" + name
                     + "：%{customdata[0]}（%{customdata[1]}）<extra></extra>")
        if horizontal:
            trace.update(x=list(values), y=list(categories), orientation="h")
        else:
            trace.update(x=list(categories), y=list(values))
        traces.append(trace)
    value_axis = axis(y_title, tickformat=",", rangemode="tozero")
    if horizontal:
        axes = dict(xaxis=value_axis, yaxis=dict(**axis(""), type="category", autorange="reversed"))
        height = max(260, 80 + 26 * len(categories))
    else:
        axes = dict(yaxis=value_axis, xaxis=dict(**axis(""), **category_axis(categories, ticks)))
        height = 380
    return make_figure(traces, layout(title, height=height, barmode="stack", **axes))
