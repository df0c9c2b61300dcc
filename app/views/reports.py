"""统计报表, 对比分析, 明细导出 and 分析报告: pages and their downloads. Wiring only — the
numbers come from app.reporting (scope applied there), the workbooks from app.exports and
the figures from app.charts. A page and its export call the same data function.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from .. import jobs
from ..audit import record
from ..charts.assets import plotly_version
from ..charts.base import figure_json
from ..charts.ranking import ranked_bar
from ..clock import today
from ..exports.docx import DOCX_MIME, analysis_docx
from ..exports.pdf import PDF_MIME, render_pdf
from ..exports.reports import (
    XLSX_MIME,
    comparison_cells,
    comparison_columns,
    comparison_xlsx,
    detail_xlsx,
    report_xlsx,
)
from ..exports.table_print import comparison_print, report_print
from ..extensions import db
from ..filing.periods import HALF, Period, PeriodError, last_complete
from ..filing.values import printable
from ..forms import FORMS, get_form
from ..forms.base import format_rate
from ..models.unit import UNIT_KINDS
from ..reporting.aggregate import KIND, UNIT, StatsQuery
from ..reporting.analysis import build_analysis, headline_names
from ..reporting.comparison import ALL_UNITS, MATCHED, compare, compare_text, sorted_by_rank
from ..reporting.detail import detail_rows
from ..reporting.measures import derived, kind_of, label_of, measures
from ..reporting.params import STATES, parse_filters, period_choices
from ..reporting.report import (
    basis_label,
    basis_text,
    build_report,
    group_label,
    local_text,
    money_unit_label,
    period_text,
)
from ..reporting.rollup import RangeError
from ..reporting.units import scope_label
from ..scope import scoped_units, unit_choices, visible_unit_ids
from .figure_links import FigureLinks

REPORTS = "Reports"


def _spec_or_404(form_code: str):
    if form_code not in FORMS:
        abort(404)
    return get_form(form_code)


def _context(form_code: str):
    """The form (404 when unknown), filters from the query string (in scope), the scope's name and
    the filter choices: what a form's page and its download start from."""
    spec = _spec_or_404(form_code)
    visible = visible_unit_ids()
    filters = parse_filters(spec, request.args, today(), visible)
    for message in filters.errors:
        flash(message, "warning")
    scope = scope_label(visible, getattr(current_user, "unit", None))
    choices = dict(periods=period_choices(spec, today()), kinds=UNIT_KINDS, units=unit_choices(),
                   forms=FORMS, spec=spec, args=request.args, filters=filters, scope=scope)
    return spec, filters, scope, choices


def _download(data, filename: str, mimetype: str = XLSX_MIME):
    """Send a report's file (bytes, or a file positioned at its start), recording the export in
    the audit log: who took which figures, with the filters as asked, from which address."""
    filters = {printable(k, 32): [printable(v) for v in vs[:50]] for k, vs in list(request.args.lists())[:20]}
    record("export.report", "report", None, {"file": filename, "path": request.path, "filters": filters})
    db.session.commit()
    body = data if hasattr(data, "read") else io.BytesIO(data)
    return send_file(body, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)


def _filename(*parts: str, ext: str = "xlsx") -> str:
    return "-".join(p for p in parts if p) + "." + ext


def rows_html(report, links=None) -> Markup:
    """<tbody> and <tfoot> of the report table, built in one pass (a table of 500 units × 40
    figures renders several times faster than a cell-by-cell template loop). Names and keys
    are escaped; figures are formatted numbers; column names come from the form's declaration.
    `links(row)` gives the addresses of a row's figures' sources, one per column ("" for none)."""
    names = report.names
    # each figure cell's opening tag, once; figures are formatted numbers (digits, separators,
    # %, —, *): escaped anyway when a column is text, which only the label column is
    opening = [f'<td data-col="{escape(n)}">' for n in names]
    text_col = [c.kind == "text" for c in report.columns]
    any_text = any(text_col[1:])  # the label (escaped below) is the only text column of most forms
    none = [""] * len(names)

    def row(r, css: str = "") -> str:
        texts = report.texts(r)
        if any_text:
            texts = [escape(t) if tc else t for t, tc in zip(texts, text_col, strict=True)]
        hrefs = links(r) if links else none
        cells = "".join([f'{o}<a href="{h}">{t}</a></td>' if h and v is not None and not tc else f"{o}{t}</td>"
                         for o, t, h, v, tc in zip(opening, texts, hrefs, r.cells, text_col, strict=True)][1:])
        return f'<tr{css} data-key="{escape(str(r.key))}"><td class="name">{escape(texts[0])}</td>{cells}</tr>'

    empty = escape(_("所选范围内没有符合条件的报表数据"))
    body = "\n".join(row(r) for r in report.rows) or (
        f'<tr><td class="name text-muted" colspan="{len(names)}">{empty}</td></tr>')
    total = row(report.total, ' class="total"')
    return Markup(f"<tbody>\n{body}\n</tbody>\n<tfoot>{total}</tfoot>")


