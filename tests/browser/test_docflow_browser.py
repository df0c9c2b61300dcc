"""Issue 21 in a real browser: a unit files a normative document through the form (its text as a
PDF), sees the filing deadline; the office registers and reviews it; the unit sees the review
awaiting its response on its home page. No console error (CSP) on any of these pages."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_browser import login
from tests.docflow_helpers import PDF, clean_docflow

SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture(autouse=True)
def _tidy(app):
    yield
    clean_docflow(app)


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_file_register_review_respond_in_the_browser(app, live_server, browser):
    errors = []
    unit = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    unit.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(unit, live_server, "dongcheng_filler")
    unit.goto(live_server.url("/normative/new"))
    unit.fill("#title", "关于规范行政执法裁量权的规定")
    unit.fill("#doc_number", "东政发〔2026〕9号")
    unit.fill("#issuer", "东城区人民政府")
    unit.fill("#published_on", "2026-01-05")
    unit.set_input_files("#text_file", files=[{"name": "规定.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    with unit.expect_navigation():
        unit.click("#doc-form button[type=submit]")
    assert "2026-02-04" in unit.inner_text("#deadline")  # 30 days after publication
    shot(unit, "normative-draft")
    with unit.expect_navigation():
        unit.click("form[data-step=submit] button")
    assert unit.inner_text("#state") == "已报送"
    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    office.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(office, live_server, "reviewer")
    office.goto(live_server.url("/normative/?state=submitted"))
    shot(office, "normative-list")
    with office.expect_navigation():
        office.click("#docs a")
    with office.expect_navigation():
        office.click("form[data-step=register] button")
    office.select_option("form[data-step=review] select[name=result]", "correct")
    office.fill("form[data-step=review] textarea[name=opinion]", "第三条与上位法不一致")
    with office.expect_navigation():
        office.click("form[data-step=review] button")
    assert office.inner_text("#state") == "待单位答复"
    shot(office, "normative-reviewed")
    unit.goto(live_server.url("/"))
    assert "关于规范行政执法裁量权的规定" in unit.inner_text("#normative-awaiting")
    shot(unit, "unit-home")
    office.goto(live_server.url("/info/ranking"))
    shot(office, "info-ranking")
    assert not errors, errors
