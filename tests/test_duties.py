"""Issue 14, items 1, 2 and 10: the separation of duties (三员分立) on every surface.

The duties are derived from what FAB registers (app.duties.pair_duties); these tests walk every
(permission, view) pair in the database, on the portal as configured and on a portal with FAB's
security REST API switched on, and drive the attacks of the penetration test through the web
forms, the REST API and the ORM (the command line's way in)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.duties import (
    ACCOUNTS,
    ADMIN,
    AUDIT,
    AUDIT_ADMIN,
    PERMISSIONS,
    SECURITY_ADMIN,
    DutyViolation,
    pair_duties,
)
from app.extensions import db
from app.models import AuditLog, PortalUser
from tests.helpers import add_filler, post_form

PASSWORD = "DemoPass@2026!"

# What each role may hold of each duty: (permission, view) pairs by duty.
SECURITY_ADMIN_ACCOUNT_PERMS = {"can_list", "can_show", "can_edit", "menu_access"}


def held_pairs(app) -> dict[str, set[tuple[str, str]]]:
    with app.app_context():
        return {r.name: {(pv.permission.name, pv.view_menu.name) for pv in r.permissions}
                for r in app.appbuilder.sm.get_all_roles()}


def assert_duties_separated(app) -> dict:
    """The rule the issue states, checked over every pair any role holds."""
    with app.app_context():
        duties = pair_duties(app.appbuilder)
    held = held_pairs(app)
    for role, pairs in held.items():
        for pair in pairs:
            assert pair in duties, f"{role} holds {pair} of a view that is not registered"
            duty = duties[pair]
            if duty == PERMISSIONS:
                assert role == SECURITY_ADMIN, (role, pair)
            elif duty == AUDIT:
                assert role == AUDIT_ADMIN, (role, pair)
            elif duty == ACCOUNTS:
                assert role == ADMIN or (role == SECURITY_ADMIN and pair[0] in SECURITY_ADMIN_ACCOUNT_PERMS), \
                    (role, pair)
    # not vacuous: each administrator holds its own duty
    assert ("can_edit", "RoleModelView") in held[SECURITY_ADMIN]
    assert ("can_list", "AuditLogView") in held[AUDIT_ADMIN]
    assert ("can_add", "PortalUserDBModelView") in held[ADMIN]
    return duties


def test_every_registered_pair_is_held_by_its_duty_only(app):
    duties = assert_duties_separated(app)
    # the classification comes from the models the views manage, not from names
    assert duties[("can_list", "AuditLogView")] == AUDIT
    assert duties[("can_this_form_post", "ResetPasswordView")] == ACCOUNTS
    assert duties[("can_this_form_post", "ResetMyPasswordView")] is None


def test_fab_security_rest_api_is_off(app):
    from tests.test_api import token

    c = app.test_client()
    h = token(c, "admin")
    for path in ("/api/v1/security/users/", "/api/v1/security/roles/", "/api/v1/security/permissions/",
                 "/api/v1/security/groups/", "/api/v1/security/api_keys/"):
        assert c.get(path, headers=h).status_code == 404, path


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory):
    """A portal with FAB's security REST API switched on, on its own SQLite database: the duties
    must hold for whatever FAB registers."""
    from flask_migrate import upgrade

    from app import create_app
    from app.demo import create_demo_accounts
    from app.security import sync_roles
    from app.unit_list import load_units
    from config import TestConfig

    cfg = TestConfig(f"sqlite:///{tmp_path_factory.mktemp('rest') / 'rest.db'}")
    cfg.FAB_ADD_SECURITY_API = True
    application = create_app(cfg)
    with application.app_context():
        upgrade()
        load_units()
        sync_roles()
        create_demo_accounts()
    return application


def test_duties_hold_with_fabs_security_rest_api_on(rest_app):
    duties = assert_duties_separated(rest_app)
    assert duties[("can_put", "Role")] == PERMISSIONS and duties[("can_put", "User")] == ACCOUNTS
    held = held_pairs(rest_app)
    assert ("can_put", "Role") not in held[ADMIN] and ("can_put", "Role") in held[SECURITY_ADMIN]


def test_rest_attacks_of_the_pentest_are_refused(rest_app):
    """The three REST attacks: admin gives itself 审计管理员; a filler made 安全管理员; the leader
    given the audit log. Refused, and nothing changes."""
    from tests.test_api import token

    c = rest_app.test_client()
    with rest_app.app_context():
        sm = rest_app.appbuilder.sm
        audit_role, sec_role, leader_role = (sm.find_role(n).id for n in (AUDIT_ADMIN, SECURITY_ADMIN, "领导"))
        admin_id = sm.find_user(username="admin").id
        filler_id = sm.find_user(username="dongcheng_filler").id
        audit_pvs = [pv.id for pv in sm.get_all_permissions_views()
                     if pv.view_menu.name == "AuditLogView"] if hasattr(sm, "get_all_permissions_views") else [
            pv.id for pv in db.session.scalars(select(sm.permissionview_model)) if pv.view_menu.name == "AuditLogView"]
    admin, security = token(c, "admin"), token(c, "security_admin")
    c.put(f"/api/v1/security/users/{admin_id}", json={"roles": [audit_role]}, headers=admin)
    c.put(f"/api/v1/security/roles/{sec_role}/users", json={"user_ids": [filler_id]}, headers=admin)
    c.post(f"/api/v1/security/roles/{leader_role}/permissions",
           json={"permission_view_menu_ids": audit_pvs}, headers=admin)
    # the security administrator may edit roles, but not hand the audit trail to the leader
    c.post(f"/api/v1/security/roles/{leader_role}/permissions",
           json={"permission_view_menu_ids": audit_pvs}, headers=security)
    # nor give itself the audit administrator's role
    with rest_app.app_context():
        sec_id = rest_app.appbuilder.sm.find_user(username="security_admin").id
    c.put(f"/api/v1/security/users/{sec_id}", json={"roles": [sec_role, audit_role]}, headers=security)
    with rest_app.app_context():
        roles = {u.username: sorted(r.name for r in u.roles) for u in db.session.scalars(select(PortalUser))}
        assert roles["admin"] == [ADMIN] and roles["dongcheng_filler"] == ["填报员"]
        assert roles["security_admin"] == [SECURITY_ADMIN]
        leader = rest_app.appbuilder.sm.find_role("领导")
        assert not any(pv.view_menu.name == "AuditLogView" for pv in leader.permissions)
    assert_duties_separated(rest_app)


# ---- the guard below every surface ----------------------------------------------------------

@pytest.fixture
def temp_user(app):
    return add_filler(app, "temp_user", PASSWORD)


def _roles(app, user_id):
    with app.app_context():
        return sorted(r.name for r in db.session.get(PortalUser, user_id).roles)


def _edit_roles(client, user_id, roles: list[int], username="temp_user"):
    form = {"username": username, "first_name": "临时", "last_name": "用户", "email": f"{username}@demo.local",
            "roles": [str(r) for r in roles], "active": "y"}
    return post_form(client, f"/users/edit/{user_id}", form, f"/users/edit/{user_id}")


def _role_ids(app, *names):
    with app.app_context():
        return [app.appbuilder.sm.find_role(n).id for n in names]


def test_no_account_holds_two_administrator_roles(app, client_for, temp_user):
    sec, audit = _role_ids(app, SECURITY_ADMIN, AUDIT_ADMIN)
    page = _edit_roles(client_for("security_admin"), temp_user, [sec, audit])
    assert "一个账号只能担任系统管理员、安全管理员、审计管理员中的一种" in page.get_data(as_text=True) or \
        page.status_code == 302
    assert _roles(app, temp_user) == ["填报员"]
    # below the forms too: the command line's way (no request, the system acts)
    with app.app_context():
        user = db.session.get(PortalUser, temp_user)
        sm = app.appbuilder.sm
        user.roles = [sm.find_role(ADMIN), sm.find_role(AUDIT_ADMIN)]
        with pytest.raises(DutyViolation):
            db.session.commit()
        db.session.rollback()
    assert _roles(app, temp_user) == ["填报员"]


def test_nobody_grants_a_duty_role_to_themselves(app, client_for):
    with app.app_context():
        me = app.appbuilder.sm.find_user(username="security_admin").id
    sec, audit = _role_ids(app, SECURITY_ADMIN, AUDIT_ADMIN)
    _edit_roles(client_for("security_admin"), me, [audit], username="security_admin")
    assert _roles(app, me) == [SECURITY_ADMIN]


def test_only_the_security_administrator_grants_duty_roles(app, client_for, temp_user):
    (sec,) = _role_ids(app, SECURITY_ADMIN)
    _edit_roles(client_for("admin"), temp_user, [sec])
    assert _roles(app, temp_user) == ["填报员"]
    start = _last_id(app)
    _edit_roles(client_for("security_admin"), temp_user, [sec])
    assert _roles(app, temp_user) == [SECURITY_ADMIN]
    rows = _rows(app, start, "role.membership")
    assert rows and rows[0].username == "security_admin"
    assert rows[0].detail == {"username": "temp_user", "added": [SECURITY_ADMIN], "removed": ["填报员"]}


def test_a_duty_permission_cannot_be_given_to_another_role(app, client_for):
    """The security administrator edits roles, but the audit trail stays the audit administrator's."""
    with app.app_context():
        sm = app.appbuilder.sm
        leader = sm.find_role("领导")
        audit_pv = next(pv for pv in sm.find_role(AUDIT_ADMIN).permissions
                        if pv.view_menu.name == "AuditLogView" and pv.permission.name == "can_list")
        leader.permissions.append(audit_pv)
        with pytest.raises(DutyViolation):
            db.session.commit()
        db.session.rollback()
    assert ("can_list", "AuditLogView") not in held_pairs(app)["领导"]


