"""What an English user reads beyond the menus: the security flashes (lockout, first-login
password change, idle timeout, unlock), the error pages and API errors (400 … 503, 413 naming the
upload limit), the page's <html lang>, and the favicon. Chinese stays the default."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import abort

from app.extensions import db
from app.models import PortalUser
from tests.helpers import add_filler, csrf_token, login

PASSWORD = "DemoPass@2026!"
FAVICON = Path(__file__).resolve().parent.parent / "app" / "static" / "favicon.ico"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
HTML_TAG = re.compile(r"<html[^>]*>")


def _english(client):
    assert client.get("/lang/en", headers={"Referer": "/"}).status_code == 302
    return client


def _text(resp) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True))).split())


def _login(client, username, password=PASSWORD):
    return client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": csrf_token(client)})


@pytest.fixture
def temp_user(app):
    """A throwaway filler account in 东城区 (removed by the conftest cleanup)."""
    return add_filler(app, "i18n_user", PASSWORD)


# --- flashes of app/security.py and app/sessions.py ------------------------------------------------

def test_lockout_messages_in_english(app, temp_user):
    # (The session cookie is signed with the time: the language is chosen inside the travelled time.)
    with time_machine.travel(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC), tick=False):
        c = _english(app.test_client())
        for _ in range(5):
            _login(c, "i18n_user", "Wrong#Password1")
        page = _text(c.get("/login/"))
        assert "or the account is locked for a while after repeated failures" in page, page
        _login(c, "i18n_user", PASSWORD)  # right password, but locked: the same answer
        page = _text(c.get("/login/"))
        assert "or the account is locked for a while after repeated failures" in page, page
        assert "账号" not in page and "锁定" not in page


def test_lockout_messages_stay_chinese_by_default(app, temp_user):
    c = app.test_client()
    with time_machine.travel(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            _login(c, "i18n_user", "Wrong#Password1")
        assert "或账号因连续登录失败已被暂时锁定" in _text(c.get("/login/"))


def test_must_change_password_message_in_english(app, temp_user):
    with app.app_context():
        db.session.get(PortalUser, temp_user).must_change_password = True
        db.session.commit()
    c = _english(app.test_client())
    _login(c, "i18n_user")
    resp = c.get("/filings/penalty/")
    assert resp.status_code == 302 and "resetmypassword" in resp.headers["Location"].lower()
    page = _text(c.get(resp.headers["Location"]))
    assert "Please change your password first" in page, page
    # The favicon is not held back by the forced password change.
    assert c.get("/favicon.ico").status_code == 200


def test_idle_timeout_message_in_english_and_the_language_survives(app):
    with time_machine.travel(dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC), tick=False) as clock:
        c = _english(app.test_client())
        login(c, "dongcheng_filler")
        assert c.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        resp = c.get("/")
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
        login_page = c.get(resp.headers["Location"])
    page = _text(login_page)
    assert "You were logged out after 30 minutes without activity" in page, page
    assert "Sign In" in page  # the login page itself is still English: the chosen language outlived the session
    assert 'lang="en"' in HTML_TAG.search(login_page.get_data(as_text=True)).group(0)


def test_unlock_action_in_english(app, client_for, temp_user):
    c = app.test_client()
    for _ in range(5):
        _login(c, "i18n_user", "Wrong#Password1")
    admin = _english(client_for("admin"))
    listing = admin.get("/users/list/").get_data(as_text=True)
    assert "Unlock login for the selected accounts?" in listing and "解除" not in listing
    token = csrf_token(admin, "/users/list/")
    resp = admin.post("/users/action_post", data={"action": "unlock", "rowid": [str(temp_user)],
                                                   "csrf_token": token})
    assert resp.status_code == 302
    assert "Unlocked 1 account(s)" in _text(admin.get("/users/list/"))


# --- <html lang> and the favicon ------------------------------------------------------------------

def test_html_lang_follows_the_language(app, client_for):
    anonymous = app.test_client()
    assert HTML_TAG.search(anonymous.get("/login/").get_data(as_text=True)).group(0) == '<html lang="zh-CN">'
    c = client_for("dongcheng_filler")
    for path in ("/", "/filings/penalty/"):
        assert HTML_TAG.search(c.get(path).get_data(as_text=True)).group(0) == '<html lang="zh-CN">'
    _english(c)
    for path in ("/", "/filings/penalty/"):
        assert HTML_TAG.search(c.get(path).get_data(as_text=True)).group(0) == '<html lang="en">'
    assert HTML_TAG.search(_english(anonymous).get("/login/").get_data(as_text=True)).group(0) == \
        '<html lang="en">'


def test_fabs_page_skeleton_still_has_the_tag_we_set_lang_on():
    """app.web.HtmlLangLoader rewrites FAB's bare <html>: a FAB upgrade that changes it shows here."""
    import flask_appbuilder

    from app.web import _PLAIN_HTML_TAG, HtmlLangLoader

    init = Path(flask_appbuilder.__file__).parent / "templates" / HtmlLangLoader.TEMPLATE
    assert init.read_text(encoding="utf-8").count(_PLAIN_HTML_TAG) == 1


def test_favicon_is_served_locally(app, client_for):
    for c in (app.test_client(), client_for("dongcheng_filler")):
        resp = c.get("/favicon.ico")
        assert resp.status_code == 200
        assert resp.mimetype.startswith("image/")
        assert resp.data == FAVICON.read_bytes() and resp.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    page = client_for("dongcheng_filler").get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page


# --- error pages and API errors ------------------------------------------------------------------

