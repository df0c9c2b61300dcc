"""The security manager: user ↔ unit, the portal's roles declared in code, and their sync.

Roles are data here and written to the database by ``flask portal init`` (idempotent, like
``superset init``): every run leaves each declared role with exactly the declared permissions.
Workflow capabilities are FAB permissions on the pseudo-view "Filing" (can_fill, can_approve,
can_review) and city-wide visibility is "can_all_units" on "Scope", so one permission check
serves views, the API, imports and exports alike.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app, g, has_request_context
from flask_appbuilder.actions import action
from flask_appbuilder.api import safe
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security import api as fab_api
from flask_appbuilder.security import forms as fab_forms
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired

from .duties import ADMIN, AUDIT, AUDIT_ADMIN, PERMISSIONS, PRIVILEGED_ROLES, SECURITY_ADMIN
from .models.user import PortalUser
from .views.base import KnownActionsOnly

REVIEWER = "市级审核员"
APPROVER = "单位审核人"
FILLER = "填报员"
LEADER = "领导"
# The leaders' decision system and other systems fed with the statistics: a service account
# that reads the statistics API city-wide and nothing else (no filings, no staff, no pages).
STATS_SERVICE = "统计数据服务"

FILING = "Filing"
SCOPE = "Scope"
CAPABILITIES = [
    ("can_fill", FILING),
    ("can_approve", FILING),
    ("can_review", FILING),
    ("can_import", FILING),
    ("can_all_units", SCOPE),
    ("can_fill", "NormativeDoc"),
    ("can_review", "NormativeDoc"),
    ("can_fill", "InfoItem"),
    ("can_review", "InfoItem"),
    ("can_full_citizen_id", "Staff"),
    ("can_assign_roles", "Security"),
    ("can_read", "CaseRegister"),
    ("can_keep", "CaseRegister"),
    ("can_full_applicant_id", "CaseRegister"),
]

# Every signed-in user: home page, own profile and password, language switch.
_SELF = [
    (r"^HomeView$", r"^can_.*"),
    (r"^(Portal)?UserDBModelView$", r"^can_userinfo$"),
    (r"^ResetMyPasswordView$", r"^can_this_form_(get|post)$"),
    (r"^UserInfoEditView$", r"^can_this_form_(get|post)$"),
    (r"^Filing$", r"^can_read$"),
    (r"^ApiKeys$", r"^can_(read|write)$"),  # one's own API keys
    (r"^ExportJobs$", r"^can_read$"),  # one's own queued exports
    (r"^API 密钥$", r"^menu_access$"),
]
_FILING_MENUS = [
    (r"^(行政处罚|行政复议|行政应诉|法制机构和人员|修改申请|人员名册|人员统计|培训课程|培训记录|证书|即将到期证书).*$",
     r"^menu_access$"),
]
# Reading the staff register, training and certificates (scope filters the rows).
_STAFF_READ = [
    (r"^(StaffView|TrainingCourseView|TrainingRecordView|CertificateView)$", r"^can_(list|show)$"),
    (r"^Staff$", r"^can_read$"),
]
# A unit's filler keeps its register and imports it.
_STAFF_KEEP = [
    (r"^StaffView$", r"^can_(add|edit)$"),
    (r"^Staff$", r"^can_import$"),
    (r"^导入人员名册$", r"^menu_access$"),
]
# Case registers (app.cases): every role but the administrators reads them (scope decides which
# cases); the unit's filler and the office's reviewer keep their own unit's register and see its
# applicants' ids in full.
_CASES_READ = [(r"^CaseRegister$", r"^can_read$"),
               (r"^(案件登记|行政复议案件|行政应诉案件|督办案件|案件热点).*$", r"^menu_access$")]
_CASES_KEEP = [(r"^CaseRegister$", r"^can_(keep|full_applicant_id)$"), (r"^导入复议案件$", r"^menu_access$")]
_CITY_READ = [
    (r"^Scope$", r"^can_all_units$"),
    (r"^Timeliness$", r"^can_read$"),
    (r"^(UnitModelView)$", r"^can_(list|show)$"),
    (r"^(统计|报送情况|单位)$", r"^menu_access$"),
]

# Statistics, charts and the dashboard: every role reads them; the scope decides what they cover.
_STATS_READ = [
    (r"^(Reports|Dashboard|Statistics)$", r"^can_read$"),
    (r"^(统计分析|数据看板|统计报表|对比分析|分析报告)$", r"^menu_access$"),
]

# 三员分立: which pairs are the security administrator's (roles, permissions) and the audit
# administrator's (the trail) is derived from what FAB registers (app.duties), not from names here:
# sync_roles gives a duty's pairs only to its role (DUTY_GRANTS), strips them from every other.
# The system administrator keeps accounts, units and the rest, but not the units' own work.

# role → [(view-menu regex, permission regex)]
ROLES: dict[str, list[tuple[str, str]]] = {
    ADMIN: [
        (r"^(?!(导入人员名册|导入复议案件)$).*",
         r"^(?!can_fill$|can_approve$|can_review$|can_import$|can_keep$|can_full_applicant_id$).*"),
    ],
    SECURITY_ADMIN: [
        (r"^HomeView$", r"^can_.*"),
        (r"^(Portal)?UserDBModelView$", r"^can_(list|show|edit|userinfo)$"),
        (r"^ResetMyPasswordView$", r"^can_this_form_(get|post)$"),
        (r"^ApiKeys$", r"^can_(read|write)$"),
        (r"^(Security|List Users|API 密钥)$", r"^menu_access$"),
    ],
    AUDIT_ADMIN: [
        (r"^HomeView$", r"^can_.*"),
        (r"^ExportJobs$", r"^can_read$"),  # the audit log's large exports
        (r"^(Portal)?UserDBModelView$", r"^can_userinfo$"),
        (r"^ResetMyPasswordView$", r"^can_this_form_(get|post)$"),
        (r"^Security$", r"^menu_access$"),
    ],
    REVIEWER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _CITY_READ + _CASES_READ + _CASES_KEEP
    + [(r"^Filing$", r"^can_(review|import)$")],
    APPROVER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _CASES_READ + [(r"^Filing$", r"^can_approve$")],
    FILLER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _STAFF_KEEP + _CASES_READ + _CASES_KEEP
    + [(r"^Filing$", r"^can_(fill|import)$")],
    LEADER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _CITY_READ + _CASES_READ,
    # The statistics API (/api/v1/statistics/) city-wide, and the API spec it follows (read with
    # its key: the account never signs in on the web, so FAB's Swagger page is not for it).
    STATS_SERVICE: [
        (r"^Statistics$", r"^can_read$"),
        (r"^Scope$", r"^can_all_units$"),
        (r"^OpenApi$", r"^can_get$"),
    ],
}
# role → (duty, permission regex): every pair of that duty whose permission matches.
DUTY_GRANTS: dict[str, tuple[str, str]] = {
    SECURITY_ADMIN: (PERMISSIONS, r".*"),
    AUDIT_ADMIN: (AUDIT, r"^(can_(list|show|export|disclosures|verify)|menu_access)$"),
}

# 通知公告 / 问题反馈 / 联系方式: every role reads the notices addressed to it and the contacts;
# units file and follow their own feedback; the municipal office publishes and answers.
# (Administrators hold all of it through their own pattern; contacts are kept by them only.)
_NOTICES_READ = [(r"^(Notice|Contacts)$", r"^can_read$"), (r"^(通知公告|联系方式)$", r"^menu_access$")]
_FEEDBACK_FILE = [(r"^Feedback$", r"^can_(read|file)$"), (r"^问题反馈$", r"^menu_access$")]
_NOTICES_OFFICE = [(r"^Notice$", r"^can_publish$"), (r"^Feedback$", r"^can_(read|answer)$"),
                   (r"^(问题反馈|发布通知)$", r"^menu_access$")]
for _role, _extra in ((REVIEWER, _NOTICES_READ + _NOTICES_OFFICE), (APPROVER, _NOTICES_READ + _FEEDBACK_FILE),
                      (FILLER, _NOTICES_READ + _FEEDBACK_FILE), (LEADER, _NOTICES_READ)):
    ROLES[_role] = ROLES[_role] + _extra
# 规范性文件备案审查 / 信息报送 / 年度考核 (app.docflow): units file their own (can_fill), the office
# registers, reviews and adopts (can_review), leaders read; the scope decides which units' rows.
_DOCS = r"(NormativeDoc|InfoItem)"
_DOCS_MENUS = (r"^(规范性文件备案|信息报送|规范性文件|备案统计|法治工作信息|信息排名)$", r"^menu_access$")
_DOCS_CITY = [(r"^Assessment$", r"^can_read$"), (r"^(法治信息简报|年度考核)$", r"^menu_access$")]
for _role, _extra in ((REVIEWER, [(rf"^{_DOCS}$", r"^can_(read|review)$"), *_DOCS_CITY]),
                      (APPROVER, [(rf"^{_DOCS}$", r"^can_(read|fill)$")]),
                      (FILLER, [(rf"^{_DOCS}$", r"^can_(read|fill)$")]),
                      (LEADER, [(rf"^{_DOCS}$", r"^can_read$"), *_DOCS_CITY])):
    ROLES[_role] = ROLES[_role] + _extra + [_DOCS_MENUS]
# The leaders' decision system (a leader's API key) reads the API spec it follows, and its Swagger UI.
ROLES[LEADER] = ROLES[LEADER] + [(r"^(OpenApi|SwaggerView)$", r"^can_(get|show)$")]


class PortalUserDBModelView(KnownActionsOnly, UserDBModelView):
    """FAB's user admin, with the unit every account belongs to."""

    list_columns = ["username", "first_name", "last_name", "unit", "roles", "active"]
    add_columns = [
        "username",
        "first_name",
        "last_name",
        "email",
        "unit",
        "roles",
        "active",
        "password",
        "conf_password",
    ]
    edit_columns = ["username", "first_name", "last_name", "email", "unit", "roles", "active"]
    search_columns = ["username", "first_name", "last_name", "email", "unit", "roles", "active"]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "unit", "active", "roles", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (
            _l("Audit Info"),
            {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"]},
        ),
    ]
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "unit", "roles"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]
    # FAB's own labels (translated by its catalogs) plus ours.
    label_columns = {**UserDBModelView.label_columns, "unit": _l("所属单位"), "locked_until": _l("锁定至")}
    # The portal's own help (FAB's speaks of LDAP and OID, which the portal does not use).
    description_columns = {
        **UserDBModelView.description_columns,
        "username": _l("登录时输入的账号名（字母、数字、下划线）；页面上显示的是姓名和单位"),
        "first_name": _l("名"), "last_name": _l("姓（页面上显示为“姓名（单位）”）"),
        "unit": _l("账号所属单位，决定能看到哪些单位的数据；系统管理员等三员账号属于市司法局"),
    }

    def _check_roles(self, item, before: set[str], after: set[str]) -> None:
        """The separation of duties (app.duties), checked here too so that the form answers in
        Chinese; the session guard below refuses the same change on every other surface."""
        from .duties import DutyViolation, check_role_change
        from .extensions import db

        try:
            check_role_change(item, before, after, _actor())
        except DutyViolation as exc:
            db.session.rollback()  # FAB has already copied the form into the item: undo all of it
            raise ValueError(str(exc)) from None

    def pre_add(self, item):
        self._check_roles(item, set(), {r.name for r in item.roles})
        super().pre_add(item)  # FAB hashes the password here
        # Accounts made by an administrator must choose their own password at first login — but a
        # service account never signs in with a password (see is_service_account): its keys work.
        item.must_change_password = not is_service_account(item)

    def pre_update(self, item):
        from sqlalchemy import inspect

        hist = inspect(item).attrs.roles.history
        before = {r.name for r in (hist.unchanged or ())} | {r.name for r in (hist.deleted or ())}
        self._check_roles(item, before, {r.name for r in item.roles})
        super().pre_update(item)

    def pre_delete(self, item):
        self._check_roles(item, {r.name for r in item.roles}, set())
        super().pre_delete(item)

    def post_add(self, item):
        _audit_account("account.create", item)

    def post_update(self, item):
        _audit_account("account.update", item)

    def post_delete(self, item):
        _audit_account("account.delete", item)

    @action("unlock", _l("解除锁定"), _l("解除所选账号的登录锁定？"), "fa-unlock", single=False)
    def unlock(self, items):
        from flask import flash, redirect

        from .extensions import db

        items = items if isinstance(items, list) else [items]
        for user in items:
            user.locked_until, user.fail_login_count = None, 0
            from .audit import record

            record("account.unlock", "user", user.id, {"username": user.username})
        db.session.commit()
        flash(_("已解除 %(count)s 个账号的锁定", count=len(items)), "success")
        return redirect(self.get_redirect())