def _last_id(app):
    with app.app_context():
        return db.session.scalar(select(db.func.max(AuditLog.id))) or 0


def _rows(app, since, action):
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.id > since, AuditLog.action == action)
                                  .order_by(AuditLog.id)).all()
        db.session.expunge_all()
        return rows


def test_role_permission_changes_are_audited_on_any_surface(app):
    start = _last_id(app)
    with app.app_context():
        sm = app.appbuilder.sm
        leader = sm.find_role("领导")
        pv = sm.find_permission_view_menu("can_review", "Filing")
        leader.permissions.append(pv)
        db.session.commit()
        leader.permissions.remove(pv)
        db.session.commit()
    rows = _rows(app, start, "role.permissions")
    assert [r.detail["added"] for r in rows] == [["can_review:Filing"], []]
    assert rows[1].detail["removed"] == ["can_review:Filing"] and rows[0].username == "system"


# ---- item 2: no taking over accounts ----------------------------------------------------------

def test_administrator_cannot_reset_a_duty_accounts_password(app, client_for):
    with app.app_context():
        target = app.appbuilder.sm.find_user(username="security_admin")
        tid, before = target.id, target.password
    admin = client_for("admin")
    resp = admin.get(f"/resetpassword/form?pk={tid}")
    assert resp.status_code == 302
    admin.post(f"/resetpassword/form?pk={tid}", data={"password": "Taken#Over2026", "conf_password": "Taken#Over2026",
                                                     "csrf_token": _token(admin)})
    with app.app_context():
        assert db.session.get(PortalUser, tid).password == before


