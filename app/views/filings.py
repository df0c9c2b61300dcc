"""Filing pages: list, show, edit, transitions and correction requests. Wiring only: the
engine (app.filing) decides what is allowed; the scope (app.scope) decides what is seen."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..clock import today
from ..extensions import db
from ..filing import corrections, review, workflow
from ..filing.copy import may_copy
from ..filing.deadlines import draftable, next_due, opening, openings
from ..filing.errors import FilingError
from ..filing.periods import Period, PeriodError, last_complete, periods_between
from ..filing.return_reasons import REASONS, reason_label
from ..filing.timeliness import is_expected
from ..filing.values import (
    comparison,
    current_values,
    open_filing,
    prefill_values,
    revisions,
    save_values,
    warnings_for,
)
from ..forms import FORMS, form_of, get_form
from ..models.filing import CorrectionRequest, Filing
from ..models.unit import Unit
from ..reporting.indicators import min_base
from ..scope import get_or_404, is_city_wide, restrict, scoped_units, unit_choices
from ..security import FILING, has_perm

PAGE_SIZE = 50
# the list's query-string arguments (kept when a batch returns to the list)
LIST_ARGS = ("year", "sub", "unit", "state", "late", "explained", "warnings", "sort", "dir", "page")


def problem_list(spec, errors: dict, issues) -> list[tuple[str, str, str]]:
    """Every problem of one save, once each, in the form's field order: (level, message, the
    field to jump to) — the fields' own errors, then the broken rules, then the warnings."""
    out, seen = [], set()
    for f in spec.fields:
        msg = errors.get(f.name)
        if msg and msg not in seen:
            seen.add(msg)
            out.append(("error", msg, f.name))
    for level in ("error", "warning"):
        for issue in issues:
            if issue.level == level and issue.message not in seen:
                seen.add(issue.message)
                out.append((level, issue.message, issue.fields[0] if issue.fields else ""))
    for msg in errors.values():  # not a field of the form (e.g. the reason, the explanation)
        if msg not in seen:
            seen.add(msg)
            out.append(("error", msg, ""))
    return out


def field_warnings(issues) -> dict[str, list[str]]:
    """{field: the warnings that name it}."""
    out: dict[str, list[str]] = {}
    for issue in issues or ():
        if issue.level == "warning":
            for name in issue.fields:
                out.setdefault(name, []).append(issue.message)
    return out


def _spec_or_404(form_code):
    if form_code not in FORMS:
        abort(404)
    return get_form(form_code)