def _raising(exc):
    def view(*_args, **_kwargs):
        raise exc
    return view


@pytest.mark.parametrize("status,exc,zh,en", [
    (500, RuntimeError("boom"), "请联系管理员并告知错误编号", "contact the administrator and quote error number"),
    (503, OperationalError("UPDATE x", {}, Exception("database is locked")), "系统繁忙",
     "The system is busy"),
    (409, StaleDataError("stale"), "已被他人修改或处理", "changed or processed by someone else"),
])
def test_failure_pages_in_both_languages(app, monkeypatch, status, exc, zh, en):
    monkeypatch.setitem(app.view_functions, "favicon", _raising(exc))
    c = app.test_client()
    resp = c.get("/favicon.ico")
    assert resp.status_code == status and zh in _text(resp)
    assert HTML_TAG.search(resp.get_data(as_text=True)).group(0) == '<html lang="zh-CN">'
    resp = _english(c).get("/favicon.ico")
    page = _text(resp)
    assert resp.status_code == status and en in page and not CJK.search(page), page
    assert HTML_TAG.search(resp.get_data(as_text=True)).group(0) == '<html lang="en">'
    assert "Back to the home page" in page
    if status == 500:
        # the error number is the request id: the same in the log line, the header and the audit rows
        assert re.search(r"error number ([0-9a-f]{32})\.", page).group(1) == resp.headers["X-Request-Id"], page
    if status == 503:
        assert resp.headers["Retry-After"] == "5"


@pytest.mark.parametrize("status,zh_title,en_title,en_text", [
    (400, "请求无效", "Bad request", "The request is invalid or incomplete"),
    (403, "无权访问", "Access denied", "You do not have permission"),
    (404, "页面不存在", "Page not found", "does not exist"),
])
def test_http_error_pages_in_both_languages(app, monkeypatch, status, zh_title, en_title, en_text):
    monkeypatch.setitem(app.view_functions, "favicon", lambda: abort(status))
    c = app.test_client()
    resp = c.get("/favicon.ico")
    assert resp.status_code == status and f"<title>{zh_title}</title>" in resp.get_data(as_text=True)
    resp = _english(c).get("/favicon.ico")
    page = _text(resp)
    assert resp.status_code == status and f"<title>{en_title}</title>" in resp.get_data(as_text=True)
    assert en_text in page and not CJK.search(page), page


def test_unknown_page_and_api_path_in_english(app):
    c = _english(app.test_client())
    resp = c.get("/no/such/page")
    assert resp.status_code == 404 and "Page not found" in _text(resp)
    api = c.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.is_json
    assert api.json == {"message": "The page or data you requested does not exist: it may have been deleted, "
                                   "or the link is wrong.", "errors": {}, "request_id": api.headers["X-Request-Id"]}
    assert app.test_client().get("/api/v1/no-such-endpoint").json["message"].startswith("您要访问的页面")


def test_method_not_allowed_keeps_the_allow_header(app):
    resp = app.test_client().delete("/favicon.ico")
    assert resp.status_code == 405 and "请求方式不允许" in _text(resp)
    assert "GET" in resp.headers["Allow"]


def test_nul_characters_refused_in_english(app):
    resp = _english(app.test_client()).get("/login/?next=%00")
    assert resp.status_code == 400 and "invalid characters (such as NUL)" in _text(resp)


def test_expired_csrf_token_is_a_plain_page_not_werkzeugs(app):
    resp = app.test_client().post("/login/", data={"username": "x", "password": "y"})
    assert resp.status_code == 400 and "请刷新页面后重试" in _text(resp)
    resp = _english(app.test_client()).post("/login/", data={"username": "x", "password": "y"})
    assert resp.status_code == 400 and "Please refresh the page and try again" in _text(resp)


# --- uploads over MAX_CONTENT_LENGTH -----------------------------------------------------------------

def _too_large(app) -> bytes:
    return b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)


def test_oversized_upload_gets_the_portal_page_naming_the_limit(app, client_for):
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    c = client_for("dongcheng_filler")
    token = csrf_token(c, "/filings/penalty/import")
    import io

    resp = c.post("/filings/penalty/import", data={"csrf_token": token, "file": (io.BytesIO(_too_large(app)),
                                                                                  "big.xlsx")})
    assert resp.status_code == 413 and resp.mimetype == "text/html"
    page = _text(resp)
    assert "上传内容过大" in page and "超过大小限制（10 MB）" in page, page
    assert "Request Entity Too Large" not in page
    resp = _english(c).post("/filings/penalty/import", data={
        "csrf_token": token, "file": (io.BytesIO(_too_large(app)), "big.xlsx")})
    page = _text(resp)
    assert resp.status_code == 413 and "Upload too large" in page and "exceeds the size limit (10 MB)" in page


def test_oversized_api_body_gets_a_json_error(app):
    from tests.concurrency_helpers import jwt

    c = app.test_client()
    headers = {**jwt(c, "dongcheng_filler"), "Content-Type": "application/json"}
    resp = c.post("/api/v1/filings/", data=_too_large(app), headers=headers)
    assert resp.status_code == 413 and resp.is_json
    assert set(resp.json) == {"message", "errors", "request_id"} and resp.json["errors"] == {}
    assert "超过大小限制（10 MB）" in resp.json["message"]


def test_size_labels():
    from app.errors import size_label

    assert size_label(10 * 1024 * 1024) == "10 MB"
    assert size_label(5 * 1024 * 1024 // 2) == "2.5 MB"
    assert size_label(64 * 1024) == "64 KB"
