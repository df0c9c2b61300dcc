"""The portal's plotly figures as static images, drawn on the server by matplotlib (no browser,
no network): for documents that are printed — the analysis report's charts.

It reads the figure the page shows (its traces' numbers, names and colours, its titles and axis
formats), so a printed chart and the page's chart are the same figure; no statistics are computed
here. Handles what the builders in app/charts make: bars (vertical or horizontal, stacked or
grouped) and lines, with a second y axis.
"""

from __future__ import annotations

import io
import json
import re

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from ..content_cache import ContentCache, made_by

FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)
FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
WIDTH_MM, DPI = 156, 200  # the GB/T 9704 text block: printed at its size, so 9 pt is 9 pt on paper
FONT_PT, TITLE_PT = 9, 10.5

_ready = False


def _setup():
    """matplotlib without a display, with the CJK font from the local file."""
    global _ready
    import matplotlib

    matplotlib.use("Agg", force=False)
    if not _ready:
        from matplotlib import font_manager

        for path in FONT_FILES:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):
                pass
        _ready = True
    import matplotlib.pyplot as plt

    return plt


def _plain(text) -> str:
    """Plotly's label markup (<br>, <b> …) as plain text on one or more lines."""
    text = "" if text is None else str(text)
    return re.sub(r"<[^>]+>", "", text.replace("<br>", "\n"))


def _title(obj) -> str:
    if obj is None:
        return ""
    t = getattr(obj, "title", None)
    return _plain(getattr(t, "text", None) or "")


def _formatter(tickformat: str | None):
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if tickformat and tickformat.endswith("%"):
        return PercentFormatter(1.0, decimals=0)
    return FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1 or v == 0 else f"{v:,.2f}")


def _categories(axis, values) -> tuple[list, list[str]]:
    """Positions and tick labels of a category axis (the axis's own short ticks when it has them)."""
    labels = [str(v) for v in values]
    if axis is not None and axis.ticktext is not None and axis.tickvals is not None:
        short = dict(zip([str(v) for v in axis.tickvals], axis.ticktext, strict=False))
        labels = [short.get(v, v) for v in labels]
    return list(range(len(values))), [_plain(v) for v in labels]


# Drawn images by the figure they draw (its whole JSON: numbers, labels, colours) and height,
# in the process and, with Redis, for every worker and server (app.content_cache): matplotlib
# takes 0.1–0.5 s a chart, more than the figures' SQL.
SHARED_PREFIX = "portal:chart:"
# drawn PNGs, by the figure's whole content and this drawing code (a new release draws anew)
CHARTS = ContentCache(SHARED_PREFIX, made_by(__file__, packages=("matplotlib",)), max_local=64)


def render_png(fig: go.Figure, height_mm: float | None = None) -> bytes:
    """`fig` as a PNG WIDTH_MM wide at DPI (text at FONT_PT on paper); drawn once for the same
    figure in any worker (app.content_cache)."""
    material = f"{height_mm}|" + json.dumps(fig.to_plotly_json(), sort_keys=True, cls=PlotlyJSONEncoder)
    return CHARTS.get(material, lambda: _draw(fig, height_mm))