def _int_arg(name):
    value = request.args.get(name, "")
    # ASCII digits only ("²".isdigit() is True), and short: no integer the database refuses.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class FilingView(BaseView):
    """/filings/<form>/ … — one set of pages for every declared form."""

    route_base = "/filings"
    class_permission_name = FILING
    method_permission_name = {
        "index": "read",
        "show": "read",
        "print_html": "read",
        "print_pdf": "read",
        "print_xlsx": "read",
        "act": "read",  # the state machine checks the action's own capability
        "corrections": "read",
        "open": "fill",
        "edit": "fill",
        "copy_previous": "fill",
        "correct": "fill",
        "decide": "review",
        "accept_batch": "review",
        "template": "import",
        "upload": "import",
        "confirm_import": "import",
    }
    default_view = "index"

    @expose("/<form_code>/")
    @has_access
    def index(self, form_code):
        spec = _spec_or_404(form_code)
        q = select(Filing).where(Filing.form_code == form_code)
        q = restrict(q, Filing.unit_id)
        year, sub, unit_id, state = _int_arg("year"), _int_arg("sub"), _int_arg("unit"), request.args.get("state")
        if year:
            q = q.where(Filing.year == year)
        if sub:
            q = q.where(Filing.sub == sub)
        if unit_id:
            q = q.where(Filing.unit_id == unit_id)
        if state in workflow.STATES:
            q = q.where(Filing.state == state)
        crit = review.Criteria.from_args(request.args)
        q = review.filtered(q, crit)
        # counted on the filings alone: every filing has its unit, and the filters are the filing's
        # (the unit join only orders; counting through it cost 3× at 40,000 filings)
        total = db.session.scalar(q.with_only_columns(func.count()).select_from(Filing))
        q = review.ordered(q.join(Unit, Unit.id == Filing.unit_id), crit)
        page = max(_int_arg("page") or 1, 1)
        rows = db.session.scalars(q.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        units = unit_choices()
        unit_names = {u.id: u.short_name for u in units}
        fillable, upcoming = [], None
        if has_perm(current_user, "can_fill", FILING) and current_user.unit is not None:
            last = last_complete(spec.period_kind, today())
            first = Period(last.year - 2, spec.period_kind, 1)
            have = set(db.session.scalars(select(Filing.period_key).where(
                Filing.form_code == form_code, Filing.unit_id == current_user.unit_id)))
            upcoming = next_due(form_code, current_user.unit)
            fillable = [p for p in draftable(form_code, current_user.unit, first) if p.key not in have]
        # the year filter: the form's first to last year in scope (min/max from the index, not a
        # DISTINCT over every filing: 250,000 of them at 5,000 units)
        lo, hi = db.session.execute(restrict(select(func.min(Filing.year), func.max(Filing.year))
                                             .where(Filing.form_code == form_code), Filing.unit_id)).one()
        years = list(range(hi, lo - 1, -1)) if lo is not None else []
        return self.render_template(
            "filing/list.html", spec=spec, rows=rows, unit_names=unit_names, units=units,
            states=workflow.STATES, total=total, page=page, pages=max((total - 1) // PAGE_SIZE + 1, 1),
            fillable=fillable, years=years, args=request.args, Period=Period, upcoming=upcoming,
            openings=openings(form_code, fillable), wanted=request.args.get("period", ""), crit=crit,
            can_review=has_perm(current_user, "can_review", FILING), reported_states=workflow.REPORTED,
        )

    @expose("/<form_code>/accept", methods=["POST"])
    @has_access
    def accept_batch(self, form_code):
        """批量审核通过: the filings ticked on the list, each through the state machine on its own."""
        _spec_or_404(form_code)
        try:
            result = review.accept_many(request.form.getlist("fid"), current_user)
        except FilingError as exc:
            flash(exc.message, "danger")
            result = None
        if result is not None and not result.passed and not result.refused:
            flash(_("请先勾选要审核通过的报表"), "warning")
        if result is not None and result.passed:
            flash(_("已审核通过 %(n)s 份：%(names)s", n=len(result.passed), names="；".join(result.passed)), "success")
        if result is not None and result.refused:
            flash(_("未通过 %(n)s 份：%(items)s", n=len(result.refused),
                    items="；".join(f"{name}（{why}）" for name, why in result.refused)), "danger")
        back = {k: v for k, v in request.form.items() if k in LIST_ARGS and v}
        return redirect(url_for("FilingView.index", form_code=form_code, **back))

    @expose("/<form_code>/open", methods=["POST"])
    @has_access
    def open(self, form_code):
        _spec_or_404(form_code)
        try:
            period = Period.parse(request.form.get("period", ""))
            filing = open_filing(form_code, period, current_user)
        except PeriodError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("FilingView.index", form_code=form_code))
        except FilingError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("FilingView.index", form_code=form_code))
        return redirect(url_for("FilingView.edit", fid=filing.id))

    @expose("/<int:fid>")
    @has_access
    def show(self, fid):
        filing = get_or_404(Filing, fid)
        spec = form_of(filing)
        values = current_values(filing)
        return self.render_template(
            "filing/show.html", filing=filing, spec=spec, values=values, compare=comparison(filing),
            period=Period.parse(filing.period_key), rates=spec.compute_rates(values, min_base()),
            actions=workflow.available_actions(current_user, filing),
            warnings=warnings_for(filing, values) if filing.state in workflow.EDITABLE else [],
            revisions=revisions(filing), states=workflow.STATES,
            can_fill=workflow.may(current_user, filing, workflow.ACTIONS["submit"]),
            editable=filing.state in workflow.EDITABLE,
            reported=filing.state in workflow.REPORTED,
            pending=corrections.pending_request(filing),
            correction_states=corrections.CORRECTION_STATES,
            diff_rows=corrections.diff_rows,
            can_review=has_perm(current_user, "can_review", FILING),
            period_open=opening(filing.form_code, Period.parse(filing.period_key)),
            return_reasons=REASONS, reason_label=reason_label,
        )

    def _value_form(self, fid, submit, done: str):
        """The value form of filing `fid` (edit, correction request): on POST the typed values go
        to `submit(filing, raw)`, an engine call. → (filing, raw, errors, answer): `answer` is the
        redirect to the filing after success (`done` flashed); after a FilingError (rolled back,
        its message flashed) `raw` and `errors` show the form again; on GET raw is None."""
        filing = get_or_404(Filing, fid)
        if request.method != "POST":
            return filing, None, {}, None
        raw = request.form.to_dict()
        try:
            submit(filing, raw)
        except FilingError as exc:
            db.session.rollback()
            if exc.errors or exc.issues:  # listed one by one on the form, each at its field
                g.filing_issues = exc.issues
                flash(_("未保存：请按下方提示修改后重新保存"), "danger")
            else:
                flash(exc.message, "danger")
            return filing, raw, exc.errors, None
        flash(done, "success")
        return filing, raw, {}, redirect(url_for("FilingView.show", fid=filing.id))

    def _render_value_form(self, filing, raw, errors, prefill, title, endpoint, extra_reason, issues=None):
        """The value form. `errors` {field: message} and `issues` (the rules' errors and
        warnings) are listed together above the form and each at its fields."""
        spec = form_of(filing)
        issues = g.get("filing_issues", []) if issues is None else issues
        problems = problem_list(spec, errors, issues)
        return self.render_template(
            "filing/edit.html", filing=filing, spec=spec, raw=raw, errors=errors,
            period=Period.parse(filing.period_key), prefill=prefill, title=title,
            action_url=url_for(endpoint, fid=filing.id), extra_reason=extra_reason,
            problems=problems, field_warnings=field_warnings(issues), live_rules=spec.live_rules(),
            can_copy=not extra_reason and may_copy(filing, current_user),
        )

    def _print(self, fid, ext: str):
        """The filing as its printed form (scope: get_or_404), the download recorded in the audit log."""
        from ..audit import record
        from ..exports.filing import filing_document

        filing = get_or_404(Filing, fid)
        doc = filing_document(filing)
        if ext != "html":
            record("export.filing", "filing", filing.id, {"format": ext, "draft": doc.draft})
            db.session.commit()
        return filing, doc

    def _print_name(self, filing, doc, ext: str) -> str:
        return f"{doc.title}-{filing.unit.short_name}-{filing.period_key}{'-草稿' if doc.draft else ''}.{ext}"

    @expose("/<int:fid>/print")
    @has_access
    def print_html(self, fid):
        """The printable form in the browser (the same template as the PDF)."""
        filing, doc = self._print(fid, "html")
        return self.render_template("print/filing.html", doc=doc, doc_title=doc.title, for_pdf=False,
                                    pdf_url=url_for("FilingView.print_pdf", fid=fid),
                                    xlsx_url=url_for("FilingView.print_xlsx", fid=fid))

    @expose("/<int:fid>/print.pdf")
    @has_access
    def print_pdf(self, fid):
        import io

        from ..exports.pdf import PDF_MIME, render_pdf

        filing, doc = self._print(fid, "pdf")
        data = render_pdf("print/filing.html", doc=doc, doc_title=doc.title)
        return send_file(io.BytesIO(data), mimetype=PDF_MIME, as_attachment=True, max_age=0,
                         download_name=self._print_name(filing, doc, "pdf"))

    @expose("/<int:fid>/print.xlsx")
    @has_access
    def print_xlsx(self, fid):
        import io

        from ..exports.filing import filing_xlsx
        from ..exports.reports import XLSX_MIME

        filing, doc = self._print(fid, "xlsx")
        return send_file(io.BytesIO(filing_xlsx(doc)), mimetype=XLSX_MIME, as_attachment=True, max_age=0,
                         download_name=self._print_name(filing, doc, "xlsx"))

    @expose("/<int:fid>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, fid):
        def save(filing, raw):
            save_values(filing, raw, current_user, expected_version=raw.get("_version"),
                        explanation=raw.get("_explanation"))

        filing, raw, errors, answer = self._value_form(fid, save, _("已保存"))
        if answer:
            return answer
        if filing.state not in workflow.EDITABLE:
            state = _(workflow.state_label(filing.state))
            flash(_("报表状态为“%(state)s”，已锁定；如需更正请提交修改申请", state=state), "warning")
            return redirect(url_for("FilingView.show", fid=filing.id))
        values = current_values(filing)
        prefill = prefill_values(filing)
        issues = None
        if raw is None:
            raw = {f.name: f.input_value(values[f.name] if values[f.name] is not None else prefill.get(f.name))
                   for f in form_of(filing).fields}
            issues = warnings_for(filing, values)  # saved figures' warnings: shown before the next save
        return self._render_value_form(filing, raw, errors, prefill, _("填报"), "FilingView.edit", False, issues)

    @expose("/<int:fid>/copy-previous", methods=["POST"])
    @has_access
    def copy_previous(self, fid):
        """复制上期: the previous filed period's figures into this empty draft (app/filing/copy.py)."""
        from ..filing.copy import copy_previous

        filing = get_or_404(Filing, fid)
        try:
            copy_previous(filing, current_user)
        except FilingError as exc:
            db.session.rollback()
            raw = getattr(exc, "values", None)
            if raw is None:
                flash(exc.message, "danger")
                return redirect(url_for("FilingView.edit", fid=fid))
            # The copied figures break a rule (e.g. the register changed): shown to correct, unsaved.
            flash(_("已复制上期数据，但未保存：请按下方提示修改后保存"), "warning")
            return self._render_value_form(filing, raw, exc.errors, prefill_values(filing), _("填报"),
                                           "FilingView.edit", False, exc.issues)
        flash(_("已复制上期数据并保存为草稿，请逐项核对"), "success")
        return redirect(url_for("FilingView.edit", fid=fid))

    @expose("/<int:fid>/act", methods=["POST"])
    @has_access
    def act(self, fid):
        filing = get_or_404(Filing, fid)
        try:
            workflow.apply(filing, request.form.get("action", ""), current_user,
                           comment=request.form.get("comment"),
                           expected_version=request.form.get("_version"),
                           explanation=request.form.get("_explanation"),
                           reason_code=request.form.get("reason_code"))
            flash(_("操作成功"), "success")
        except FilingError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        return redirect(url_for("FilingView.show", fid=fid))

    @expose("/<int:fid>/correct", methods=["GET", "POST"])
    @has_access
    def correct(self, fid):
        def request_correction(filing, raw):
            corrections.request_correction(filing, raw, raw.get("_reason", ""), current_user)

        filing, raw, errors, answer = self._value_form(fid, request_correction, _("修改申请已提交，等待市法制办审核"))
        if answer:
            return answer
        if filing.state not in workflow.REPORTED:
            return redirect(url_for("FilingView.show", fid=filing.id))
        if raw is None:
            values = current_values(filing)
            raw = {f.name: f.input_value(values[f.name]) for f in form_of(filing).fields}
        return self._render_value_form(filing, raw, errors, {}, pgettext("heading", "修改申请"), "FilingView.correct",
                                       True)

    @expose("/corrections/")
    @has_access
    def corrections(self):
        q = restrict(select(CorrectionRequest).join(Filing), Filing.unit_id)
        state = request.args.get("state", corrections.PENDING)
        if state in corrections.CORRECTION_STATES:
            q = q.where(CorrectionRequest.state == state)
        # The filing and its unit are shown on every row: loaded with the page's query (no N+1).
        q = q.options(contains_eager(CorrectionRequest.filing).joinedload(Filing.unit))
        rows = db.session.scalars(q.order_by(CorrectionRequest.id.desc()).limit(200)).all()
        return self.render_template(
            "filing/corrections.html", rows=rows, states=corrections.CORRECTION_STATES,
            state=state, forms=FORMS, Period=Period,
        )

    @expose("/corrections/<int:cid>/decide", methods=["POST"])
    @has_access
    def decide(self, cid):
        req = db.session.get(CorrectionRequest, cid)
        if req is None:
            abort(404)
        get_or_404(Filing, req.filing_id)  # scope
        try:
            corrections.decide(req, request.form.get("decision") == "approve",
                               request.form.get("comment"), current_user)
            flash(_("已处理修改申请"), "success")
        except FilingError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        return redirect(url_for("FilingView.show", fid=req.filing_id))

    @expose("/<form_code>/template")
    @has_access
    def template(self, form_code):
        """The form's Excel template for a period: the filler's unit, or every unit in scope."""
        import io

        from ..audit import record
        from ..imports.forms import template_bytes

        spec = _spec_or_404(form_code)
        try:
            period = Period.parse(request.args.get("period", ""))
            if period.kind != spec.period_kind:
                raise PeriodError(_("报告期类型与报表不符"))
        except PeriodError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("FilingView.upload", form_code=form_code))
        units = [u for u in scoped_units() if is_expected(u, form_code, period)]
        if not is_city_wide():
            units = [u for u in units if u.id == current_user.unit_id]
        record("export.template", "form", None, {"form": form_code, "period": period.key, "units": len(units)})
        db.session.commit()
        return send_file(io.BytesIO(template_bytes(get_form(form_code, period), period, units)), as_attachment=True,
                         download_name=f"{spec.menu_title}_{period.key}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @expose("/<form_code>/import", methods=["GET", "POST"])
    @has_access
    def upload(self, form_code):
        """Upload a filled-in template: every cell checked, nothing written until confirmed."""
        from ..imports.forms import preview
        from ..imports.stash import check_upload

        spec = _spec_or_404(form_code)
        result, error = None, None
        if request.method == "POST":
            result, error = check_upload(f"import_{form_code}", lambda data: preview(data, form_code, current_user))
        last = last_complete(spec.period_kind, today())
        return self.render_template("filing/import.html", spec=spec, result=result, error=error, last=last,
                                    periods=list(reversed(periods_between(
                                        spec.period_kind, Period(last.year - 2, spec.period_kind, 1), last))))

    @expose("/<form_code>/import/confirm", methods=["POST"])
    @has_access
    def confirm_import(self, form_code):
        from ..imports.forms import commit
        from ..imports.stash import confirm_upload

        _spec_or_404(form_code)

        def done(result):
            return _("导入完成：%(changed)s份报表有变化，%(same)s份未变", changed=len(result.changed),
                     same=len(result.plans) - len(result.changed))

        if not confirm_upload(f"import_{form_code}", lambda data: commit(data, form_code, current_user), done):
            return redirect(url_for("FilingView.upload", form_code=form_code))
        return redirect(url_for("FilingView.index", form_code=form_code))