def compare_rows_html(cmp, rows, link, money_unit: str) -> Markup:
    """<tbody> of the comparison table (each unit's rows, then the total), built in one pass like
    rows_html: 5,000 units render in a fraction of a cell-by-cell template's time. A figure links
    to its sources (`link(row, period, pair)`, "" for none)."""
    from ..reporting.formatting import count, money, pct_plain, pct_signed, points

    kind, rate = cmp.kind, cmp.is_rate

    def show(v) -> str:
        if kind == "money":
            return money(v, money_unit)
        return format_rate(v) if kind == "rate" else count(v)

    def delta(v) -> str:
        if v is None:
            return "—"
        if rate:
            return points(v)
        return money(v, money_unit, signed=True) if kind == "money" else f"{v:+,}"

    # Figures are formatted from numbers (digits, signs, 万元, %, —): nothing to escape. The
    # labels are escaped, and the addresses' "&" (urlencode leaves no other markup character).
    def linked(r, value, period, pair=None) -> str:
        text = show(value)
        href = link(r, period, pair) if value is not None else ""
        return f'<a href="{href.replace("&", "&amp;")}">{text}</a>' if href else text

    def row(r, css: str = "") -> str:
        cells = [f'<td class="name">{escape(r.label)}</td>',
                 f'<td data-col="current">{linked(r, r.current, cmp.period)}</td>',
                 f'<td data-col="yoy_base">{linked(r, r.yoy_base, cmp.yoy_period, cmp.period)}</td>',
                 f'<td data-col="yoy_change">{delta(r.yoy_change)}</td>',
                 f'<td data-col="yoy_pct">{"—" if rate else pct_signed(r.yoy_pct)}</td>']
        if cmp.mom_period:
            cells += [f'<td data-col="mom_base">{linked(r, r.mom_base, cmp.mom_period, cmp.period)}</td>',
                      f'<td data-col="mom_change">{delta(r.mom_change)}</td>',
                      f'<td data-col="mom_pct">{"—" if rate else pct_signed(r.mom_pct)}</td>']
        cells.append(f'<td data-col="rank">{r.rank or ""}</td>')
        if not rate:
            cells.append(f'<td data-col="share">{pct_plain(r.share)}</td>')
        return f'<tr class="{css}" data-key="{escape(str(r.key))}">{"".join(cells)}</tr>'

    body = [row(r) for r in rows] + [row(cmp.total, "total")]
    return Markup("<tbody>\n" + "\n".join(body) + "\n</tbody>")


def _report_links(spec, filters, names: list[str]):
    """`links(row)`: the sources address of each of a row's figures (`names`: the report's
    columns; "" where a column has none), for a report over one period grouped by unit or kind
    (the sources page answers for one period); None otherwise. The total links with the
    report's own unit and kind choices."""
    q = filters.query
    if q.end != q.first or q.by not in (UNIT, KIND):
        return None
    wanted = {m.name for m in measures(spec)} | set(derived(spec))
    links = FigureLinks(successor="1" if q.successor else None,
                        basis=filters.basis if filters.basis != "accepted" else None)
    kinds = sorted(q.kinds) if q.kinds else None
    by_kind: dict[str, list[str]] = {}  # a kind's row: the same addresses in every report

    def addresses(unit=None, kind=None) -> list[str]:
        return [links(spec.code, q.first, n, unit, kind=kind) if n in wanted else "" for n in names]

    # a unit's row: the address without the unit, once per column (20,000 cells, 40 figures)
    prefixes = addresses(kind=tuple(kinds) if kinds else None) if q.by == UNIT else None

    def row_links(row) -> list[str]:
        if row.total:
            return addresses(sorted(q.unit_ids) if q.unit_ids else None, kinds)
        if q.by == KIND:
            found = by_kind.get(row.key)
            if found is None:
                found = by_kind[row.key] = addresses(kind=row.key)
            return found
        unit = f"&unit={int(row.key)}"
        return [p and p + unit for p in prefixes]

    return row_links


