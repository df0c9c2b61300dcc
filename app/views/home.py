"""The home page: for a unit, what is due and what came back; for the office, what awaits it."""

from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from ..clock import today
from ..extensions import db
from ..filing import workflow
from ..filing.corrections import PENDING
from ..filing.periods import Period
from ..filing.timeliness import due_soon, overdue
from ..forms import FORMS
from ..models.filing import CorrectionRequest, Filing
from ..notices.audience import unread_for
from ..notices.feedback import open_count
from ..scope import is_city_wide, restrict, visible_unit_ids
from ..security import FILING, has_perm
from ..staff.stats import expiring_certificates
from .dashboard import DASHBOARD, dashboard_page
from .home_admins import audit_home, security_home


class HomeView(IndexView):
    """Index page; anonymous visitors go to the login page."""

    route_base = ""
    default_view = "index"
    index_template = "portal/home.html"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.endpoint + ".login"))
        if has_perm(current_user, "can_assign_roles", "Security"):  # 安全管理员: accounts and roles
            return self.render_template("portal/home_security.html", appbuilder=self.appbuilder,
                                        **security_home(current_user))
        if has_perm(current_user, "can_list", "AuditLogView"):  # 审计管理员: the trail and its state
            return self.render_template("portal/home_audit.html", appbuilder=self.appbuilder,
                                        **audit_home(current_user))
        dashboard = has_perm(current_user, "can_read", DASHBOARD)
        if dashboard and is_city_wide() and not has_perm(current_user, "can_review", FILING):
            return dashboard_page(self)  # leaders: the dashboard is their home page
        ctx = {"forms": FORMS, "states": workflow.STATES, "Period": Period, "today": today()}
        if is_city_wide():
            # per state and form: each card links to the filtered list of every form it counts
            by_form: dict[str, dict[str, int]] = {}
            for state, form_code, n in db.session.execute(
                    select(Filing.state, Filing.form_code, func.count()).group_by(Filing.state, Filing.form_code)):
                by_form.setdefault(state, {})[form_code] = n
            ctx["counts"] = {state: sum(forms.values()) for state, forms in by_form.items()}
            ctx["counts_by_form"] = by_form
            ctx["corrections"] = db.session.scalar(
                select(func.count()).select_from(CorrectionRequest).where(CorrectionRequest.state == PENDING))
            ctx["city"] = True
            if has_perm(current_user, "can_answer", "Feedback"):  # 问题反馈 awaiting the office
                ctx["open_feedback"] = open_count()
        else:
            unit = current_user.unit
            ctx["unit"] = unit
            ctx["unread_notices"] = unread_for(current_user)  # 通知公告: unread notices first
            ctx["due"] = due_soon(unit) if unit else []
            ctx["overdue"] = overdue(visible_unit_ids()) if unit else []
            ctx["returned"] = db.session.scalars(
                restrict(select(Filing).where(Filing.state == workflow.RETURNED), Filing.unit_id)).all()
            ctx["awaiting"] = db.session.scalars(
                restrict(select(Filing).where(Filing.state == workflow.PENDING), Filing.unit_id)).all()
            ctx["expiring"] = expiring_certificates(visible_unit_ids(), today())
            ctx["recent"] = db.session.scalars(
                restrict(select(Filing), Filing.unit_id).order_by(Filing.updated_at.desc()).limit(10)).all()
        if has_perm(current_user, "can_read", "CaseRegister"):  # 案件期限: overdue and due within 7 days
            from ..cases.supervision import due_cases

            lists = due_cases(current_user, today(), limit=10)
            ctx["case_lists"] = lists if lists["overdue"] or lists["soon"] else None
        from .docflow import home_context  # 规范性文件备案 / 信息报送 (app.docflow)

        ctx.update(home_context(current_user))
        # A unit's own page links to its dashboard and reports (report/home_unit.html extends the home page).
        template = "report/home_unit.html" if dashboard and not ctx.get("city") else self.index_template
        return self.render_template(template, appbuilder=self.appbuilder, **ctx)
