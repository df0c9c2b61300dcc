"""Every role's daily pages on the demo city (issue 18, "Everyone"):

- each role's home page is its own: the security administrator's accounts and roles, the audit
  administrator's log and chain verification, the reviewer's count cards linking to the lists
  they count (checked in Chromium, as a person clicks);
- no link leads to a page its user may not open: every role is crawled breadth-first from its home
  page through every same-site link (tests/crawl_helpers.py, the Flask test client: ~10× faster
  than the browser for hundreds of pages) and any 403, 404, 500 or "access denied" bounce fails
  the test, naming the page that linked it;
- no raw Python value (True, False, None, __None) and no English word in the visible text of any
  page the crawl reaches, but for a short list of Latin tokens at home in a Chinese interface.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from app.extensions import db
from app.models.audit import AuditLog
from app.models.user import PortalUser
from tests.browser.test_browser import login
from tests.crawl_helpers import crawl
from tests.helpers import login as client_login

# Every role with a web interface (the statistics service account never signs in on the web:
# tests/test_statistics_api.py proves its password login is refused).
ROLES = {"admin": "系统管理员", "security_admin": "安全管理员", "audit_admin": "审计管理员", "reviewer": "市级审核员",
         "leader": "领导", "dongcheng_filler": "填报员", "dongcheng_approver": "单位审核人",
         "gongan_filler": "填报员", "gongan_approver": "单位审核人"}
# FAB's permission pages list FAB's own identifiers of permissions and views (can_read on Filing):
# the security administrator's technical vocabulary, not interface text. Raw values still count there.
TECHNICAL_PAGES = ("/roles/", "/permissions/", "/viewmenus/", "/permissionviews/")
LANGUAGE_NAMES = {"English"}  # the language menu names English in English


def _tables():
    from flask_appbuilder import Model

    return Model.metadata.sorted_tables


@pytest.fixture(scope="module")
def city(app):
    """The whole demo city (as scripts/demo.sh loads it), removed again after the module."""
    from app.demo import load_demo
    from app.unit_list import load_assignments

    with app.app_context():
        before = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in _tables()}
        load_assignments()
        load_demo()
    yield
    with app.app_context():
        db.session.rollback()
        base = app.config["BASE_MAX_USER"]
        db.session.execute(text("DELETE FROM ab_user_role WHERE user_id > :m"), {"m": base})
        db.session.execute(delete(PortalUser).where(PortalUser.id > base))
        for table in reversed(_tables()):
            if not before[table.name] or table.name in ("audit_log", "audit_chain_head"):
                db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture(autouse=True)
def _clean():
    """The module shares one demo city: conftest's per-test cleanup is replaced by `city`'s."""
    yield


def _allowed_data(app) -> set[str]:
    """Latin text that is data, not interface: login names and the demo's mail domain."""
    with app.app_context():
        names = set(db.session.scalars(select(PortalUser.username)))
    return names | {"demo", "local"} | LANGUAGE_NAMES


@pytest.mark.parametrize("username", list(ROLES))
def test_every_link_opens_and_every_page_speaks_chinese(app, city, username):
    client = client_login(app.test_client(), username)
    result = crawl(client, username, limit=400, per_shape=2, allowed=_allowed_data(app))
    assert len(result.visited) >= 8, f"{username}: only {len(result.visited)} pages reached"
    broken = [f"{address} → {what} (linked from {source})" for address, what, source in result.broken]
    assert not broken, f"{username}: links to pages that do not open:\n" + "\n".join(broken)
    words = [f"{address}: {word!r}" for address, word in result.text
             if word in ("True", "False", "None", "__None", "nan", "NaN") or not address.startswith(TECHNICAL_PAGES)]
    assert not words, f"{username}: raw values or English in the Chinese interface:\n" + "\n".join(words[:60])
    print(f"{username}: {len(result.visited)} pages, none broken")


def test_the_crawl_finds_a_forbidden_link_and_a_raw_value(app, city):
    """The crawl's own control: a page linking to one its user may not open, and a page printing
    True, are both reported (the home page of a filler, with a forged link and value)."""
    from tests.crawl_helpers import parse, text_problems

    links, pieces = parse('<a href="/auditlogview/list/">x</a><p>是否需要：True</p><p>Contacts</p>')
    assert links == ["/auditlogview/list/"] and text_problems(pieces) == ["True", "Contacts"]
    client = client_login(app.test_client(), "dongcheng_filler")
    found = crawl(client, "dongcheng_filler", start="/auditlogview/list/", limit=1)
    assert found.broken and found.broken[0][0] == "/auditlogview/list/"


