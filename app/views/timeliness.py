"""报送情况: expected, on time, late and missing per form and period; yearly scores; deadlines."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import today
from ..extensions import db
from ..filing import reminders, return_stats
from ..filing.deadlines import early_drafts_allowed, move_deadline, rule_deadline, set_early_drafts
from ..filing.errors import FilingError
from ..filing.periods import Period, PeriodError, last_complete
from ..filing.reminders import last_reminders
from ..filing.return_reasons import REASONS
from ..filing.timeliness import STATUS_LABELS, overdue, period_timeliness, year_scores
from ..filing.workflow import STATES
from ..forms import FORMS
from ..i18n import period_label
from ..scope import visible_unit_ids
from ..security import FILING, has_perm


class TimelinessView(BaseView):
    """Filing timeliness for reviewers, leaders and administrators."""

    route_base = "/timeliness"
    class_permission_name = "Timeliness"
    method_permission_name = {"index": "read", "scores": "read", "overdue_list": "read",
                              "deadline": "edit", "settings": "edit", "remind": "read", "returns": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        form_code = request.args.get("form", "penalty")
        if form_code not in FORMS:
            form_code = "penalty"
        spec = FORMS[form_code]
        try:
            period = Period.parse(request.args["period"]) if request.args.get("period") else \
                last_complete(spec.period_kind, today())
            if period.kind != spec.period_kind:
                raise PeriodError(_("报告期类型与报表不符"))
        except PeriodError as exc:
            flash(str(exc), "danger")
            period = last_complete(spec.period_kind, today())
        report = period_timeliness(form_code, period, visible_unit_ids())
        overdue_now = report.overdue()
        reminded = last_reminders((r.unit.id, form_code, period.key) for r in report.rows
                                  if r.status == "missing") if overdue_now else {}
        return self.render_template(
            "portal/timeliness.html", report=report, spec=spec, forms=FORMS, period=period,
            labels=STATUS_LABELS, rule=rule_deadline(form_code, period), overdue_now=overdue_now,
            early_drafts=early_drafts_allowed(form_code),
            reminded=reminded, can_remind=overdue_now and has_perm(current_user, "can_review", FILING),
        )

    @expose("/scores")
    @has_access
    def scores(self):
        year = request.args.get("year", "")
        year = int(year) if year.isdigit() else today().year - 1
        rows = sorted(year_scores(year, visible_unit_ids()).values(), key=lambda s: s["unit"].code)
        return self.render_template("portal/scores.html", rows=rows, year=year)

    @expose("/overdue")
    @has_access
    def overdue_list(self):
        rows = overdue(visible_unit_ids())
        return self.render_template("portal/overdue.html", rows=rows, states=STATES,
                                    reminded=last_reminders(rows),
                                    can_remind=has_perm(current_user, "can_review", FILING))

    @expose("/remind", methods=["POST"])
    @has_access
    def remind(self):
        """催报 one unit about one form and period (the engine checks role, scope and lateness)."""
        try:
            kept = reminders.remind(request.form.get("unit"), request.form.get("form"),
                                    request.form.get("period"), current_user)
        except FilingError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            name = kept.unit.short_name
            if kept.mail_error:
                flash(_("已记录对%(unit)s的催报，但%(error)s", unit=name, error=kept.mail_error), "warning")
            elif kept.mailed:
                flash(_("已向%(unit)s发送催报邮件（%(n)s封）", unit=name, n=kept.mailed), "success")
            else:
                flash(_("已记录对%(unit)s的催报（未配置邮件服务器，未发送邮件）", unit=name), "success")
        back = request.form.get("back")  # the 报送情况 page of that form and period, or the 催报名单
        if back == "timeliness":
            return redirect(url_for("TimelinessView.index", form=request.form.get("form", ""),
                                    period=request.form.get("period", "")))
        return redirect(url_for("TimelinessView.overdue_list"))

    @expose("/returns")
    @has_access
    def returns(self):
        """退回原因统计: the reviewers' returns by reason, unit, form and period; .xlsx on request."""
        crit = return_stats.Criteria.from_args(request.args)
        stats = return_stats.statistics(crit, visible_unit_ids())
        if request.args.get("format") == "xlsx":
            from ..exports.docflow import table_xlsx
            from .reports import _download

            title, meta, cols, rows = return_stats.table(stats)
            return _download(table_xlsx(title, meta, cols, rows), f"退回原因统计-{crit.year}.xlsx")
        return self.render_template("portal/returns.html", stats=stats, crit=crit, forms=FORMS,
                                    years=return_stats.years(), reasons=REASONS, args=request.args)

    @expose("/deadline", methods=["POST"])
    @has_access
    def deadline(self):
        form_code = request.form.get("form", "")
        try:
            if form_code not in FORMS:
                raise ValueError(_("未知的报表"))
            period = Period.parse(request.form.get("period", ""))
            try:
                new = dt.date.fromisoformat(request.form.get("deadline", ""))
            except ValueError:
                raise ValueError(_("「截止日期」格式应为 YYYY-MM-DD")) from None
            move_deadline(form_code, period, new, request.form.get("reason", ""), current_user)
            db.session.commit()
            flash(_("已将%(period)s的截止日期调整为%(date)s", period=period_label(period), date=new.isoformat()),
                  "success")
        except (ValueError, PeriodError) as exc:  # PeriodError is a ValueError; messages are the users'
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for("TimelinessView.index", form=form_code or "penalty",
                                period=request.form.get("period", "")))

    @expose("/settings", methods=["POST"])
    @has_access
    def settings(self):
        """The office's setting of one form: may units draft a period before it opens?"""
        form_code = request.form.get("form", "")
        allowed = request.form.get("early_drafts") == "1"
        try:
            if set_early_drafts(form_code, allowed, current_user):
                flash(_("已允许提前填写草稿") if allowed else _("已关闭提前填写草稿"), "success")
            db.session.commit()
        except FilingError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        return redirect(url_for("TimelinessView.index", form=form_code if form_code in FORMS else "penalty"))
