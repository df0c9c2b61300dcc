"""What every figure shares: fonts that render Chinese, colours, margins, hover style, and
the JSON a page embeds (safe inside a <script> element).

Figure builders take aggregated data (plain lists of labels and numbers) and return a plotly
``Figure``; they run no queries and need no request.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import plotly.graph_objects as go
from flask_babel import gettext as _
from plotly.utils import PlotlyJSONEncoder

FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif'
COLORS = ["#2f6fb0", "#e8833a", "#3a9b5b", "#c4443b", "#7d5ba6", "#8c6d31", "#d16fa8", "#6b6b6b",
          "#b5b83a", "#2eb3c4", "#a9c6e8", "#f4bb8b", "#9fd3a6", "#eda19c"]
ON_TIME, LATE, MISSING = "#3a9b5b", "#e8a33a", "#c4443b"
BAR_HEIGHT = 24


def number(value) -> float | int | None:
    """A value plotly can carry: Decimal → float, None stays a gap."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def numbers(values) -> list:
    return [number(v) for v in values]


def layout(title: str, height: int = 360, **extra) -> dict:
    """The portal's figure layout (no plotly template: small JSON, our own look)."""
    base = dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        font=dict(family=FONT, size=12, color="#333"),
        colorway=COLORS,
        height=height,
        margin=dict(l=10, r=20, t=70 if "<br>" in str(title) else 48, b=40, pad=2),
        paper_bgcolor="#fff",
        plot_bgcolor="#fff",
        hoverlabel=dict(font=dict(family=FONT, size=12), bgcolor="#fff"),
        legend=dict(font=dict(size=11)),
        separators=".,",
        template={},
    )
    base.update(extra)
    return base


def tick_label(period, first: bool = True) -> str:
    """A period on an axis, compact: Q1<br>2024 (the year under the first period of a year
    or of the axis), 上半年<br>2024, 2024年."""
    if period.kind == "year":
        return _("%(year)d年", year=period.year)
    name = f"Q{period.index}" if period.kind == "quarter" else (_("上半年") if period.index == 1 else _("下半年"))
    return f"{name}<br>{period.year}" if first or period.index == 1 else name


def period_ticks(periods) -> list[str]:
    """Compact axis labels for consecutive periods (year shown once per year)."""
    return [tick_label(p, i == 0) for i, p in enumerate(periods)]


def category_axis(categories, ticks=None) -> dict:
    """An x axis of categories; `ticks` (same length) are shorter labels to show."""
    out = dict(type="category", tickangle=0)
    if ticks is not None:
        out.update(tickmode="array", tickvals=list(categories), ticktext=list(ticks))
    return out


def axis(title: str = "", **extra) -> dict:
    return dict(title=dict(text=title), gridcolor="#e5e5e5", zerolinecolor="#bbb", automargin=True,
                linecolor="#999", **extra)


# Plotly validates every property it is given, which costs ~20 ms a figure; the builders are
# checked against the schema by the tests (they switch this on), so pages skip it.
VALIDATE = False


class PageFigure:
    """A figure as the plain trace and layout dicts a builder made. A page only embeds its JSON,
    serialised straight from the dicts: plotly's Figure (whose construction and `to_json`
    copy every property: ~1 ms a figure, 11 on the dashboard) is built only when something
    reads it — an attribute (`fig.data`, `fig.layout`, `to_plotly_json`) is the Figure's. A figure
    is not changed once made."""

    __slots__ = ("_plain", "_figure")

    def __init__(self, traces: list[dict], layout_dict: dict) -> None:
        self._plain = {"data": traces, "layout": layout_dict}
        self._figure = self._build(True) if VALIDATE else None

    def figure(self) -> go.Figure:
        """plotly's Figure of the same dicts (built once)."""
        if self._figure is None:
            self._figure = self._build(False)
        return self._figure

    def _build(self, validate: bool) -> go.Figure:
        # from a copy: plotly takes some keys out of the dicts it is given (the traces' "type")
        return go.Figure(copy.deepcopy(self._plain), _validate=validate)

    def __getattr__(self, name):
        if name.startswith("__") or name in self.__slots__:  # copy/pickle probes; unset slots
            raise AttributeError(name)
        return getattr(self.figure(), name)

    def to_json(self) -> str:
        """The figure's JSON, straight from the dicts (no builder changes a figure once made)."""
        return json.dumps(self._plain, cls=PlotlyJSONEncoder, separators=(",", ":"))


def make_figure(traces: list[dict], layout_dict: dict) -> PageFigure:
    """One figure from plain trace and layout dicts (a PageFigure: plotly's Figure on demand)."""
    return PageFigure(traces, layout_dict)


def figure_json(fig) -> str:
    """The figure's JSON, made safe to embed in an HTML <script type="application/json">."""
    text = fig.to_json()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def money_hover(unit_label: str) -> str:
    return "%{y}<br>%{x:,.2f} " + unit_label + "<extra></extra>"