def _screenshot(page, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_security_admin_home_shows_accounts_and_roles(app, city, live_server, page, tmp_path):
    from app.clock import utcnow

    with app.app_context():
        sm = app.appbuilder.sm
        locked = sm.find_user(username="gongan_filler")
        locked.locked_until = utcnow() + dt.timedelta(minutes=10)
        loose = sm.add_user("no_unit_user", "小明", "孙", "no_unit_user@example.org", [sm.find_role("领导")],
                            "Temp@Pass2026!")
        db.session.commit()
        loose_id = loose.id
    try:
        login(page, live_server, "security_admin")
        body = page.inner_text("body")
        assert "账号与角色" in body and "待审核报表" not in body and "催报" not in body
        assert "黄磊（市公安局）" in page.inner_text("#locked-accounts")
        assert "孙小明" in page.inner_text("#no-unit-accounts")
        assert "领导" in page.inner_text("#role-counts")
        _screenshot(page, tmp_path, "home_security_admin.png")
        for label in ("用户管理", "角色管理", "API 密钥"):
            page.goto(live_server.url("/"))
            with page.expect_navigation():
                page.click(f"#security-links a:has-text('{label}')")
            assert "/login" not in page.url and page.locator(".alert-danger").count() == 0, label
    finally:
        with app.app_context():
            sm = app.appbuilder.sm
            sm.find_user(username="gongan_filler").locked_until = None
            db.session.execute(text("DELETE FROM ab_user_role WHERE user_id = :u"), {"u": loose_id})
            db.session.execute(delete(PortalUser).where(PortalUser.id == loose_id))
            db.session.commit()


def test_audit_admin_home_verifies_the_chain_and_reports_a_break(app, city, live_server, page, tmp_path):
    login(page, live_server, "audit_admin")
    status = page.inner_text("#chain-status")
    assert "尚未验证" in status or "完整" in status
    assert "最近的审计记录" in page.inner_text("body") and "催报" not in page.inner_text("body")
    with page.expect_navigation():
        page.click("#verify-chain")
    status = page.inner_text("#chain-status")
    assert "完整" in status and "张静（市司法局）" in status, status
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "audit.verify").order_by(AuditLog.id.desc()))
        assert row.detail["ok"] is True and row.detail["checked"] > 40_000 and row.username == "audit_admin"
        assert f"{row.detail['checked']:,}".replace(",", "") in status.replace(",", "")
    _screenshot(page, tmp_path, "home_audit_admin.png")
    with app.app_context():  # someone edits an old entry behind the portal's back
        victim = db.session.scalar(select(AuditLog).where(AuditLog.action == "filing.accept").limit(1))
        original, victim_id = dict(victim.detail), victim.id
        db.session.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"),
                           {"d": '{"from": "submitted", "to": "returned"}', "i": victim_id})
        db.session.commit()
    try:
        page.goto(live_server.url("/"))
        with page.expect_navigation():
            page.click("#verify-chain")
        status = page.inner_text("#chain-status")
        assert "断开" in status and str(victim_id) in status, status
    finally:
        import json

        with app.app_context():
            db.session.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"),
                               {"d": json.dumps(original), "i": victim_id})
            db.session.commit()


def test_verify_is_the_audit_administrators_alone(app, city, client_for):
    from tests.helpers import post_form

    for username in ("admin", "security_admin", "reviewer"):
        resp = post_form(client_for(username), "/auditlogview/verify/", {})
        assert resp.status_code in (302, 403) and "/login" in resp.headers.get("Location", "/login"), username
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "audit.verify", AuditLog.username.in_(("admin", "security_admin", "reviewer"))))


def test_reviewer_home_count_cards_link_to_the_lists_they_count(app, city, live_server, page, tmp_path):
    login(page, live_server, "reviewer")
    _screenshot(page, tmp_path, "home_reviewer.png")
    card = page.locator("#card-submitted")
    total = int(card.locator(".h2").inner_text().replace(",", ""))
    shares = card.locator(".small a")
    assert total > 0 and shares.count() >= 2
    counted = 0
    for i in range(shares.count()):
        page.goto(live_server.url("/"))
        link = page.locator("#card-submitted .small a").nth(i)
        n = int(link.inner_text().split()[-1])
        with page.expect_navigation():
            link.click()
        assert "state=submitted" in page.url
        assert f"共 {n} 份报表" in page.inner_text("body"), (page.url, n)
        counted += n
    assert counted == total
    page.goto(live_server.url("/"))  # a card that one form makes up links its number too
    single = page.locator("#card-returned")
    assert single.locator(".small a").count() == 1
    href = single.locator(".small a").get_attribute("href")
    assert single.locator(".h2 a").get_attribute("href") == href and "state=returned" in href
    n = int(single.locator(".h2 a").inner_text())
    with page.expect_navigation():
        single.locator(".h2 a").click()
    assert f"共 {n} 份报表" in page.inner_text("body")