def _draw(fig: go.Figure, height_mm: float | None) -> bytes:
    plt = _setup()
    layout = fig.layout
    bars = [t for t in fig.data if t.type == "bar"]
    lines = [t for t in fig.data if t.type == "scatter"]
    horizontal = bool(bars) and all(t.orientation == "h" for t in bars)
    n_cat = len(bars[0].y if horizontal else bars[0].x) if bars else 0
    if height_mm is None:
        height_mm = min(200.0, max(70.0, 28 + 6.5 * n_cat)) if horizontal else 85.0
    plt.rcParams.update({"font.family": FAMILIES, "font.size": FONT_PT, "axes.titlesize": TITLE_PT,
                         "axes.unicode_minus": False})
    f, ax = plt.subplots(figsize=(WIDTH_MM / 25.4, height_mm / 25.4), dpi=DPI)
    ax2 = None
    stacked = layout.barmode == "stack"
    cats = None
    if bars:
        first = bars[0]
        cat_values = list(first.y if horizontal else first.x)
        pos, labels = _categories(layout.yaxis if horizontal else layout.xaxis, cat_values)
        cats = cat_values
        width = 0.8 if stacked or len(bars) == 1 else 0.8 / len(bars)
        base = [0.0] * len(pos)
        for i, t in enumerate(bars):
            vals = [float(v) if v is not None else 0.0 for v in (t.x if horizontal else t.y)]
            color = t.marker.color if t.marker and isinstance(t.marker.color, str) else None
            offs = [p + (0 if stacked or len(bars) == 1 else (i - (len(bars) - 1) / 2) * width) for p in pos]
            if horizontal:
                ax.barh(offs, vals, height=width, left=base if stacked else None, color=color, label=_plain(t.name))
            else:
                ax.bar(offs, vals, width=width, bottom=base if stacked else None, color=color, label=_plain(t.name))
            if stacked:
                base = [b + v for b, v in zip(base, vals, strict=True)]
            if len(bars) == 1 and t.text is not None:
                for o, v, text in zip(offs, vals, t.text, strict=False):
                    if horizontal:
                        ax.annotate(_plain(text), (v, o), xytext=(3, 0), textcoords="offset points", va="center",
                                    fontsize=FONT_PT - 0.5)
        if horizontal:
            ax.set_yticks(pos, labels)
            if layout.yaxis.autorange == "reversed":
                ax.invert_yaxis()
            ax.xaxis.set_major_formatter(_formatter(layout.xaxis.tickformat))
        else:
            ax.set_xticks(pos, labels)
            ax.yaxis.set_major_formatter(_formatter(layout.yaxis.tickformat))
    for t in lines:
        x_values = list(t.x)
        if cats is None:
            pos, labels = _categories(layout.xaxis, x_values)
            cats = x_values
            ax.set_xticks(pos, labels)
        index = {str(c): k for k, c in enumerate(cats)}
        xs = [index.get(str(x), k) for k, x in enumerate(x_values)]
        ys = [float(v) if v is not None else float("nan") for v in t.y]
        target = ax
        if t.yaxis == "y2":
            if ax2 is None:
                ax2 = ax.twinx()
                ax2.yaxis.set_major_formatter(_formatter(layout.yaxis2.tickformat))
                ax2.set_ylabel(_title(layout.yaxis2))
                if layout.yaxis2.range:
                    ax2.set_ylim(*layout.yaxis2.range)
            target = ax2
        color = t.line.color if t.line and t.line.color else None
        style = ":" if t.line and t.line.dash == "dot" else "-"
        target.plot(xs, ys, style, marker="o", markersize=3, linewidth=1.6, color=color, label=_plain(t.name))
        if not bars:
            ax.yaxis.set_major_formatter(_formatter(layout.yaxis.tickformat))
    ax.set_title(_title(layout), loc="left")
    ax.set_xlabel(_title(layout.xaxis))
    ax.set_ylabel(_title(layout.yaxis))
    ax.grid(axis="x" if horizontal else "y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(ax2 is not None and side == "right")
    if not horizontal and cats is not None and len(cats) > 8:
        plt.setp(ax.get_xticklabels(), rotation=0)
    handles, names = ax.get_legend_handles_labels()
    if ax2 is not None:
        h2, n2 = ax2.get_legend_handles_labels()
        handles, names = handles + h2, names + n2
    if len(handles) > 1 and layout.showlegend is not False:
        f.legend(handles, names, loc="lower center", ncol=min(len(handles), 4), frameon=False,
                 fontsize=FONT_PT - 0.5)
        f.tight_layout(rect=(0, 0.08 + 0.04 * ((len(handles) - 1) // 4), 1, 1))
    else:
        f.tight_layout()
    # tight_layout leaves a placeholder layout engine, and savefig then draws the whole figure a
    # first time (with drawing switched off) before drawing it: 15–20 % of a chart's time. The
    # margins are set; the same image without the engine.
    f.set_layout_engine(None)
    out = io.BytesIO()
    # zlib level 1, not PIL's 6: the same pixels, PNGs ~10 % larger (a docx of seven charts
    # ~0.5 → 0.58 MB), the drawing ~13 % faster — redrawn after every acceptance on deadline day
    f.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    plt.close(f)
    return out.getvalue()