class RoleModelView(KnownActionsOnly, fab_views.RoleModelView):
    """FAB's role admin, guarded; every permission change is audited by the session guard
    (app.duties), which also refuses a duty's permissions on a role not entitled to them —
    checked here first so that the form answers in Chinese."""

    def _check(self, item, deleting=False):
        from sqlalchemy import inspect

        from .duties import DutyViolation, check_role_change_of_role
        from .extensions import db

        state = inspect(item)
        name = state.attrs.name.history
        old_name = (name.deleted or [None])[0] if state.persistent and name.has_changes() else None
        perms = state.attrs.permissions.history
        added = list(perms.added or ()) if state.persistent else list(item.permissions or ())
        try:
            check_role_change_of_role(item, old_name, deleting, [] if deleting else added)
        except DutyViolation as exc:
            db.session.rollback()
            raise ValueError(str(exc)) from None

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    def pre_delete(self, item):
        self._check(item, deleting=True)


class PermissionModelView(KnownActionsOnly, fab_views.PermissionModelView):
    """FAB's permission list, guarded like every other ModelView here."""


class ViewMenuModelView(KnownActionsOnly, fab_views.ViewMenuModelView):
    """FAB's view-menu list, guarded."""


class PermissionViewModelView(KnownActionsOnly, fab_views.PermissionViewModelView):
    """FAB's permission-on-view list, guarded."""


