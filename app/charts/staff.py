"""Staff composition: any breakdown of people into counts (education, age band, rank …).

The staff register supplies the counts (``app.staff.stats``); this builder only draws them,
so any further breakdown plugs in without a new chart.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from .base import COLORS, layout, make_figure


def staff_composition(counts: Mapping[str, int], title: str, *, missing_label: str = "—") -> go.Figure:
    """A donut of counts by category (largest first); the hover shows count and share."""
    items = sorted(((k or missing_label, v) for k, v in counts.items() if v), key=lambda kv: kv[1], reverse=True)
    pie = dict(type="pie", labels=[k for k, _v in items], values=[v for _k, v in items], hole=0.45, sort=False,
               marker=dict(colors=[COLORS[i % len(COLORS)] for i in range(len(items))]),
               textinfo="percent", textposition="inside", insidetextorientation="horizontal",
               hovertemplate="%{label}：%{value:,}（%{percent}）<extra></extra>")
    return make_figure([pie], layout(title, height=320))
