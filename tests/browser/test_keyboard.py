"""Issue 18, keyboard and menu bar: every action reachable with the keyboard alone, and the
administrator's menu on one line at 1366 px — in Debian's headless Chromium.

- A filler skips to the content, tabs through a draft's whole edit form typing the figures,
  and saves it with Enter: the database holds what was typed.
- Every menu of the bar (the role's menus, the language and the user menu) opens with Enter,
  its entries take the focus with the arrow keys and with Tab, Escape closes it; an entry chosen
  with Enter opens its page.
- At 1366×768 the administrator's bar (the role with the most menus) is one line high.
- A statistics table wider than the window is reached with Tab and scrolled with the arrows;
  FAB's list checkboxes and filters carry names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from app.extensions import db
from tests.browser.test_browser import login
from tests.helpers import penalty_values
from tests.scope_helpers import open_penalty
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture: both units' figures 2023–2024)

ACTIVE = """() => { const e = document.activeElement;
    return {tag: e.tagName, id: e.id || '', name: e.getAttribute('name') || '', type: e.getAttribute('type') || '',
            cls: e.className || '', text: (e.textContent || '').replace(/\\s+/g, ' ').trim(),
            href: e.getAttribute('href') || '', inForm: !!e.closest('#filing-form'),
            outline: getComputedStyle(e).outlineStyle, shadow: getComputedStyle(e).boxShadow}; }"""


def _tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(ACTIVE)


def _focus_shown(el: dict) -> bool:
    return el["outline"] not in ("", "none") or el["shadow"] not in ("", "none")


def test_filler_fills_and_saves_a_draft_with_the_keyboard_only(app, live_server, page, client_for):
    from app.models import Filing
    from app.models.values import value_model

    fid = open_penalty(client_for("dongcheng_filler"), "2026Q3")
    values = penalty_values(total=120, fines_yuan="65432.10")
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(f"/filings/{fid}/edit"))
    fields = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#filing-form input:not([type=hidden]), #filing-form select, #filing-form textarea'))
        .filter(e => e.offsetParent !== null && !e.disabled && !e.readOnly).map(e => e.name)""")
    expected = [name for name in fields if name in values]
    assert len(expected) >= 20, f"the edit form shows too few of the penalty fields: {fields}"

    # The first Tab stop is "跳到正文", shown while focused; Enter moves the focus to the content.
    first = _tab(page)
    assert first["cls"] == "skip-link" and first["href"] == "#main", first
    box = page.locator("a.skip-link").bounding_box()
    assert box is not None and box["y"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Tab through the form in order, typing each figure, up to the save button.
    reached, unfocused_style = [], []
    for _ in range(300):
        el = _tab(page)
        if not el["inForm"]:
            assert not reached, f"the Tab key left the form before its save button, at {el}"
            continue
        if not _focus_shown(el):
            unfocused_style.append(el["name"] or el["text"])
        if el["name"] in values:
            page.keyboard.press("Control+A")
            page.keyboard.type(values[el["name"]])
            reached.append(el["name"])
        if el["tag"] == "BUTTON" and el["type"] == "submit":
            break
    else:
        pytest.fail(f"300 Tab presses did not reach the save button; reached {reached}")
    assert reached == expected, "Tab does not visit the form's fields in order"
    assert not unfocused_style, f"no visible focus on {unfocused_style}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/filings/{fid}"), page.url

    with app.app_context():
        filing = db.session.get(Filing, fid)
        row = db.session.scalar(select(value_model("penalty")).where(
            value_model("penalty").filing_id == fid, value_model("penalty").revision == filing.revision))
        assert row is not None, "nothing saved"
        assert row.decisions_total == 120 and row.k_fine == 60 and row.proc_ordinary == 50
        assert row.amount_fines == 6543210  # 分 (app/money.py)