class UserGroupModelView(KnownActionsOnly, fab_views.UserGroupModelView):
    """FAB's group admin, guarded."""

    label_columns = {"name": _l("名称"), "label": _l("显示名称"), "description": _l("说明"), "users": _l("用户"),
                     "roles": _l("角色")}


LOGIN_REFUSED = _l("用户名或密码错误，或账号因连续登录失败已被暂时锁定（到时自动解除，也可请系统管理员解锁）")
MUST_CHANGE_FIRST = _l("首次登录或密码被重置后，请先在网页上修改密码")


class AuthDBView(fab_views.AuthDBView):
    """FAB's login form, answering every refusal alike (unknown name, wrong password, locked)."""

    invalid_login_message = LOGIN_REFUSED


def _current_password_matches(form, field) -> None:
    from werkzeug.security import check_password_hash
    from wtforms.validators import ValidationError

    user = _actor()
    if not getattr(user, "is_authenticated", False) or not check_password_hash(user.password, field.data or ""):
        raise ValidationError(_("当前密码不正确"))


class ChangeOwnPasswordForm(fab_forms.ResetPasswordForm):
    """FAB's password form, asking for the current password first."""

    old_password = PasswordField(_l("当前密码"), validators=[DataRequired(), _current_password_matches],
                                 widget=BS3PasswordFieldWidget())


