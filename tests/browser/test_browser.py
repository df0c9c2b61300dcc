"""The portal in a real browser: login through the form, role-bound menus, Chinese by default,
no third-party requests, and full-page screenshots.

Runs Debian's headless Chromium against the session `app` served on 127.0.0.1 (see conftest.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

HAN = re.compile(r"[\u4e00-\u9fff]")

# Navbar texts by what they stand for. FAB labels its "Security" category 用户权限 in Chinese.
FILING = {"行政处罚", "行政处罚报表", "修改申请"}
# 报送情况 (every unit's filing status) is city-wide only; units get their own 统计分析 pages.
STATS = {"报送情况"}
CITY_ONLY = STATS | {"统计"}
UNITS = {"单位"}
UNIT_ADMIN = {"填报范围"}
USER_ADMIN = {"用户列表", "角色列表"}
AUDIT = {"审计日志"}
SECURITY = {"Security", "用户权限"} | USER_ADMIN | AUDIT

UNIT_ROLES = {"dongcheng_filler", "dongcheng_approver", "gongan_filler", "gongan_approver"}
CITY_ROLES = {"reviewer", "leader"}

# username → (texts the navbar must show, texts it must not show)
EXPECTED_MENUS = {
    "admin": (FILING | STATS | UNITS | UNIT_ADMIN | {"用户权限", "用户列表"}, set()),
    # 三员分立: user and role management, and the audit trail, each have their own administrator.
    "security_admin": ({"用户权限"} | USER_ADMIN, FILING | CITY_ONLY | UNITS | UNIT_ADMIN | AUDIT),
    "audit_admin": ({"用户权限"} | AUDIT, FILING | CITY_ONLY | UNITS | UNIT_ADMIN | USER_ADMIN),
    **{u: (FILING | STATS | UNITS, SECURITY | UNIT_ADMIN) for u in CITY_ROLES},
    **{u: (FILING, CITY_ONLY | UNITS | UNIT_ADMIN | SECURITY) for u in UNIT_ROLES},
}
DEMO_USERS = [row[0] for row in DEMO_ACCOUNTS]

NAV_TEXTS_JS = """() => Array.from(document.querySelectorAll('.navbar .navbar-nav:not(.navbar-right) a'))
    .map(a => a.textContent.replace(/\\s+/g, ' ').trim()).filter(Boolean)"""


def test_every_demo_account_has_expected_menus():
    """The table above covers every demo account (a new account needs a row)."""
    assert set(DEMO_USERS) <= set(EXPECTED_MENUS), sorted(set(DEMO_USERS) - set(EXPECTED_MENUS))


def login(page, server, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto(server.url("/login/"))
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")


def navbar_texts(page) -> set[str]:
    return set(page.evaluate(NAV_TEXTS_JS))


@pytest.mark.parametrize("username", DEMO_USERS)
def test_login_form_and_role_menus(live_server, page, username):
    login(page, live_server, username)
    assert page.url == live_server.url("/"), f"{username} was not taken home after login: {page.url}"
    assert page.locator(".navbar a[href='/logout/']").count() == 1, f"{username} does not look signed in"

    texts = navbar_texts(page)
    must_see, must_not_see = EXPECTED_MENUS[username]
    assert must_see <= texts, f"{username} misses menus {sorted(must_see - texts)}; navbar: {sorted(texts)}"
    assert not (must_not_see & texts), f"{username} sees forbidden menus {sorted(must_not_see & texts)}"


def test_wrong_password_stays_on_login_page(live_server, page):
    login(page, live_server, "dongcheng_filler", "wrong-password")
    assert "/login/" in page.url
    assert page.locator(".navbar a[href='/logout/']").count() == 0
    alert = page.locator(".alert").first.inner_text()
    assert HAN.search(alert), f"login error not in Chinese: {alert!r}"


def test_menus_work_in_the_browser(live_server, page):
    """Bootstrap's dropdowns open and lead to the page (scripts load and run)."""
    login(page, live_server, "reviewer")
    page.click(".navbar li.dropdown:has(.dropdown-menu a:has-text('报送情况')) > a.dropdown-toggle")
    item = page.locator(".navbar .dropdown-menu a:has-text('报送情况')")
    item.wait_for(state="visible")
    with page.expect_navigation():
        item.click()
    assert page.url.startswith(live_server.url("/timeliness/"))


def _assert_chinese_page(page, what: str) -> None:
    lang = page.get_attribute("html", "lang")
    assert lang is None or lang.lower().startswith("zh"), f"{what}: <html lang={lang!r}>"
    text = page.inner_text("body")
    assert HAN.search(text), f"{what} shows no Chinese text"
    assert page.title() == "法制统计" or HAN.search(page.title()), f"{what}: title {page.title()!r}"