def _token(client):
    from tests.helpers import csrf_token

    return csrf_token(client, "/")


def test_administrator_resets_a_unit_account_forced_change_and_audited(app, client_for, temp_user):
    start = _last_id(app)
    path = f"/resetpassword/form?pk={temp_user}"
    post_form(client_for("admin"), path, {"password": "Reset#Pass2026x", "conf_password": "Reset#Pass2026x"}, path)
    with app.app_context():
        assert db.session.get(PortalUser, temp_user).must_change_password is True
    rows = _rows(app, start, "account.password_reset")
    assert len(rows) == 1 and rows[0].username == "admin" and rows[0].detail == {"username": "temp_user"}


def test_api_keys_are_minted_for_oneself(app, client_for):
    with app.app_context():
        leader_id = app.appbuilder.sm.find_user(username="leader").id
        admin_id = app.appbuilder.sm.find_user(username="admin").id
        keys = lambda: {(k.name, k.user_id) for k in db.session.scalars(  # noqa: E731
            select(app.appbuilder.sm.api_key_model))}
        before = keys()
    start = _last_id(app)
    admin = client_for("admin")
    post_form(admin, "/apikeys/create", {"name": "偷来的", "user_id": str(leader_id), "days": "30"}, "/apikeys/")
    post_form(admin, "/apikeys/create", {"name": "本人的", "days": "30"}, "/apikeys/")
    security = client_for("security_admin")
    post_form(security, "/apikeys/create", {"name": "决策系统", "user_id": str(leader_id), "days": "30"}, "/apikeys/")
    post_form(security, "/apikeys/create", {"name": "管理员的", "user_id": str(admin_id), "days": "30"}, "/apikeys/")
    with app.app_context():
        assert keys() - before == {("本人的", admin_id), ("决策系统", leader_id)}
    rows = _rows(app, start, "apikey.create")
    assert [(r.username, r.detail["owner"], r.detail["name"]) for r in rows] == [
        ("admin", "admin", "本人的"), ("security_admin", "leader", "决策系统")]
    # the page shows a unit's user only their own keys
    assert "<td>决策系统</td>" not in admin.get("/apikeys/").get_data(as_text=True)
    assert "<td>决策系统</td>" in security.get("/apikeys/").get_data(as_text=True)


def test_a_duty_accounts_password_is_reset_on_the_server_and_audited(app):
    """`flask fab reset-password` is the way for a 三员 account: audited as the system, the
    account must choose its own password at the next login."""
    start = _last_id(app)
    from flask_appbuilder.cli import reset_password  # `flask fab reset-password`

    result = app.test_cli_runner().invoke(reset_password, ["--username", "audit_admin",
                                                           "--password", "Server#Reset2026"])
    assert result.exit_code == 0, result.output
    rows = _rows(app, start, "account.password_reset")
    assert [(r.username, r.detail) for r in rows] == [("system", {"username": "audit_admin"})]
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="audit_admin")
        assert user.must_change_password is True
        from werkzeug.security import generate_password_hash

        user.password, user.must_change_password = generate_password_hash(PASSWORD), False  # as before
        db.session.commit()
