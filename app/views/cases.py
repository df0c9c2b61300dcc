"""行政复议案件登记: list and search, a case with its deadline, register and edit, 督办, holidays.

Wiring only: reading goes through app.cases.search / query (the scope), writing through
app.cases.recon (the one write path), deadlines through app.cases.timelimits.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField

from ..cases import fields as F
from ..cases.applicant_id import read_applicant_id
from ..cases.query import get_recon
from ..cases.recon import (
    CaseError,
    CaseForbidden,
    CaseStale,
    create_recon_case,
    may_keep,
    sees_full_ids,
    update_recon_case,
)
from ..cases.search import STATUSES, CaseFilter, matching, ordered
from ..cases.supervision import due_cases
from ..cases.timelimits import Calendar, recon_deadline
from ..clock import today
from ..extensions import db
from ..models.cases import APPLICANT_KINDS, INTAKES, PROCEDURES, RECEIPT_CHANNELS, Holiday, ReconCase
from ..scope import acting_user, in_scope, scoped_units
from .base import AuditedModelView, KnownActionsOnly

PAGE_SIZE = 50
APPLICANT_ROWS = 5  # empty rows offered on the form
MAX_APPLICANT_ROWS = 200  # rows read back from a POST (a group application lists its representatives)


def form_fields(day) -> list[tuple[str, str, str, list[str] | None]]:
    """(name, label, kind, options) of the register form; choices from the form version of `day`."""
    L = F.RECON_LABELS
    sel = {
        "receipt_channel": RECEIPT_CHANNELS, "respondent_level": list(F.LEVELS.values()),
        "domain": list(F.DOMAINS.values()), "matter": list(F.matters(day).values()),
        "intake": [""] + list(INTAKES.values()), "refusal_reason": [""] + list(F.refusal_reasons(day).values()),
        "procedure": PROCEDURES, "outcome": [""] + list(F.outcomes(day).values()),
    }
    kinds = {n: "date" for n in ("receipt_date", "act_date", "amend_requested", "amend_received", "intake_date",
                                 "suspended_on", "resumed_on", "decided_on")}
    kinds.update({n: "bool" for n in ("hearing", "committee", "opinion_issued", "suggestion_issued")})
    kinds.update({"group_size": "number", "extension_days": "number"})
    order = ["receipt_date", "receipt_channel", "group_size", "respondent_unit", "respondent_name", "respondent_level",
             "domain", "matter", "act_name", "act_number", "act_date", "amend_requested", "amend_received", "intake",
             "intake_date", "refusal_reason", "procedure", "hearing", "committee", "extension_days",
             "extension_reason", "extension_approver", "suspended_on", "resumed_on", "decided_on", "outcome",
             "opinion_issued", "suggestion_issued", "note"]
    return [(n, L[n], "select" if n in sel else kinds.get(n, "text"), sel.get(n)) for n in order]


def form_values(case: ReconCase | None, full_ids: bool) -> dict:
    """The form's current values: a case's (labels for choices), or empty."""
    if case is None:
        return {"applicants": [{} for _ in range(APPLICANT_ROWS)]}
    day = case.receipt_date
    labels = {"respondent_level": F.LEVELS, "domain": F.DOMAINS, "matter": F.matters(day), "intake": INTAKES,
              "refusal_reason": F.refusal_reasons(day), "outcome": F.outcomes(day)}
    out = {}
    for name, _label, _kind, _opts in form_fields(day):
        if name == "respondent_unit":
            out[name] = case.respondent_unit.code if case.respondent_unit else ""
            continue
        value = getattr(case, name)
        out[name] = labels[name].get(value, value) if name in labels and value else value
    rows = [{"kind": a.kind, "name": a.name, "id_number": read_applicant_id(a.id_number, full_ids),
             "phone": a.phone or ""} for a in case.applicants]
    out["applicants"] = rows + [{} for _ in range(max(APPLICANT_ROWS - len(rows), 1))]
    return out


def posted_case(form) -> dict:
    """The register form's POST as the write path's input (empty applicant rows dropped)."""
    data = {name: form.get(name, "") for name, _l2, kind, _o in form_fields(today()) if kind != "bool"}
    for name in ("hearing", "committee", "opinion_issued", "suggestion_issued"):
        data[name] = form.get(name) == "1"
    data["applicants"] = [
        {"kind": form.get(f"a{i}_kind", "公民"), "name": form.get(f"a{i}_name", ""),
         "id_number": form.get(f"a{i}_id", ""), "phone": form.get(f"a{i}_phone", "")}
        for i in range(MAX_APPLICANT_ROWS)
        if form.get(f"a{i}_name", "").strip() or form.get(f"a{i}_id", "").strip()]
    return data


class ReconCaseView(BaseView):
    """行政复议案件: the register of the user's scope."""

    route_base = "/cases/recon"
    class_permission_name = "CaseRegister"
    method_permission_name = {"list": "read", "show": "read", "add": "keep", "edit": "keep",
                              "supervise": "read", "figure": "read", "export": "read",
                              "hotspots": "read", "template": "keep", "upload": "keep", "confirm": "keep"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        f = CaseFilter.from_args(request.args)
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        q = matching(f)
        total = db.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = db.session.scalars(ordered(q).options(selectinload(ReconCase.applicants),
                                                     selectinload(ReconCase.unit))
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        cal = Calendar.load()
        return self.render_template(
            "cases/list.html", rows=[(c, recon_deadline(c, cal)) for c in rows], total=total, page=page,
            pages=(total + PAGE_SIZE - 1) // PAGE_SIZE, f=f, statuses=STATUSES, units=scoped_units(),
            today=today(), keeper=may_keep(acting_user()), args=request.args)

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        case = get_recon(pk)
        if case is None:
            abort(404)
        full = sees_full_ids(case)
        day = case.receipt_date
        return self.render_template(
            "cases/show.html", case=case, deadline=recon_deadline(case), today=today(),
            applicants=[(a, read_applicant_id(a.id_number, full)) for a in case.applicants],
            levels=F.LEVELS, domains=F.DOMAINS, matters=F.matters(day), intakes=INTAKES,
            reasons=F.refusal_reasons(day), outcomes=F.outcomes(day),
            editable=may_keep(acting_user()) and case.unit_id == acting_user().unit_id)

    def _form(self, case, values, errors, status=200):
        day = case.receipt_date if case else today()
        return self.render_template("cases/form.html", case=case, fields=form_fields(day), values=values,
                                    errors=errors, kinds=APPLICANT_KINDS), status

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        if not may_keep(acting_user()):
            abort(403)
        if request.method == "GET":
            return self._form(None, form_values(None, True), {})
        data = posted_case(request.form)
        try:
            case = create_recon_case(data)
            db.session.commit()
        except CaseError as exc:
            db.session.rollback()
            return self._form(None, _refill(data), exc.errors, 400)
        flash(_("已登记：%(no)s", no=case.case_no), "success")
        return redirect(url_for("ReconCaseView.show", pk=case.id))

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        user = acting_user()
        case = get_recon(pk)
        if case is None or case.unit_id != user.unit_id or not may_keep(user):
            abort(404)
        if request.method == "GET":
            values = form_values(case, sees_full_ids(case))
            values["version"] = case.version
            return self._form(case, values, {})
        data = posted_case(request.form)
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            abort(400)
        try:
            update_recon_case(case.id, data, version)
            db.session.commit()
        except CaseForbidden:
            db.session.rollback()
            abort(404)
        except CaseStale as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("ReconCaseView.edit", pk=pk))
        except CaseError as exc:
            db.session.rollback()
            values = _refill(data)
            values["version"] = version
            return self._form(db.session.get(ReconCase, pk), values, exc.errors, 400)
        flash(_("已保存"), "success")
        return redirect(url_for("ReconCaseView.show", pk=pk))

    @expose("/figure")
    @has_access
    def figure(self):
        """The cases behind one figure of a unit's half-yearly form (drill-down from the form)."""
        from ..cases.stats import FORM, cases_behind
        from ..filing.periods import HALF, Period, PeriodError
        from ..forms import get_form
        from ..models.unit import Unit

        try:
            period = Period.parse(request.args.get("period", ""))
            unit_id = int(request.args.get("unit", ""))
        except (PeriodError, ValueError):
            abort(404)
        unit = db.session.get(Unit, unit_id)
        field = request.args.get("field", "")
        spec = get_form(FORM, period)
        q = cases_behind([unit_id], period, field) if period.kind == HALF and spec.has_field(field) else None
        if unit is None or q is None or not in_scope(unit_id):
            abort(404)
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        total = db.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = db.session.scalars(q.order_by(ReconCase.receipt_date, ReconCase.id)
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        return self.render_template("cases/figure.html", unit=unit, period=period, label=spec.field(field).label,
                                    rows=rows, total=total, page=page, pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
                                    args=request.args)

    @expose("/export.xlsx")
    @has_access
    def export(self):
        """The cases the list's filter finds, as .xlsx (ids as the user may see them); audited."""
        import io

        from flask import send_file

        from ..audit import record
        from ..cases.export import export_recon

        f = CaseFilter.from_args(request.args)
        data, rows = export_recon(f, acting_user())
        record("export.recon_cases", "recon_case", None, {"rows": rows, "q": f.q, "year": f.year,
                                                          "unit": f.unit_id, "status": f.status})
        db.session.commit()
        return send_file(io.BytesIO(data), as_attachment=True, download_name="行政复议案件.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @expose("/hotspots")
    @has_access
    def hotspots(self):
        """热点: busiest respondents, domains and matters; repeated challenges; frequent applicants;
        group applications; cases sued after reconsideration — over any period, each with its cases."""
        import datetime as dt

        from ..cases import repeats
        from ..cases.search import _day

        on = today()
        start = _day(request.args.get("from")) or dt.date(on.year, 1, 1)
        end = _day(request.args.get("to")) or on
        if end < start:
            start, end = end, start
        sued, concluded = repeats.sued_after_rate(start, end)
        return self.render_template(
            "cases/hotspots.html", start=start, end=end,
            spots={dim: repeats.hotspots(dim, start, end) for dim in repeats.HOTSPOT_DIMENSIONS},
            repeated=repeats.repeated_acts(start, end), frequent=repeats.frequent_applicants(start, end),
            groups=repeats.group_applications(start, end), chains=repeats.chains(start, end),
            sued=sued, concluded=concluded, mask=lambda n: read_applicant_id(n, False))

    @expose("/import/template")
    @has_access
    def template(self):
        """The Excel template of the register's import."""
        import io

        from flask import send_file

        from ..imports.cases import template_bytes

        return send_file(io.BytesIO(template_bytes()), as_attachment=True, download_name="行政复议案件导入模板.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def upload(self):
        """Upload → every row checked through the write path (nothing kept) → confirm."""
        from ..imports import cases as case_import
        from ..imports.stash import check_upload

        user = acting_user()
        if not may_keep(user):
            abort(403)
        result, error = None, None
        if request.method == "POST":
            result, error = check_upload("recon_import", lambda data: case_import.preview(data, user))
        return self.render_template("cases/import.html", result=result, error=error)

    @expose("/import/confirm", methods=["POST"])
    @has_access
    def confirm(self):
        from ..imports import cases as case_import
        from ..imports.stash import confirm_upload

        user = acting_user()

        def done(result):
            return _("导入完成：登记%(n)s件", n=len(result.numbers))

        if not confirm_upload("recon_import", lambda data: case_import.commit(data, user), done,
                              usable=may_keep(user)):
            return redirect(url_for("ReconCaseView.upload"))
        return redirect(url_for("ReconCaseView.list"))

    @expose("/supervise")
    @has_access
    def supervise(self):
        """督办: overdue, due within 7 days, suspended; answers due in litigation."""
        return self.render_template("cases/supervise.html", lists=due_cases(acting_user(), today()), today=today())


def _refill(data: dict) -> dict:
    values = dict(data)
    rows = list(data.get("applicants") or [])
    values["applicants"] = rows + [{} for _ in range(max(APPLICANT_ROWS - len(rows), 1))]
    return values


class HolidayView(KnownActionsOnly, AuditedModelView, ModelView):
    """法定节假日: the State Council's yearly calendar, which the legal time limits read."""

    route_base = "/holidays"
    datamodel = SQLAInterface(Holiday)
    audit_object = "holiday"
    audit_columns = ("day", "name", "workday")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = add_columns = edit_columns = show_columns = ["day", "name", "workday"]
    label_columns = {"day": _l("日期"), "name": _l("名称"), "workday": _l("调休上班")}
    list_title = _l("法定节假日")
    add_title = _l("添加节假日")
    edit_title = _l("修改节假日")
    show_title = _l("节假日")
    base_order = ("day", "desc")
    # A check box must not be "required" (FAB makes non-null booleans so: unticked would fail).
    add_form_extra_fields = edit_form_extra_fields = {"workday": BooleanField(_l("调休上班"))}

    def _audit(self, action: str, item, detail: dict) -> None:
        """Every change of the calendar moves the stored limits of the open cases with it."""
        from ..cases.supervision import refresh_due_dates

        detail = {**detail, "open_cases_moved": refresh_due_dates()}
        super()._audit(action, item, detail)


class LitigationCaseView(BaseView):
    """行政应诉案件: suits against the units of the user's scope — list and a suit with its limits,
    its instances and the reconsideration case it followed (shown when the user may see it).
    Register and edit go through app.cases.litigation, the one write path."""

    route_base = "/cases/litigation"
    class_permission_name = "CaseRegister"
    method_permission_name = {"list": "read", "show": "read", "add": "keep", "edit": "keep"}
    default_view = "list"

    FIELDS = ("court_case_no", "court", "instance", "previous", "plaintiffs", "act_name", "act_number", "matter",
              "recon_case", "co_defendant", "complaint_received", "answered_on", "hearing_date", "head_attended",
              "head_name", "head_rank", "judgement_kind", "judgement_date", "served_on", "outcome",
              "suggestion_received", "suggestion_answered")

    def _form(self, suit, values, errors, status=200):
        from ..cases.litigation import LABELS, OUTCOMES
        from ..models.cases import HEAD_RANKS, INSTANCES, JUDGEMENT_KINDS

        instance = values.get("instance") or "一审"
        options = {"instance": INSTANCES, "head_rank": [""] + HEAD_RANKS, "judgement_kind": [""] + JUDGEMENT_KINDS,
                   "outcome": [""] + list(OUTCOMES.get(instance, OUTCOMES["一审"]).values()),
                   "matter": list(F.matters(today()).values())}
        fields = [(n, LABELS[n], "select" if n in options else "bool" if n in ("co_defendant", "head_attended")
                   else "date" if n.endswith(("_on", "_date", "_received")) else "text", options.get(n))
                  for n in self.FIELDS]
        return self.render_template("cases/litigation_form.html", suit=suit, fields=fields, values=values,
                                    errors=errors), status

    def _posted(self) -> dict:
        data = {n: request.form.get(n, "") for n in self.FIELDS}
        for n in ("co_defendant", "head_attended"):
            data[n] = request.form.get(n) == "1"
        return data

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        from ..cases.litigation import create_litigation_case

        if not may_keep(acting_user()):
            abort(403)
        if request.method == "GET":
            return self._form(None, {}, {})
        data = self._posted()
        try:
            suit = create_litigation_case(data)
            db.session.commit()
        except CaseError as exc:
            db.session.rollback()
            return self._form(None, data, exc.errors, 400)
        return redirect(url_for("LitigationCaseView.show", pk=suit.id))

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        from ..cases.litigation import OUTCOMES, update_litigation_case
        from ..cases.query import get_litigation

        user = acting_user()
        suit = get_litigation(pk)
        if suit is None or suit.unit_id != user.unit_id or not may_keep(user):
            abort(404)
        if request.method == "GET":
            values = {n: getattr(suit, n, None) for n in self.FIELDS}
            values.update(previous=suit.previous_id or "", recon_case=suit.recon_case_id or "",
                          matter=F.matters(suit.complaint_received).get(suit.matter, suit.matter),
                          outcome=OUTCOMES.get(suit.instance, {}).get(suit.outcome, ""), version=suit.version)
            return self._form(suit, values, {})
        data = self._posted()
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            abort(400)
        try:
            update_litigation_case(pk, data, version)
            db.session.commit()
        except CaseForbidden:
            db.session.rollback()
            abort(404)
        except CaseStale as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("LitigationCaseView.edit", pk=pk))
        except CaseError as exc:
            db.session.rollback()
            return self._form(suit, {**data, "version": version}, exc.errors, 400)
        return redirect(url_for("LitigationCaseView.show", pk=pk))

    @expose("/")
    @has_access
    def list(self):
        from ..cases.query import litigation_query
        from ..models.cases import LitigationCase

        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        q = litigation_query()
        text = (request.args.get("q") or "").strip()[:64]
        if text:
            q = q.where(LitigationCase.court_case_no.like(text.replace("%", "") + "%"))
        total = db.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = db.session.scalars(q.options(selectinload(LitigationCase.unit))
                                  .order_by(LitigationCase.complaint_received.desc(), LitigationCase.id.desc())
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        from ..cases.timelimits import litigation_deadline

        cal = Calendar.load()
        return self.render_template("cases/litigation_list.html", rows=[(s, litigation_deadline(s, cal)) for s in rows],
                                    total=total, page=page, pages=(total + PAGE_SIZE - 1) // PAGE_SIZE, q=text,
                                    today=today(), args=request.args, keeper=may_keep(acting_user()))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        from ..cases.litigation import OUTCOMES, instance_chain
        from ..cases.query import get_litigation
        from ..cases.timelimits import answer_deadline, appeal_deadline

        suit = get_litigation(pk)
        if suit is None:
            abort(404)
        recon = get_recon(suit.recon_case_id) if suit.recon_case_id else None  # shown only when in scope
        return self.render_template("cases/litigation_show.html", suit=suit, chain=instance_chain(suit),
                                    answer=answer_deadline(suit), appeal=appeal_deadline(suit), recon=recon,
                                    outcomes=OUTCOMES.get(suit.instance, {}), today=today(),
                                    editable=may_keep(acting_user()) and suit.unit_id == acting_user().unit_id)