def _bar_toggles(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.navbar a.dropdown-toggle'))
        .map(a => ({text: a.textContent.replace(/\\s+/g, ' ').trim(), right: !!a.closest('.navbar-right'),
                    aria: a.getAttribute('aria-label') || (a.querySelector('.sr-only') || {}).textContent || ''}))""")


@pytest.mark.parametrize("account", ["admin", "dongcheng_filler"])
def test_every_menu_of_the_bar_opens_with_the_keyboard(live_server, page, account):
    login(page, live_server, account)
    page.goto(live_server.url("/"))
    toggles = _bar_toggles(page)
    assert len(toggles) >= 6 and sum(t["right"] for t in toggles) == 2, toggles
    opened = []
    el = None
    for _ in range(400):
        el = _tab(page)
        if "dropdown-toggle" not in el["cls"]:
            if el["tag"] == "MAIN" or (opened and not page.evaluate("!!document.activeElement.closest('.navbar')")):
                break
            continue
        # Enter opens the menu; ArrowDown and Tab move through its entries; Escape closes it and
        # gives the focus back to the toggle.
        page.keyboard.press("Enter")
        menu = page.locator(".navbar li.dropdown.open > .dropdown-menu")
        assert menu.count() == 1 and menu.is_visible(), f"Enter did not open {el['text']!r}"
        assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "true"
        entries = menu.locator("a")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.closest('.dropdown-menu') !== null"), el["text"]
        assert page.evaluate("document.activeElement.href") == entries.first.evaluate("a => a.href")
        if entries.count() > 1:
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.href") == entries.nth(1).evaluate("a => a.href"), \
                f"Tab does not reach the second entry of {el['text']!r}"
        page.keyboard.press("Escape")
        assert page.locator(".navbar li.dropdown.open").count() == 0, f"Escape did not close {el['text']!r}"
        assert "dropdown-toggle" in page.evaluate("document.activeElement.className")
        opened.append(el["text"] or "(language)")
    assert len(opened) == len(toggles), f"opened {opened}, the bar has {[t['text'] for t in toggles]}"
    # Each toggle has a name: the language menu's is its hidden text (it shows a flag only).
    assert all(t["text"] for t in toggles), toggles

    # An entry chosen with the keyboard opens its page.
    page.locator(".navbar .navbar-nav:not(.navbar-right) a.dropdown-toggle").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target), (page.url, target)


def test_admin_menu_fits_one_line_at_1366(live_server, browser, tmp_path):
    """The navbar at 1366×768 as admin is exactly one line high: every entry of the bar (name,
    menus, language, user) on the same line, the bar no taller than one entry."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = context.new_page()
        login(page, live_server, "admin")
        page.goto(live_server.url("/"))
        bar = page.evaluate("""() => {
            const nav = document.querySelector('nav.navbar');
            const items = Array.from(nav.querySelectorAll('.navbar-brand, .navbar-nav > li'));
            const line = nav.querySelector('.navbar-nav > li > a').getBoundingClientRect().height;
            const cs = getComputedStyle(nav);
            return {height: nav.getBoundingClientRect().height, line: line,
                    borders: parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth),
                    tops: items.map(i => Math.round(i.getBoundingClientRect().top)), count: items.length,
                    menus: nav.querySelectorAll('.navbar-nav:not(.navbar-right) > li').length};
        }""")
        folder = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "admin_navbar_1366.png"), clip={"x": 0, "y": 0, "width": 1366, "height": 120})
    finally:
        context.close()
    assert bar["menus"] >= 12, f"the administrator should see every menu: {bar}"
    assert len(set(bar["tops"])) == 1, f"the bar's entries sit on {len(set(bar['tops']))} lines: {bar}"
    assert bar["height"] == pytest.approx(bar["line"] + bar["borders"], abs=1), bar


def test_wide_statistics_table_scrolls_with_the_keyboard(live_server, page, figures):  # noqa: F811
    """A table wider than its box (portal.js makes it a named region in the tab order): Tab
    reaches it and the arrow keys scroll it."""
    page.set_viewport_size({"width": 900, "height": 700})
    login(page, live_server, "leader")
    page.goto(live_server.url("/reports/penalty/?from=2024"))
    box = page.locator(".report-wrap")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table fits: nothing to test at this width"
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label"), \
        "the scrolling table is not a named region"
    for _ in range(300):
        if _tab(page)["cls"].startswith("report-wrap"):
            break
    else:
        pytest.fail("Tab never reaches the scrolling table")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: the position moves over the next frames, not at the key press
    try:
        page.wait_for_function("() => document.querySelector('.report-wrap').scrollLeft > 0", timeout=3000)
    except PlaywrightTimeout:
        pytest.fail("the arrow keys do not scroll the table")


def test_fab_list_controls_are_named(live_server, page):
    """FAB's list draws its bulk-action checkboxes and filter controls without labels: portal.js
    names each after its row (the first data cell) and its column."""
    login(page, live_server, "admin")
    page.goto(live_server.url("/users/list/?_flt_0_username=dong"))
    labels = page.evaluate("""() => Array.from(document.querySelectorAll('input.action_check'))
        .map(e => e.getAttribute('aria-label'))""")
    assert "选择 dongcheng_filler" in labels and "选择 dongcheng_approver" in labels, labels
    assert all(label.startswith("选择 ") and "<" not in label and "(" not in label for label in labels), labels
    assert page.get_attribute("input.action_check_all", "aria-label") == "全选"
    filters = page.evaluate("""() => Array.from(document.querySelectorAll('#filter_form table.filters select, '
        + '#filter_form table.filters input')).map(e => e.getAttribute('aria-label'))""")
    assert filters == ["用户名 条件", "用户名"], filters