class ResetMyPasswordView(fab_views.ResetMyPasswordView):
    """Changing one's own password needs the current one."""

    form = ChangeOwnPasswordForm


class ResetPasswordView(fab_views.ResetPasswordView):
    """An administrator resets another account's password (never a 三员 account's: those are
    reset by their holder or on the server); the target comes from ?pk= and is checked on GET
    and POST alike."""

    def _target_refused(self):
        from flask import abort, flash, redirect, request

        from .duties import effective_roles

        pk = request.args.get("pk", "")
        user = self.appbuilder.sm.get_user_by_id(int(pk)) if pk.isdigit() and len(pk) < 10 else None
        if user is None:
            abort(404)
        if effective_roles(user) & set(PRIVILEGED_ROLES):
            flash(_("系统管理员、安全管理员、审计管理员的密码只能由本人修改，或在服务器上重置"), "danger")
            return redirect(self.appbuilder.get_url_for_index)
        if getattr(_actor(), "id", None) == user.id:
            return redirect("/resetmypassword/form")
        return None

    @fab_views.expose("/form", methods=["GET"])
    @has_access
    def this_form_get(self):
        return self._target_refused() or super().this_form_get()

    @fab_views.expose("/form", methods=["POST"])
    @has_access
    def this_form_post(self):
        return self._target_refused() or super().this_form_post()


class SecurityApi(fab_api.SecurityApi):
    """FAB's API login (JWT), refusing accounts that must first change their password: the API
    is no way around the forced change."""

    @fab_views.expose("/login", methods=["POST"])
    @safe
    def login(self):
        resp = super().login()
        if resp.status_code == 200:
            from flask import request

            user = self.appbuilder.sm.find_user(username=(request.get_json(silent=True) or {}).get("username"))
            if user is not None and user.must_change_password:
                return self.response(403, message=str(MUST_CHANGE_FIRST))
        if resp.status_code == 401:
            return self.response(401, message=str(LOGIN_REFUSED))
        return resp


