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

from flask import current_app, g
from flask_appbuilder.actions import action
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models.user import PortalUser
from .views.base import KnownActionsOnly

ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
AUDIT_ADMIN = "审计管理员"
REVIEWER = "市级审核员"
APPROVER = "单位审核人"
FILLER = "填报员"
LEADER = "领导"

FILING = "Filing"
SCOPE = "Scope"
CAPABILITIES = [
    ("can_fill", FILING),
    ("can_approve", FILING),
    ("can_review", FILING),
    ("can_import", FILING),
    ("can_all_units", SCOPE),
    ("can_full_citizen_id", "Staff"),
    ("can_assign_roles", "Security"),
]

# Every signed-in user: home page, own profile and password, language switch.
_SELF = [
    (r"^HomeView$", r"^can_.*"),
    (r"^(Portal)?UserDBModelView$", r"^can_userinfo$"),
    (r"^ResetMyPasswordView$", r"^can_this_form_(get|post)$"),
    (r"^UserInfoEditView$", r"^can_this_form_(get|post)$"),
    (r"^Filing$", r"^can_read$"),
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
_CITY_READ = [
    (r"^Scope$", r"^can_all_units$"),
    (r"^Timeliness$", r"^can_read$"),
    (r"^(UnitModelView)$", r"^can_(list|show)$"),
    (r"^(统计|报送情况|单位)$", r"^menu_access$"),
]

# Statistics, charts and the dashboard: every role reads them; the scope decides what they cover.
_STATS_READ = [
    (r"^(Reports|Dashboard)$", r"^can_read$"),
    (r"^(统计分析|数据看板|统计报表|对比分析|分析报告)$", r"^menu_access$"),
]

# 三员分立: roles and permissions belong to the security administrator, the audit trail to the
# audit administrator; the system administrator keeps accounts, units and the rest.
_PERMISSION_VIEWS = (r"RoleModelView|PermissionModelView|ViewMenuModelView|PermissionViewModelView|"
                     r"UserGroupModelView|RoleApi|PermissionApi|ViewMenuApi|PermissionViewMenuApi|GroupApi|"
                     r"List Roles|Base Permissions|Views/Menus|Permission on Views/Menus|List Groups")
_AUDIT_VIEWS = r"AuditLogView|审计日志"

# role → [(view-menu regex, permission regex)]
ROLES: dict[str, list[tuple[str, str]]] = {
    ADMIN: [
        # everything but the units' own work (filling, signing off, reviewing, importing), role and
        # permission management, and the audit trail
        (rf"^(?!({_PERMISSION_VIEWS}|{_AUDIT_VIEWS}|导入人员名册|Security)$).*",
         r"^(?!can_fill$|can_approve$|can_review$|can_import$|can_assign_roles$).*"),
        (r"^Security$", r"^menu_access$"),
    ],
    SECURITY_ADMIN: [
        (r"^HomeView$", r"^can_.*"),
        (r"^(Portal)?UserDBModelView$", r"^can_(list|show|edit|userinfo)$"),
        (r"^ResetMyPasswordView$", r"^can_this_form_(get|post)$"),
        (rf"^({_PERMISSION_VIEWS})$", r"^(can_.*|menu_access)$"),
        (r"^Security$", r"^(can_assign_roles|menu_access)$"),
        (r"^List Users$", r"^menu_access$"),
    ],
    AUDIT_ADMIN: [
        (r"^HomeView$", r"^can_.*"),
        (r"^(Portal)?UserDBModelView$", r"^can_userinfo$"),
        (r"^ResetMyPasswordView$", r"^can_this_form_(get|post)$"),
        (r"^AuditLogView$", r"^can_(list|show|export)$"),
        (r"^(Security|审计日志)$", r"^menu_access$"),
    ],
    REVIEWER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _CITY_READ
    + [(r"^Filing$", r"^can_(review|import)$")],
    APPROVER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + [(r"^Filing$", r"^can_approve$")],
    FILLER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _STAFF_KEEP + [(r"^Filing$", r"^can_(fill|import)$")],
    LEADER: _SELF + _FILING_MENUS + _STAFF_READ + _STATS_READ + _CITY_READ,
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

    def _check_roles(self, item, before: set[str]) -> None:
        """Only the security administrator grants the 三员 roles (or takes them away)."""
        after = {r.name for r in item.roles}
        touched = (after ^ before) & set(PRIVILEGED_ROLES)
        if touched and not has_perm(_actor(), "can_assign_roles", "Security"):
            from .extensions import db

            db.session.rollback()  # FAB has already copied the form into the item: undo all of it
            raise ValueError(_("只有安全管理员可以授予或收回系统管理员、安全管理员、审计管理员角色"))

    def pre_add(self, item):
        self._check_roles(item, set())
        super().pre_add(item)  # FAB hashes the password here
        # Accounts made by an administrator must choose their own password at first login.
        item.must_change_password = True

    def pre_update(self, item):
        from sqlalchemy import inspect

        hist = inspect(item).attrs.roles.history
        before = {r.name for r in (hist.unchanged or ())} | {r.name for r in (hist.deleted or ())}
        self._check_roles(item, before)
        super().pre_update(item)

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
    """FAB's role admin; permission changes are audited; unknown action names answer 404."""

    def _audit(self, action_name: str, item) -> None:
        from .audit import record
        from .extensions import db

        record(action_name, "role", item.id, {"role": item.name, "permissions": sorted(
            f"{pv.permission.name}:{pv.view_menu.name}" for pv in item.permissions)})
        db.session.commit()

    def post_add(self, item):
        self._audit("role.create", item)

    def post_update(self, item):
        self._audit("role.update", item)

    def post_delete(self, item):
        self._audit("role.delete", item)


class PermissionModelView(KnownActionsOnly, fab_views.PermissionModelView):
    """FAB's permission list, guarded like every other ModelView here."""


class ViewMenuModelView(KnownActionsOnly, fab_views.ViewMenuModelView):
    """FAB's view-menu list, guarded."""


class PermissionViewModelView(KnownActionsOnly, fab_views.PermissionViewModelView):
    """FAB's permission-on-view list, guarded."""


class UserGroupModelView(KnownActionsOnly, fab_views.UserGroupModelView):
    """FAB's group admin, guarded."""


PRIVILEGED_ROLES = (ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)


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
    # FAB's user statistics chart loads Google Charts from the internet: not on an intranet.
    userstatschartview = None

    def _has_view_access(self, user, permission_name, view_name) -> bool:
        """FAB asks once per menu item and button; answer from the per-request set of the
        user's permissions (one query) instead of one EXISTS query each."""
        if not getattr(user, "is_authenticated", False):
            return super()._has_view_access(user, permission_name, view_name)
        return (permission_name, view_name) in user_permissions(user)

    def auth_user_db(self, username, password):
        """FAB's check, plus: locked accounts refused; the Nth failure locks for a while; audited."""
        from flask import flash

        from .audit import record
        from .clock import utcnow
        from .extensions import db

        cfg = current_app.config
        user = self.find_user(username=username) if username else None
        now = utcnow()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            record("login.refused_locked", "user", user.id, {"username": username}, user=user)
            db.session.commit()
            flash(_("账号因多次登录失败已被锁定，请稍后再试或联系系统管理员解锁"), "danger")
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
                record("login.lockout", "user", user.id, {"username": user.username, "minutes": minutes},
                       user=user)
                flash(_("连续登录失败次数过多，账号已锁定%(minutes)s分钟", minutes=minutes), "danger")
        db.session.commit()
        return result

    def reset_password(self, userid, password):
        """Change a password (own or, for administrators, another's); audited; clears the
        first-login flag only when users set their own."""
        from .audit import record
        from .extensions import db

        super().reset_password(userid, password)
        user = self.get_user_by_id(userid)
        actor = _actor()
        own = getattr(actor, "id", None) == user.id
        user.must_change_password = not own
        record("account.password_changed" if own else "account.password_reset", "user", user.id,
               {"username": user.username})
        db.session.commit()


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


def sync_roles() -> dict[str, int]:
    """Create every declared role and give it exactly the declared permissions. Idempotent."""
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    for name in ROLES:  # first, so that FAB can hand new permissions to the admin role
        sm.find_role(name) or sm.add_role(name)
    appbuilder.add_permissions(update_perms=True)
    for perm, view in CAPABILITIES:
        sm.add_permission_view_menu(perm, view)
    all_pvs = sm.session.query(sm.permissionview_model).all()
    counts = {}
    for name, patterns in ROLES.items():
        role = sm.find_role(name)
        compiled = [(re.compile(v), re.compile(p)) for v, p in patterns]
        wanted = [
            pv
            for pv in all_pvs
            if any(v.match(pv.view_menu.name) and p.match(pv.permission.name) for v, p in compiled)
        ]
        role.permissions = wanted
        counts[name] = len(wanted)
    sm.session.commit()
    return counts