def test_login_page_is_chinese_by_default(live_server, page):
    # The browser context speaks en-US (conftest): Chinese must be the portal's own default.
    page.goto(live_server.url("/login/"))
    _assert_chinese_page(page, "login page")
    assert page.get_attribute("form[name=login] input[type=submit]", "value") == "登录"
    labels = page.locator("form[name=login] label").all_inner_texts()
    assert any("用户名" in t for t in labels) and any("密码" in t for t in labels), labels
    for english in ("Sign In", "Username", "Password"):
        assert english not in page.inner_text("form[name=login]"), f"untranslated {english!r} on login form"


@pytest.mark.parametrize("username", ["dongcheng_filler", "admin"])
def test_home_page_is_chinese_by_default(live_server, page, username):
    login(page, live_server, username)
    _assert_chinese_page(page, f"home page of {username}")
    heading = page.locator(".container h2").first.inner_text()
    assert HAN.search(heading), f"home heading of {username} not Chinese: {heading!r}"
    assert "行政处罚" in navbar_texts(page)


NAV_LINKS_JS = """() => Array.from(document.querySelectorAll('.navbar .navbar-nav:not(.navbar-right) a[href]'))
    .map(a => a.getAttribute('href')).filter(h => h.startsWith('/'))"""


def _record(page) -> tuple[list[str], list[str], list[str]]:
    """Start recording (requested URLs, failed responses, script errors) of `page`."""
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return requests, failed, errors


def _track_in_flight(page) -> set[str]:
    """URLs requested by `page` and not yet finished (for diagnosing a page that never settles)."""
    pending: set[str] = set()
    page.on("request", lambda r: pending.add(r.url))
    page.on("requestfinished", lambda r: pending.discard(r.url))
    page.on("requestfailed", lambda r: pending.discard(r.url))
    return pending


def _settle(page, pending: set[str], what: str) -> None:
    """Wait until the page's network is idle (late scripts and XHR are recorded too)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail(f"{what} never settled in 30 s; requests still in flight: {sorted(pending)}")


@pytest.mark.parametrize("username", ["admin", "dongcheng_filler"])
def test_no_request_leaves_the_portal(live_server, page, username):
    """Every page of the user's menu loads everything (scripts, styles, fonts, images, XHR) from
    the portal itself: no CDN, no other host."""
    requests, failed, errors = _record(page)
    pending = _track_in_flight(page)
    login(page, live_server, username)
    paths = list(dict.fromkeys(["/", *page.evaluate(NAV_LINKS_JS)]))
    assert len(paths) >= 3, f"{username}: too few menu pages to walk: {paths}"
    for path in paths:
        response = page.goto(live_server.url(path))
        _settle(page, pending, f"{username} {path}")
        assert response is not None and response.status == 200, f"{username} {path}: {response and response.status}"
        assert "/login/" not in page.url, f"{username} was sent to the login page from {path}"

    assert len(requests) > len(paths), "no sub-resources recorded: the listener saw nothing"
    foreign = sorted({u for u in requests if not live_server.is_own(u)})
    assert not foreign, f"requests to other hosts: {foreign}"
    # The browser's own favicon probe is not the portal's doing.
    broken = [f for f in failed if not f.endswith("/favicon.ico")]
    assert not broken, f"resources that failed to load: {broken}"
    assert not errors, f"script errors: {errors}"


@pytest.mark.parametrize("username", ["dongcheng_filler", "reviewer"])
def test_user_menu_profile_opens(live_server, page, username):
    """The 用户信息 link every signed-in user sees in the navbar opens their own profile."""
    login(page, live_server, username)
    link = page.locator(".navbar-right a[href='/users/userinfo/']")
    assert link.count() == 1
    response = page.goto(live_server.url("/users/userinfo/"))
    assert response is not None and response.status == 200, f"{username}: 用户信息 → {response and response.status}"
    assert username in page.inner_text("body")


@pytest.mark.parametrize("path,name", [("/", "filler_home.png"), ("/filings/penalty/", "filler_penalty.png")])
def test_full_page_screenshots(live_server, page, tmp_path, path, name):
    """Full-page PNGs into a temp dir (or PORTAL_SCREENSHOT_DIR, to look at them afterwards)."""
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(path))
    page.wait_for_load_state("networkidle")
    folder = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    page.screenshot(path=str(target), full_page=True)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{target} is not a PNG"
    assert len(data) > 10_000, f"{target} is suspiciously small ({len(data)} bytes)"
