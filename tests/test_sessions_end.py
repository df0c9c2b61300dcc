"""Issue 14, items 3, 4 and 8: sessions that really end, the API no weaker door than the web,
API keys of unit accounts working within their scope."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PortalUser
from tests.helpers import add_filler, csrf_token, login, post_form

PASSWORD = "DemoPass@2026!"
# The production count (10) over a window long enough that a loaded machine fills it too.
SLOW_MACHINE_LIMIT = "10 per 10 minute"
NEW_PASSWORD = "Changed#Pass2026"


@pytest.fixture
def temp_user(app):
    return add_filler(app, "temp_user", PASSWORD)


def _logged_in(client) -> bool:
    return client.get("/filings/penalty/").status_code == 200


def _copy_session(app, client):
    """A second browser holding a copy of `client`'s session cookie (a stolen or replayed cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _jwt(client, username, password=PASSWORD):
    resp = client.post("/api/v1/security/login", json={"username": username, "password": password,
                                                        "provider": "db", "refresh": True})
    return resp


def _api_ok(client, tokens) -> bool:
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return client.get("/api/v1/units/", headers=headers).status_code == 200


def _refresh_ok(client, tokens) -> bool:
    return client.post("/api/v1/security/refresh",
                       headers={"Authorization": f"Bearer {tokens['refresh_token']}"}).status_code == 200


def test_logout_ends_a_replayed_cookie(app):
    c = login(app.test_client(), "dongcheng_filler")
    replay = _copy_session(app, c)
    assert _logged_in(replay)
    c.get("/logout/")
    assert not _logged_in(replay)
    assert not _logged_in(c)


def test_own_password_change_needs_the_current_one_and_ends_the_other_sessions(app, temp_user):
    me = login(app.test_client(), "temp_user", PASSWORD)
    elsewhere = login(app.test_client(), "temp_user", PASSWORD)
    tokens = _jwt(app.test_client(), "temp_user").json
    assert _api_ok(app.test_client(), tokens) and _refresh_ok(app.test_client(), tokens)
    page = post_form(me, "/resetmypassword/form", {"old_password": "Wrong#Guess2026", "password": NEW_PASSWORD,
                                                   "conf_password": NEW_PASSWORD}, "/resetmypassword/form")
    assert "当前密码不正确" in page.get_data(as_text=True)
    assert _logged_in(elsewhere)  # nothing changed
    post_form(me, "/resetmypassword/form", {"old_password": PASSWORD, "password": NEW_PASSWORD,
                                            "conf_password": NEW_PASSWORD}, "/resetmypassword/form")
    assert _logged_in(me)  # the session that changed it goes on
    assert not _logged_in(elsewhere)
    api = app.test_client()
    assert not _api_ok(api, tokens) and not _refresh_ok(api, tokens)
    assert _jwt(api, "temp_user", NEW_PASSWORD).status_code == 200


def _reset_by_admin(app, client_for, uid):
    path = f"/resetpassword/form?pk={uid}"
    post_form(client_for("admin"), path, {"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD}, path)


def _deactivate(app, client_for, uid):
    form = {"username": "temp_user", "first_name": "临时", "last_name": "用户", "email": "temp_user@demo.local",
            "roles": [str(_role_id(app, "填报员"))]}  # "active" unticked
    post_form(client_for("admin"), f"/users/edit/{uid}", form, f"/users/edit/{uid}")


def _lock_out(app, client_for, uid):
    c = app.test_client()
    for _ in range(5):
        c.post("/login/", data={"username": "temp_user", "password": "Wrong#Guess2026", "csrf_token": csrf_token(c)})


def _role_id(app, name):
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


@pytest.mark.parametrize("end", [_reset_by_admin, _deactivate, _lock_out], ids=["reset", "deactivate", "lockout"])
def test_reset_deactivation_and_lockout_end_every_session_and_token(app, client_for, temp_user, end):
    browser = login(app.test_client(), "temp_user", PASSWORD)
    tokens = _jwt(app.test_client(), "temp_user").json
    api = app.test_client()
    assert _logged_in(browser) and _api_ok(api, tokens)
    end(app, client_for, temp_user)
    assert not _logged_in(browser)
    assert not _api_ok(api, tokens) and not _refresh_ok(api, tokens)


# ---- item 4: the API is no weaker door ---------------------------------------------------------

def test_api_refuses_an_account_that_must_change_its_password(app, client_for, temp_user):
    with app.app_context():
        user = db.session.get(PortalUser, temp_user)
        raw = app.appbuilder.sm.create_api_key(user, "测试", expires_on=None)["key"]
        user.must_change_password = True
        db.session.commit()
    c = app.test_client()
    resp = _jwt(c, "temp_user")
    assert resp.status_code == 403 and "请先在网页上修改密码" in resp.json["message"]
    assert c.get("/api/v1/units/", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_api_login_is_rate_limited_like_the_form(app):
    from app import create_app
    from config import TestConfig

    cfg = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"])
    cfg.AUTH_RATE_LIMITED = True
    cfg.AUTH_RATE_LIMIT = SLOW_MACHINE_LIMIT
    c = create_app(cfg).test_client()
    codes = [_jwt(c, "nobody", "Wrong#Guess2026").status_code for _ in range(12)]
    assert codes[0] == 401 and 429 in codes


def _web_answer(app, username) -> str:
    c = app.test_client()
    c.post("/login/", data={"username": username, "password": "Wrong#Guess2026", "csrf_token": csrf_token(c)})
    html = c.get("/login/").get_data(as_text=True)
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)).split("</button>")[-1].strip()


def test_an_unknown_name_answers_like_a_locked_account(app, temp_user):
    for _ in range(6):  # temp_user is now locked; "ghost" never existed
        locked_web, unknown_web = _web_answer(app, "temp_user"), _web_answer(app, "ghost")
    assert locked_web == unknown_web and "暂时锁定" in locked_web
    c = app.test_client()
    locked_api, unknown_api = _jwt(c, "temp_user"), _jwt(c, "ghost")
    assert (locked_api.status_code, locked_api.json) == (unknown_api.status_code, unknown_api.json)
    assert locked_api.status_code == 401


# ---- item 8: API keys of unit accounts ---------------------------------------------------------

def test_a_unit_accounts_api_key_sees_its_own_scope(app, client_for):
    from tests.engine_helpers import drive
    from tests.helpers import penalty_values

    with app.app_context():
        own = drive("penalty", "0100", "2026Q2", penalty_values(), "draft").id
        other = drive("penalty", "2300", "2026Q2", penalty_values(), "accepted").id
        db.session.commit()
    filler = client_for("dongcheng_filler")
    page = post_form(filler, "/apikeys/create", {"name": "本单位系统", "days": "30"}, "/apikeys/")
    key = re.search(r'<code>(sst_[^<]+)</code>', page.get_data(as_text=True)).group(1)
    api = app.test_client()
    resp = api.get("/api/v1/filings/?page_size=100", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200
    ids = {f["id"] for f in resp.json["result"]}
    assert own in ids and other not in ids
    assert api.get(f"/api/v1/filings/{other}", headers={"Authorization": f"Bearer {key}"}).status_code == 404
    with app.app_context():
        keys = app.appbuilder.sm.api_key_model
        owner = db.session.scalar(select(keys.user_id).where(keys.name == "本单位系统"))
        assert db.session.get(PortalUser, owner).username == "dongcheng_filler"