def end_sessions(user) -> None:
    """End every session, JWT and refresh token of `user` (they carry an older session epoch)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def _actor():
    from .scope import acting_user

    return acting_user()


def _audit_account(action: str, user) -> None:
    from .audit import record
    from .extensions import db

    record(action, "user", user.id, {"username": user.username, "unit_id": user.unit_id,
                                     "roles": sorted(r.name for r in user.roles), "active": user.active})
    db.session.commit()


class PortalSecurityManager(SecurityManager):
    """FAB's security manager with the unit-bearing user, account lockout, audited logins and
    password changes, and guarded security views."""

    user_model = PortalUser
    userdbmodelview = PortalUserDBModelView
    rolemodelview = RoleModelView
    permissionmodelview = PermissionModelView
    viewmenumodelview = ViewMenuModelView
    permissionviewmodelview = PermissionViewModelView
    groupmodelview = UserGroupModelView
    authdbview = AuthDBView
    resetpasswordview = ResetPasswordView
    resetmypasswordview = ResetMyPasswordView
    security_api = SecurityApi
    # FAB's user statistics chart loads Google Charts from the internet: not on an intranet.
    userstatschartview = None

    def _has_view_access(self, user, permission_name, view_name) -> bool:
        """FAB asks once per menu item and button; answer from the per-request set of the
        user's permissions (one query) instead of one EXISTS query each."""
        if not getattr(user, "is_authenticated", False):
            return super()._has_view_access(user, permission_name, view_name)
        return (permission_name, view_name) in user_permissions(user)

    def auth_user_db(self, username, password):
        """FAB's check, plus: locked accounts refused; the Nth failure locks for a while and ends
        the account's sessions; audited. Every refusal answers alike (LOGIN_REFUSED: no telling an
        unknown name from a locked account), on the web form and the API."""
        from werkzeug.security import check_password_hash

        from .audit import record
        from .clock import utcnow
        from .extensions import db

        cfg = current_app.config
        user = self.find_user(username=username) if username else None
        now = utcnow()
        if user is not None and is_service_account(user):
            # API keys only (minted by the security administrator): no password sign-in, web or API.
            check_password_hash(cfg["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password")
            record("login.refused_service", "user", user.id, {"username": username}, user=user)
            db.session.commit()
            return None
        if user is not None and user.locked_until is not None and user.locked_until > now:
            # as long as a real check: the answer's timing tells nothing either
            check_password_hash(cfg["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password")
            record("login.refused_locked", "user", user.id, {"username": username}, user=user)
            db.session.commit()
            return None
        result = super().auth_user_db(username, password)
        if result is not None:
            result.locked_until = None
            record("login.success", "user", result.id, {"username": result.username}, user=result)
        else:
            record("login.failure", "user", getattr(user, "id", None), {"username": (username or "")[:64]},
                   user=user)
            if user is not None and (user.fail_login_count or 0) >= cfg.get("LOGIN_MAX_FAILURES", 5):
                minutes = cfg.get("LOGIN_LOCK_MINUTES", 15)
                user.locked_until = now + dt.timedelta(minutes=minutes)
                user.fail_login_count = 0
                end_sessions(user)
                record("login.lockout", "user", user.id, {"username": user.username, "minutes": minutes},
                       user=user)
        db.session.commit()
        return result

    def reset_password(self, userid, password):
        """Change a password: one's own (the form asked for the current one), or — for the system
        administrator — another account's that holds none of the 三员 roles (those are reset on the
        server: ``flask fab reset-password``). The session guard audits it and ends the account's
        sessions and tokens; a reset password must be changed at the next login."""
        from .duties import DutyViolation, effective_roles
        from .extensions import db

        user = self.get_user_by_id(userid)
        actor = _actor()
        actor = actor if getattr(actor, "is_authenticated", False) else None
        own = actor is not None and actor.id == user.id
        if actor is not None and not own and effective_roles(user) & set(PRIVILEGED_ROLES):
            raise DutyViolation(_("系统管理员、安全管理员、审计管理员的密码只能由本人修改，或在服务器上重置"))
        super().reset_password(user.id, password)
        user.must_change_password = not own
        db.session.commit()
        if own and has_request_context():
            from flask import session

            session["_epoch"] = user.session_epoch  # this session goes on; the user's others end

    def add_permission_role(self, role, perm_view):
        """FAB hands every new permission to the admin role; never one of another duty's."""
        from .duties import _duties_of_app, may_hold

        duty = _duties_of_app().get((perm_view.permission.name, perm_view.view_menu.name), "unregistered")
        if duty == "unregistered" or not may_hold(role.name, duty):
            return
        super().add_permission_role(role, perm_view)

    def validate_api_key(self, api_key_string):
        """FAB's check, giving the key the portal's user (with its unit, hence its scope); refused
        while its account must change its password."""
        user = super().validate_api_key(api_key_string)
        if user is None:
            return None
        user = self.get_user_by_id(user.id)
        if user.must_change_password:
            return None
        g.user = user
        return user

    def create_jwt_manager(self, app):
        """FAB's JWT manager; tokens carry the account's session epoch and are refused once it
        moved on (logout, password change or reset, deactivation, lockout)."""
        jwt_manager = super().create_jwt_manager(app)

        @jwt_manager.additional_claims_loader
        def _epoch_claim(identity):
            user = self.get_user_by_id(int(identity)) if str(identity).isdigit() else None
            return {"epoch": getattr(user, "session_epoch", 0) or 0}

        @jwt_manager.token_in_blocklist_loader
        def _revoked(jwt_header, jwt_payload) -> bool:
            sub = str(jwt_payload.get("sub", ""))
            user = self.get_user_by_id(int(sub)) if sub.isdigit() else None
            return user is None or not user.active or jwt_payload.get("epoch") != (user.session_epoch or 0)

        return jwt_manager

    def register_views(self):
        """FAB's views, with the login rate limit on the API's login too (FAB limits the form only)."""
        super().register_views()
        if self.is_auth_limited:
            for view in self.appbuilder.baseviews:
                if isinstance(view, SecurityApi):
                    self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)


def is_service_account(user) -> bool:
    """An account whose only role is the statistics service's (STATS_SERVICE, directly or through
    groups): it reads the statistics API with keys and never signs in with a password."""
    from .duties import effective_roles

    return effective_roles(user) == {STATS_SERVICE}


def user_permissions(user) -> frozenset[tuple[str, str]]:
    """(permission, view) pairs the user holds through its roles; cached per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_portal_perms", {})
    if user.id not in cache:
        from flask_appbuilder.security.sqla.models import (
            Permission,
            PermissionView,
            ViewMenu,
            assoc_permissionview_role,
            assoc_user_role,
        )
        from sqlalchemy import select

        from .extensions import db

        # One query for all of the user's (permission, view) pairs, instead of one per check.
        q = (select(Permission.name, ViewMenu.name)
             .join(PermissionView, PermissionView.permission_id == Permission.id)
             .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
             .join(assoc_permissionview_role,
                   assoc_permissionview_role.c.permission_view_id == PermissionView.id)
             .join(assoc_user_role, assoc_user_role.c.role_id == assoc_permissionview_role.c.role_id)
             .where(assoc_user_role.c.user_id == user.id))
        cache[user.id] = frozenset(tuple(row) for row in db.session.execute(q))
    return cache[user.id]


def has_perm(user, permission: str, view: str) -> bool:
    """True when `user` holds `permission` on `view` (e.g. 'can_fill', 'Filing')."""
    return (permission, view) in user_permissions(user)


def role_grants(name: str, all_pairs, duties: dict) -> list:
    """The permission-view rows a declared role gets: its patterns' matches among the registered
    pairs that it may hold (app.duties), plus its duty's pairs (DUTY_GRANTS)."""
    from .duties import may_hold

    compiled = [(re.compile(v), re.compile(p)) for v, p in ROLES[name]]
    duty, duty_perm = DUTY_GRANTS.get(name, (None, None))
    wanted = []
    for pv in all_pairs:
        key = (pv.permission.name, pv.view_menu.name)
        if key not in duties:  # a view that is no longer registered: nobody holds it
            continue
        pair_duty = duties[key]
        granted = any(v.match(key[1]) and p.match(key[0]) for v, p in compiled) or (
            duty is not None and pair_duty == duty and re.match(duty_perm, key[0]))
        if granted and may_hold(name, pair_duty):
            wanted.append(pv)
    return wanted


def sync_roles() -> dict[str, int]:
    """Create every declared role and give it exactly the declared permissions. Idempotent."""
    from .duties import _duties_of_app

    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    for name in ROLES:  # first, so that FAB can hand new permissions to the admin role
        sm.find_role(name) or sm.add_role(name)
    appbuilder.add_permissions(update_perms=True)
    for perm, view in CAPABILITIES:
        sm.add_permission_view_menu(perm, view)
    all_pvs = sm.session.query(sm.permissionview_model).all()
    duties = _duties_of_app()
    counts = {}
    for name in ROLES:
        role = sm.find_role(name)
        role.permissions = role_grants(name, all_pvs, duties)
        counts[name] = len(role.permissions)
    sm.session.commit()
    return counts