class ReportView(BaseView):
    """/reports/ … — one set of pages for every declared form."""

    route_base = "/reports"
    class_permission_name = REPORTS
    method_permission_name = {name: "read" for name in (
        "index", "table", "table_xlsx", "compare_page", "compare_xlsx", "filings_xlsx", "analysis",
        "analysis_docx", "indicators", "trend", "table_print", "table_pdf", "compare_pdf", "analysis_pdf",
        "analysis_print", "sources")}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("report/index.html", forms=FORMS)

    @expose("/indicators")
    @has_access
    def indicators(self):
        """指标说明: every rate's numerator, denominator and source fields per form version."""
        from ..forms import VERSIONS
        from ..reporting.indicators import OTHER, definitions, min_base

        return self.render_template("report/indicators.html", defs=definitions(), other=OTHER,
                                    versions=VERSIONS, min_base=min_base())

    @expose("/<form_code>/sources")
    @has_access
    def sources(self, form_code):
        """数据来源: the units and filings behind one figure (from the dashboard, reports and
        comparisons), in the user's scope; units outside it are dropped."""
        from ..filing.workflow import state_label
        from ..reporting.comparison import MATCHED
        from ..reporting.sources import figure_sources

        spec = _spec_or_404(form_code)
        visible = visible_unit_ids()
        try:
            period = Period.parse(request.args.get("period", ""))
            pair = Period.parse(request.args["pair"]) if request.args.get("pair") else None
        except PeriodError as exc:
            flash(str(exc), "warning")
            period, pair = last_complete(spec.period_kind, today()), None
        names = [m.name for m in measures(spec)] + list(derived(spec))
        metric = request.args.get("metric", "")
        if metric not in names:
            metric = (headline_names(spec) or [(names[0], "")])[0][0]
        chosen = [int(u) for u in request.args.getlist("unit") if u.isascii() and u.isdigit() and len(u) <= 9]
        unit_ids = None
        if chosen:
            unit_ids = {u for u in chosen if visible is None or u in visible}
        kinds = [k for k in request.args.getlist("kind") if k in UNIT_KINDS] or None
        basis = request.args.get("basis") if request.args.get("basis") in STATES else "accepted"
        successor = request.args.get("successor") == "1"
        try:
            src = figure_sources(form_code, period, metric, unit_ids, successor, STATES[basis], pair, kinds)
        except (RangeError, KeyError):
            abort(404)
        return self.render_template(
            "report/sources.html", spec=spec, src=src, metric_label=label_of(spec, metric),
            kind=kind_of(spec, metric), scope=scope_label(visible, getattr(current_user, "unit", None)),
            successor=successor, basis=basis_text(StatsQuery(form_code, period, states=STATES[basis])),
            matched=MATCHED, state_label=state_label)

    @expose("/<form_code>/trend")
    @has_access
    def trend(self, form_code):
        """One figure of the form over many periods (default: twenty years), city total in the
        user's scope; a rate whose definition changes with a form version says so on the chart."""
        from ..charts.trend import trend as trend_chart
        from ..reporting.aggregate import CITY, StatsQuery, aggregate
        from ..reporting.indicators import definition_notes
        from ..reporting.measures import kind_of
        from ..reporting.rollup import RangeError, check_range

        spec = _spec_or_404(form_code)
        kind = spec.period_kind
        last = last_complete(kind, today())
        first = Period(last.year - 19, kind, 1)
        try:
            first = Period.parse(request.args["from"]) if request.args.get("from") else first
            last = Period.parse(request.args["to"]) if request.args.get("to") else last
            check_range(kind, first, last)
            if first.kind != kind:
                raise RangeError(_("报告期类型与报表不符"))
        except (PeriodError, RangeError) as exc:
            flash(str(exc), "warning")
            last = last_complete(kind, today())
            first = Period(last.year - 19, kind, 1)
        unit = self._trend_unit()
        base = StatsQuery(form_code, first, last, split=True, by=CITY,
                          unit_ids=frozenset({unit.id}) if unit is not None else None)
        table = aggregate(base)
        names = {m.name: m.label for m in measures(table.spec)}
        names.update({k: str(v.label) for k, v in derived(table.spec).items()})
        metric = request.args.get("metric") or (spec.rates[0].name if spec.rates else next(iter(names)))
        if metric not in names:
            flash(_("未知的指标，已显示默认指标"), "warning")
            metric = spec.rates[0].name if spec.rates else next(iter(names))
        series = table.series(metric)
        lines = [(names[metric], [v for _p, v in series])]
        merged = []
        if unit is not None:
            # The unit's own filings, and with the units it succeeded counted under it
            # (app.reporting.units): a merge shows as a jump in the first line only.
            from ..reporting.units import final_successors

            final = final_successors()
            merged = [u.short_name for u in scoped_units() if final.get(u.id) == unit.id]
            with_successors = aggregate(replace(base, successor=True)).series(metric)
            lines = [(_("%(unit)s：本单位填报", unit=unit.short_name), [v for _p, v in series]),
                     (_("%(unit)s：含撤并单位", unit=unit.short_name), [v for _p, v in with_successors])]
        metric_kind = kind_of(table.spec, metric)
        notes = definition_notes(form_code, metric, first, last) if metric_kind == "rate" else []
        # Over many periods the axis names each year once (the hover keeps the full period).
        ticks = [str(p.year) if p.index == 1 else "" for p, _v in series] if len(series) > 12 else None
        chart = trend_chart([p.label for p, _v in series], lines,
                            _("%(form)s：%(metric)s", form=spec.menu_title, metric=names[metric]),
                            "" if metric_kind == "rate" else _("件"), kind=metric_kind, notes=notes, ticks=ticks)
        return self.render_template("report/trend.html", spec=spec, forms=FORMS, metric=metric,
                                    label=names[metric], metrics=list(names.items()), first=first, last=last,
                                    notes=notes, chart=figure_json(chart), plotly_version=plotly_version(),
                                    units=scoped_units(), unit=unit, merged=merged)

    @staticmethod
    def _trend_unit():
        """The unit the trend is drawn for (`unit` = its id), None for the whole scope; 404 for a
        unit that does not exist or that the user may not see."""
        raw = request.args.get("unit")
        if not raw:
            return None
        from ..models.unit import Unit
        from ..scope import get_or_404

        return get_or_404(Unit, raw, unit_attr="id")

    @expose("/<form_code>/")
    @has_access
    def table(self, form_code):
        _spec, filters, scope, ctx = _context(form_code)
        report = build_report(filters.query, scope, filters.money)
        return self.render_template("report/table.html", report=report,
                                    rows_html=rows_html(report, _report_links(_spec, filters, report.names)), **ctx)

    @expose("/<form_code>/export.xlsx")
    @has_access
    def table_xlsx(self, form_code):
        spec, filters, scope, _ctx = _context(form_code)
        report = build_report(filters.query, scope, filters.money)
        return _download(report_xlsx(report), _filename(spec.title, period_text(filters.query)))

    @expose("/<form_code>/print")
    @has_access
    def table_print(self, form_code):
        """The report as it prints (the PDF's template, in the browser)."""
        _spec, filters, scope, _ctx = _context(form_code)
        t = report_print(build_report(filters.query, scope, filters.money))
        return self.render_template("print/table.html", t=t, doc_title=t.title, body_class=t.body_class,
                                    for_pdf=False, pdf_url=url_for("ReportView.table_pdf", form_code=form_code,
                                                                   **request.args.to_dict()))

    @expose("/<form_code>/export.pdf")
    @has_access
    def table_pdf(self, form_code):
        spec, filters, scope, _ctx = _context(form_code)
        t = report_print(build_report(filters.query, scope, filters.money))
        data = render_pdf("print/table.html", t=t, doc_title=t.title, body_class=t.body_class)
        return _download(data, _filename(spec.title, period_text(filters.query), ext="pdf"), PDF_MIME)

    def _comparison(self, spec, filters):
        metric = request.args.get("metric", "")
        names = [m.name for m in measures(spec)] + list(derived(spec))
        if metric not in names:
            metric = (headline_names(spec) or [(names[0], "")])[0][0]
        mode = ALL_UNITS if request.args.get("compare") == ALL_UNITS else MATCHED
        q = filters.query.but(names=frozenset({metric}))
        return compare(q, metric, mode=mode, visible=visible_unit_ids()), metric, names

    @expose("/<form_code>/compare")
    @has_access
    def compare_page(self, form_code):
        spec, filters, scope, ctx = _context(form_code)
        cmp, metric, names = self._comparison(spec, filters)
        rows = sorted_by_rank(cmp.rows)
        label = label_of(spec, metric)
        chart = ranked_bar([r.label for r in rows], [r.current for r in rows],
                           _("%(metric)s排名（%(period)s）", metric=label, period=cmp.period.label), label,
                           kind=cmp.kind, limit=30)
        q = filters.query
        links = FigureLinks(successor="1" if q.successor else None,
                            basis=filters.basis if filters.basis != "accepted" else None)
        group_arg = {UNIT: "unit", KIND: "kind"}.get(q.by)
        prefixes: dict[tuple, str] = {}  # a unit's address without its id, per column: 1,500 cells

        def link(r, period, pair=None):
            """The sources of a row's figure: its unit or kind, or (the total) every unit asked for."""
            pair = pair if cmp.matched else None
            if r is cmp.total:
                extra = {"kind": sorted(q.kinds)} if q.kinds else {}
                if q.unit_ids:
                    extra["unit"] = sorted(q.unit_ids)
                return links(spec.code, period, metric, pair=pair, **extra)
            if group_arg == "kind":
                return links(spec.code, period, metric, kind=r.key)
            if group_arg != "unit":
                return ""
            column = (period, pair)
            found = prefixes.get(column)
            if found is None:
                found = prefixes[column] = links(spec.code, period, metric, pair=pair)
            return f"{found}&unit={int(r.key)}"

        return self.render_template(
            "report/compare.html", cmp=cmp, rows=rows, metric=metric, metric_label=label,
            metrics=[(n, label_of(spec, n)) for n in names], chart=figure_json(chart),
            unit_header=group_label(filters.query.by), basis=basis_text(filters.query),
            plotly_version=plotly_version(), link=link,
            table_rows=compare_rows_html(cmp, rows, link, filters.money), **ctx)

    def _comparison_download(self, spec, filters, scope):
        """What the comparison's xlsx and pdf share: the comparison, its metric and label (with the
        money unit), the heading lines and the title."""
        cmp, metric, _names = self._comparison(spec, filters)
        label = label_of(spec, metric)
        if cmp.kind == "money":
            label = f"{label}（{money_unit_label(filters.money)}）"
        meta = [(_("统计范围"), scope), (_("指标"), label), (_("报告期"), cmp.period.label),
                (_("数据口径"), basis_text(filters.query)), (_("对比口径"), compare_text(cmp))]
        return cmp, metric, label, meta, _("%(form)s对比分析", form=spec.menu_title)

    @expose("/<form_code>/compare.xlsx")
    @has_access
    def compare_xlsx(self, form_code):
        spec, filters, scope, _ctx = _context(form_code)
        cmp, metric, label, meta, title = self._comparison_download(spec, filters, scope)
        data = comparison_xlsx(cmp, title, meta, label, group_label(filters.query.by), filters.money)
        return _download(data, _filename(title, label_of(spec, metric), cmp.period.key))

    @expose("/<form_code>/compare.pdf")
    @has_access
    def compare_pdf(self, form_code):
        spec, filters, scope, _ctx = _context(form_code)
        cmp, metric, label, meta, title = self._comparison_download(spec, filters, scope)
        columns = comparison_columns(cmp, label, group_label(filters.query.by))
        t = comparison_print(cmp, title, meta, columns, comparison_cells, filters.money)
        data = render_pdf("print/table.html", t=t, doc_title=title, body_class=t.body_class)
        return _download(data, _filename(title, label_of(spec, metric), cmp.period.key, ext="pdf"), PDF_MIME)

    @expose("/<form_code>/filings.xlsx")
    @has_access
    def filings_xlsx(self, form_code):
        spec, filters, scope, _ctx = _context(form_code)
        if jobs.should_queue():  # many rows: built by the export worker, not this request's worker
            job = jobs.submit(current_user, _("%(form)s明细", form=spec.title))
            return redirect(url_for("ExportJobView.show", job_id=job.id))
        q = filters.query
        meta = [(_("统计范围"), scope), (_("报告期"), period_text(q)), (_("数据口径"), basis_text(q)),
                (_("金额单位"), money_unit_label(filters.money))]
        title = _("%(form)s明细", form=spec.title)
        spool = tempfile.TemporaryFile()
        detail_xlsx(form_code, title, meta, detail_rows(q), filters.money, target=spool)
        spool.seek(0)
        return _download(spool, _filename(title, period_text(q)))

    def _analysis(self):
        try:
            period = Period.parse(request.args["period"]) if request.args.get("period") else None
        except PeriodError as exc:
            flash(str(exc), "warning")
            period = None
        period = period or last_complete(HALF, today())
        basis = request.args.get("basis") if request.args.get("basis") in STATES else "accepted"
        visible = visible_unit_ids()
        scope = scope_label(visible, getattr(current_user, "unit", None))
        return build_analysis(period, scope, visible, STATES[basis], successor=request.args.get("successor") == "1",
                              basis=basis_label(STATES[basis])), basis

    @expose("/analysis")
    @has_access
    def analysis(self):
        """The analysis page: its figures are the ones the printed report draws (app.charts.analysis)."""
        from ..charts.analysis import analysis_figures
        from ..reporting.findings import analysis_trends

        a, basis = self._analysis()
        trends = analysis_trends(a.period, STATES[basis], successor=request.args.get("successor") == "1")
        figures = [(key, figure_json(fig)) for key, fig in analysis_figures(a, trends)]
        charts = {key.removeprefix("top-"): json for key, json in figures if key.startswith("top-")}
        return self.render_template("report/analysis.html", a=a, basis=basis, charts=charts,
                                    figures=[(k, j) for k, j in figures if not k.startswith("top-")],
                                    periods=period_choices(get_form("penalty"), today()),
                                    generated=local_text(a.generated_at), plotly_version=plotly_version())

    def _official(self):
        """The analysis report as a document: the analysis of the page, its city trends and the
        rules' findings (all in the user's scope)."""
        from ..exports.analysis_doc import official_report
        from ..reporting.findings import analysis_trends, findings

        a, basis = self._analysis()
        states = STATES[basis]
        trends = analysis_trends(a.period, states, successor=request.args.get("successor") == "1")
        return a, official_report(a, trends, findings(a, trends, states), today())

    @expose("/analysis/print")
    @has_access
    def analysis_print(self):
        """The analysis report as it prints (the PDF's template, in the browser)."""
        from ..exports.analysis_doc import ordinal

        _a, r = self._official()
        args = request.args.to_dict()
        return self.render_template("print/analysis.html", r=r, ordinal=ordinal, doc_title=r.title,
                                    body_class="official", for_pdf=False,
                                    pdf_url=url_for("ReportView.analysis_pdf", **args),
                                    docx_url=url_for("ReportView.analysis_docx", **args))

    @expose("/analysis.pdf")
    @has_access
    def analysis_pdf(self):
        from ..exports.analysis_doc import ordinal

        a, r = self._official()
        data = render_pdf("print/analysis.html", r=r, ordinal=ordinal, doc_title=r.title, body_class="official")
        return _download(data, _filename(_("法制统计分析报告"), a.period.key, ext="pdf"), PDF_MIME)

    @expose("/analysis.docx")
    @has_access
    def analysis_docx(self):
        a, r = self._official()
        return _download(analysis_docx(r), _filename(_("法制统计分析报告"), a.period.key, ext="docx"), DOCX_MIME)
