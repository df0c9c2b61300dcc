"""The security manager: user ↔ unit, the portal's roles declared in code, and their sync.

Roles are data here and written to the database by ``flask portal init`` (idempotent, like
``superset init``): every run leaves each declared role with exactly the declared permissions.
Workflow capabilities are FAB permissions on the pseudo-view "Filing" (can_fill, can_approve,
can_review) and city-wide visibility is "can_all_units" on "Scope", so one permission check
serves views, the API, imports and exports alike.
"""

from __future__ import annotations

import re

from flask import current_app, g
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l

from .models.user import PortalUser
from .views.base import KnownActionsOnly

ADMIN = "系统管理员"
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

# role → [(view-menu regex, permission regex)]
ROLES: dict[str, list[tuple[str, str]]] = {
    ADMIN: [
        # everything but the units' own work: filling, signing off, reviewing, importing
        (r"^(?!导入人员名册$).*", r"^(?!can_fill$|can_approve$|can_review$|can_import$).*"),
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
    label_columns = {"unit": "所属单位"}


class RoleModelView(KnownActionsOnly, fab_views.RoleModelView):
    """FAB's role admin; unknown action names answer 404, not 500 (same name, same permissions)."""


class PermissionModelView(KnownActionsOnly, fab_views.PermissionModelView):
    """FAB's permission list, guarded like every other ModelView here."""


class ViewMenuModelView(KnownActionsOnly, fab_views.ViewMenuModelView):
    """FAB's view-menu list, guarded."""


class PermissionViewModelView(KnownActionsOnly, fab_views.PermissionViewModelView):
    """FAB's permission-on-view list, guarded."""


class UserGroupModelView(KnownActionsOnly, fab_views.UserGroupModelView):
    """FAB's group admin, guarded."""


class PortalSecurityManager(SecurityManager):
    """FAB's security manager with the unit-bearing user and guarded security views."""

    user_model = PortalUser
    userdbmodelview = PortalUserDBModelView
    rolemodelview = RoleModelView
    permissionmodelview = PermissionModelView
    viewmenumodelview = ViewMenuModelView
    permissionviewmodelview = PermissionViewModelView
    groupmodelview = UserGroupModelView
    # FAB's user statistics chart loads Google Charts from the internet: not on an intranet.
    userstatschartview = None


def user_permissions(user) -> frozenset[tuple[str, str]]:
    """(permission, view) pairs the user holds through its roles; cached per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_portal_perms", {})
    if user.id not in cache:
        cache[user.id] = frozenset(
            (pv.permission.name, pv.view_menu.name)
            for role in user.roles
            for pv in role.permissions
        )
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
