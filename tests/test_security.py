"""Issue 8, security: each control has a test that fails without it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditLog, PortalUser
from app.passwords import validate_password
from tests.helpers import add_filler, csrf_token, post_form

PASSWORD = "DemoPass@2026!"
# The production count (10) over a window long enough that a loaded machine fills it too.
SLOW_MACHINE_LIMIT = "10 per 10 minute"


def _login(client, username, password=PASSWORD):
    return client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": csrf_token(client)})


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def _actions(app, since_id=0, username=None):
    with app.app_context():
        q = select(AuditLog.action).where(AuditLog.id > since_id).order_by(AuditLog.id)
        if username:
            q = q.where(AuditLog.username == username)
        return list(db.session.scalars(q))


def _last_audit_id(app):
    with app.app_context():
        return db.session.scalar(select(db.func.max(AuditLog.id))) or 0


@pytest.fixture
def fresh_user(app):
    """A throwaway filler account in 东城区 (removed by the conftest cleanup)."""
    return add_filler(app, "temp_user", PASSWORD)


# ---- passwords ---------------------------------------------------------------------------------

@pytest.mark.parametrize("pw,words", [("short1A!", "至少10位"), ("alllowercase1!", "大写字母"),
                                      ("NoDigitsHere!!", "数字"), ("NoSymbols12345", "特殊符号"),
                                      ("P@ssw0rd!", "至少10位")])
def test_weak_passwords_refused(pw, words):
    with pytest.raises(PasswordComplexityValidationError, match=words):
        validate_password(pw)
    validate_password(PASSWORD)


def test_admin_cannot_set_a_weak_password(app, client_for, fresh_user):
    admin = client_for("admin")
    path = f"/resetpassword/form?pk={fresh_user}"
    page = post_form(admin, path, {"password": "weakpass", "conf_password": "weakpass"}, path)
    assert "不符合要求" in page.get_data(as_text=True)
    c = app.test_client()
    _login(c, "temp_user", PASSWORD)
    assert _logged_in(c)  # old password still works: nothing changed


# ---- lockout -----------------------------------------------------------------------------------

def test_five_failures_lock_the_account_for_15_minutes(app, client_for, fresh_user):
    start = _last_audit_id(app)
    c = app.test_client()
    with time_machine.travel(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            _login(c, "temp_user", "Wrong#Password1")
        _login(c, "temp_user", PASSWORD)  # right password, but locked
        assert not _logged_in(c)
        # the answer of every refusal: nothing tells a locked account from a wrong password
        assert "或账号因连续登录失败已被暂时锁定" in c.get("/login/").get_data(as_text=True)
        actions = _actions(app, start)
        assert actions.count("login.failure") == 5 and "login.lockout" in actions
        assert "login.refused_locked" in actions and "login.success" not in actions
        clock.shift(dt.timedelta(minutes=14))
        _login(c, "temp_user", PASSWORD)
        assert not _logged_in(c)
        clock.shift(dt.timedelta(minutes=2))
        _login(c, "temp_user", PASSWORD)
        assert _logged_in(c)
    with app.app_context():
        assert db.session.get(PortalUser, fresh_user).locked_until is None


def test_failures_are_counted_per_account(app, fresh_user):
    c = app.test_client()
    for _ in range(4):
        _login(c, "temp_user", "Wrong#Password1")
    _login(c, "dongcheng_approver", "Wrong#Password1")
    _login(c, "temp_user", PASSWORD)
    assert _logged_in(c)  # four failures do not lock


def test_administrator_unlocks(app, client_for, fresh_user):
    c = app.test_client()
    for _ in range(5):
        _login(c, "temp_user", "Wrong#Password1")
    admin = client_for("admin")
    token = csrf_token(admin, "/users/list/")
    resp = admin.post("/users/action_post", data={"action": "unlock", "rowid": [str(fresh_user)],
                                                   "csrf_token": token})
    assert resp.status_code == 302
    assert "account.unlock" in _actions(app)
    _login(c, "temp_user", PASSWORD)
    assert _logged_in(c)


# ---- sessions ----------------------------------------------------------------------------------

def test_idle_session_times_out(app):
    c = app.test_client()
    with time_machine.travel(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC), tick=False) as clock:
        _login(c, "dongcheng_filler")
        assert _logged_in(c)
        clock.shift(dt.timedelta(minutes=29))
        assert _logged_in(c)  # activity resets the clock
        clock.shift(dt.timedelta(minutes=31))
        resp = c.get("/")
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
        assert not _logged_in(c)
    assert "session.timeout" in _actions(app, username="dongcheng_filler")


def test_admin_created_account_must_change_password_first(app, client_for):
    admin = client_for("admin")
    with app.app_context():
        role_id = app.appbuilder.sm.find_role("填报员").id
        from app.unit_list import unit_by_code

        unit_id = unit_by_code("0100").id
    resp = post_form(admin, "/users/add", {
        "username": "new_filler", "first_name": "新", "last_name": "填报员", "email": "new@demo.local",
        "unit": str(unit_id), "roles": [str(role_id)], "active": "y",
        "password": "Initial#Pass2026", "conf_password": "Initial#Pass2026"}, "/users/add")
    assert resp.status_code == 302
    assert "account.create" in _actions(app, username="admin")
    with app.app_context():
        stored = db.session.scalar(select(PortalUser.password).where(PortalUser.username == "new_filler"))
        assert "Initial#Pass2026" not in stored and stored.startswith(("scrypt", "pbkdf2"))
    c = app.test_client()
    _login(c, "new_filler", "Initial#Pass2026")
    resp = c.get("/filings/penalty/")
    assert resp.status_code == 302 and "resetmypassword" in resp.headers["Location"].lower()
    post_form(c, "/resetmypassword/form", {"old_password": "Initial#Pass2026", "password": "Own#Password2026",
                                           "conf_password": "Own#Password2026"}, "/resetmypassword/form")
    assert c.get("/filings/penalty/").status_code == 200
    with app.app_context():
        u = db.session.scalar(select(PortalUser).where(PortalUser.username == "new_filler"))
        assert u.must_change_password is False
    # demo accounts are not forced
    assert client_for("dongcheng_filler").get("/filings/penalty/").status_code == 200


def test_login_rate_limited(app):
    """With AUTH_RATE_LIMITED (on in production config), the 11th login POST in 20 s gets 429."""
    from app import create_app
    from config import TestConfig

    cfg = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"])
    cfg.AUTH_RATE_LIMITED = True
    cfg.AUTH_RATE_LIMIT = SLOW_MACHINE_LIMIT
    limited = create_app(cfg)
    c = limited.test_client()
    codes = [_login(c, "nobody", "Wrong#Password1").status_code for _ in range(12)]
    assert 429 in codes and codes[0] != 429


def test_rate_limit_shared_through_redis(app):
    """Two apps (two gunicorn workers) sharing Redis share one limit."""
    import redis

    from app import create_app
    from config import TestConfig

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    workers = []
    for _ in range(2):
        cfg = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"])
        cfg.AUTH_RATE_LIMITED, cfg.RATELIMIT_STORAGE_URI = True, url
        cfg.AUTH_RATE_LIMIT = SLOW_MACHINE_LIMIT
        workers.append(create_app(cfg).test_client())
    codes = [_login(workers[i % 2], "nobody", "Wrong#Password1").status_code for i in range(12)]
    assert codes.count(429) >= 1 and codes[:10].count(429) == 0


# ---- separation of duties -----------------------------------------------------------------------

def test_three_administrators_hold_separate_duties(app, client_for):
    admin, security, audit = client_for("admin"), client_for("security_admin"), client_for("audit_admin")
    # system administrator: accounts and units, not roles, not the audit trail
    assert admin.get("/users/list/").status_code == 200
    assert admin.get("/unitmodelview/list/").status_code == 200
    for path in ("/roles/list/", "/permissions/list/", "/auditlogview/list/"):
        assert admin.get(path).status_code in (302, 403), path
    # security administrator: roles and permissions, not the audit trail, not units
    assert security.get("/roles/list/").status_code == 200
    for path in ("/auditlogview/list/", "/unitmodelview/list/", "/auditlogview/export/"):
        assert security.get(path).status_code in (302, 403), path
    # audit administrator: reads and exports the audit trail only
    assert audit.get("/auditlogview/list/").status_code == 200
    assert audit.get("/auditlogview/export/").status_code == 200
    for path in ("/roles/list/", "/users/list/", "/unitmodelview/list/", "/filings/penalty/"):
        assert audit.get(path).status_code in (302, 403), path
    # nobody can delete or edit audit entries: the routes refuse everyone
    with app.app_context():
        entry = db.session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()))
        n = db.session.query(AuditLog).count()
    for c in (admin, security, audit):
        post_form(c, f"/auditlogview/delete/{entry}", {}, "/")
        post_form(c, f"/auditlogview/edit/{entry}", {"action": "x"}, "/")
    with app.app_context():
        assert db.session.query(AuditLog).count() >= n
        assert db.session.get(AuditLog, entry).action != "x"
        perms = {(pv.permission.name, pv.view_menu.name) for role in app.appbuilder.sm.get_all_roles()
                 for pv in role.permissions}
        assert not any(v == "AuditLogView" and p in ("can_delete", "can_edit", "can_add") for p, v in perms)
        roles_that_change_perms = {r.name for r in app.appbuilder.sm.get_all_roles()
                                   if any(pv.view_menu.name == "RoleModelView" and pv.permission.name == "can_edit"
                                          for pv in r.permissions)}
        roles_reading_audit = {r.name for r in app.appbuilder.sm.get_all_roles()
                               if any(pv.view_menu.name == "AuditLogView" for pv in r.permissions)}
        assert roles_that_change_perms == {"安全管理员"} and roles_reading_audit == {"审计管理员"}


def test_only_security_admin_grants_privileged_roles(app, client_for, fresh_user):
    with app.app_context():
        sm = app.appbuilder.sm
        sec_role = sm.find_role("安全管理员").id
        filler_role = sm.find_role("填报员").id
    form = {"username": "temp_user", "first_name": "临时", "last_name": "用户", "email": "temp@demo.local",
            "roles": [str(sec_role), str(filler_role)], "active": "y"}
    page = post_form(client_for("admin"), f"/users/edit/{fresh_user}", form, f"/users/edit/{fresh_user}")
    with app.app_context():
        assert [r.name for r in db.session.get(PortalUser, fresh_user).roles] == ["填报员"]
    assert page.status_code in (200, 302)
    post_form(client_for("security_admin"), f"/users/edit/{fresh_user}", form, f"/users/edit/{fresh_user}")
    with app.app_context():
        assert sorted(r.name for r in db.session.get(PortalUser, fresh_user).roles) == sorted(["安全管理员", "填报员"])
    assert "account.update" in _actions(app, username="security_admin")


# ---- audit trail -------------------------------------------------------------------------------

def test_logins_logouts_and_failures_audited_with_address(app):
    start = _last_audit_id(app)
    c = app.test_client()
    _login(c, "dongcheng_filler", "Wrong#Password1")
    _login(c, "dongcheng_filler")
    c.get("/logout/")
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.id > start).order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == ["login.failure", "login.success", "logout"]
        assert all(r.ip == "127.0.0.1" and r.username == "dongcheng_filler" for r in rows)


def test_hash_chain_detects_tampering(app):
    from click.testing import CliRunner  # noqa: F401  (flask's runner wraps it)

    from app.audit import record, verify_chain

    with app.app_context():
        for i in range(5):
            record("test.event", "thing", i, {"n": i})
        db.session.commit()
        assert verify_chain().ok
        runner = app.test_cli_runner()
        assert runner.invoke(args=["portal", "audit-verify"]).exit_code == 0
        ids = list(db.session.scalars(select(AuditLog.id).where(AuditLog.action == "test.event")
                                      .order_by(AuditLog.id)))
        # 1. edit a row in the database
        db.session.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"), {"d": '{"n": 99}', "i": ids[2]})
        db.session.commit()
        db.session.expire_all()
        report = verify_chain()
        assert not report.ok and report.broken_at == ids[2]
        result = runner.invoke(args=["portal", "audit-verify"])
        assert result.exit_code == 1 and str(ids[2]) in result.output
        db.session.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"), {"d": '{"n": 2}', "i": ids[2]})
        db.session.commit()
        db.session.expire_all()
        assert verify_chain().ok
        # 2. delete a row in the middle
        db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[1]})
        db.session.commit()
        db.session.expire_all()
        assert verify_chain().broken_at == ids[2]


def test_truncating_the_tail_is_detected(app):
    from app.audit import record, verify_chain

    with app.app_context():
        for i in range(3):
            record("test.event", "thing", i, {"n": i})
        db.session.commit()
        last = db.session.scalar(select(db.func.max(AuditLog.id)))
        db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": last})
        db.session.commit()
        db.session.expire_all()
        report = verify_chain()
        assert not report.ok and "末尾" in report.reason
        # the last rows AND the head row deleted: entries without a head are a cut chain too
        db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": last - 1})
        db.session.execute(text("DELETE FROM audit_chain_head"))
        db.session.commit()
        db.session.expire_all()
        report = verify_chain()
        assert not report.ok and report.broken_at == last - 2
        assert app.test_cli_runner().invoke(args=["portal", "audit-verify"]).exit_code == 1


def test_audit_export_is_a_workbook_of_entries(app, client_for):
    import io

    from openpyxl import load_workbook

    client_for("dongcheng_filler")  # a login to find
    resp = client_for("audit_admin").get("/auditlogview/export/")
    ws = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "login.success" in values and "dongcheng_filler" in values
    assert "export.audit_log" in _actions(app, username="audit_admin")


# ---- headers and cookies -------------------------------------------------------------------------

def test_security_headers_and_cookie_flags(app):
    c = app.test_client()
    resp = c.get("/login/")
    h = resp.headers
    assert "default-src 'self'" in h["Content-Security-Policy"] and "http" not in h["Content-Security-Policy"]
    assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    cookie = next(v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_switch(app):
    from app import create_app
    from config import TestConfig

    cfg = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"])
    cfg.SESSION_COOKIE_SECURE = True
    resp = create_app(cfg).test_client().get("/login/")
    cookie = next(v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert re.search(r";\s*Secure", cookie)
