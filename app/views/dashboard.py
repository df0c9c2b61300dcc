"""数据看板: the leaders' dashboard (the city, drilling down to a unit) and a unit's own
dashboard; plus plotly.js, served by the portal itself. Wiring only."""

from __future__ import annotations

from flask import Response, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user
from markupsafe import Markup, escape

from ..charts.assets import plotly_js, plotly_version
from ..charts.base import figure_json
from ..charts.dashboard import city_figures, unit_figures
from ..clock import today
from ..forms.base import format_rate
from ..models.unit import Unit
from ..reporting.comparison import ALL_UNITS, MATCHED
from ..reporting.dashboard import SHOWN, build_dashboard
from ..reporting.formatting import count, money
from ..reporting.units import scope_label
from ..scope import get_or_404, visible_unit_ids
from .figure_links import FigureLinks

DASHBOARD = "Dashboard"


def dashboard_page(view, unit_arg=None):
    """Render the dashboard for the request's user: the city (city-wide users), one unit
    (`unit_arg`, 404 outside the scope), or the user's own unit and those below it. The query
    string chooses each form's period (penalty=2026Q3 …), the comparison's units (compare=all:
    every unit; default the units with figures in both periods) and, for one unit, whether the
    units it took over count under it (successor=0: not)."""
    visible = visible_unit_ids()
    unit, unit_ids = None, None
    if unit_arg not in (None, ""):
        unit = get_or_404(Unit, unit_arg, "id")
        unit_ids = frozenset({unit.id})
        scope = unit.name
    else:
        unit = None if visible is None else getattr(current_user, "unit", None)
        scope = scope_label(visible, unit)
    city = visible is None and unit_ids is None
    mode = ALL_UNITS if request.args.get("compare") == ALL_UNITS else MATCHED
    successor = request.args.get("successor") != "0"
    data = build_dashboard(today(), unit_ids=unit_ids, scope=scope, city=city, visible=visible,
                           periods={form: request.args.get(form) for form in SHOWN}, mode=mode,
                           successor=successor)
    links = FigureLinks(successor="1" if successor and unit_ids is not None else None)
    if city:
        here = url_for("DashboardView.index")
        figures = city_figures(data, lambda uid: f"{here}?unit={int(uid)}")
    else:
        figures = unit_figures(data)
    own = {"unit": unit.id if unit_ids is not None else None}
    return view.render_template(
        "report/dashboard.html", data=data, unit=unit, city=city,
        figures=[(key, figure_json(fig)) for key, fig in figures],
        drill=visible is None and unit is not None, plotly_version=plotly_version(),
        docflow_cards=_docflow_cards(unit_ids if unit_ids is not None else visible),
        links=links, own=own, args=request.args,
        unit_rows=unit_rows_html(data, links, url_for("DashboardView.index")) if city else "",
        forms=SHOWN, modes=(MATCHED, ALL_UNITS),
        dashboard_url=url_for("DashboardView.index"),
        filings_url={form: url_for("FilingView.index", form_code=form) for form in SHOWN},
        compare_url={form: url_for("ReportView.compare_page", form_code=form) for form in SHOWN},
    )


def unit_rows_html(data, links: FigureLinks, here: str) -> Markup:
    """The rows of the units table, built in one pass (5,000 units: no template loop of macro
    calls): each unit's name opens its dashboard, each figure its filings."""
    pen, rec, lit = data.penalty_period, data.case_period, data.litigation_period
    cells = (("penalty", pen, "decisions_total", "decisions", count),
             ("penalty", pen, "amount_total", "amount", money),
             ("reconsideration", rec, "new_applications", "received", count),
             ("reconsideration", rec, "correction_rate", "correction_rate", format_rate),
             ("litigation", lit, "loss_rate", "loss_rate", format_rate))
    prefixes = [(escape(links(form, period, metric)), attr, show) for form, period, metric, attr, show in cells]
    out = []
    for u in data.units:
        uid = int(u.key)
        tds = "".join(f'<td><a href="{prefix}&amp;unit={uid}">{escape(show(getattr(u, attr)))}</a></td>'
                      for prefix, attr, show in prefixes)
        out.append(f'<tr data-key="{int(u.key)}"><td class="name"><a href="{here}?unit={int(u.key)}">'
                   f'{escape(u.label)}</a></td>{tds}</tr>')
    return Markup("\n".join(out))


def _docflow_cards(unit_ids):
    """规范性文件备案 and 信息报送 cards (app.views.docflow), for readers of those modules."""
    from ..security import has_perm
    from .docflow import dashboard_cards

    return dashboard_cards(unit_ids) if has_perm(current_user, "can_read", "NormativeDoc") else None


class DashboardView(BaseView):
    """/dashboard/ — every role; the scope decides what it covers."""

    route_base = "/dashboard"
    class_permission_name = DASHBOARD
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return dashboard_page(self, request.args.get("unit"))


class ChartAssetView(BaseView):
    """plotly.js from the portal (never a CDN). Public like any static file: it holds no data."""

    route_base = "/charts"
    default_view = "plotly"

    @expose("/plotly.min.js")
    def plotly(self):
        data, etag = plotly_js()
        resp = Response(data, mimetype="application/javascript")
        resp.set_etag(etag)
        resp.cache_control.public = True
        resp.cache_control.max_age = 7 * 24 * 3600
        return resp.make_conditional(request)
