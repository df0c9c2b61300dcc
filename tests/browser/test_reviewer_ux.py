"""Issue 18, reviewers, in a real browser: the 待审核 list's columns, filters and sorting; batch
审核通过 with the header checkbox (a CSP-safe script); 催报 with one click, shown as 已催报; a
return with a reason from the list and the 退回原因统计 page with its Excel download. No script or
console error on any of these pages. Screenshots go to SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Filing, FilingTransition, Reminder
from app.unit_list import unit_by_code
from tests.browser.test_browser import login
from tests.test_review_ux import WARNING_VALUES, _file

SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name, full_page=True):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)


@pytest.fixture
def reviewer(browser, live_server):
    """The reviewer's page (Chinese browser) and the console errors it collects. Not signed in yet:
    each test makes its data first (under time_machine, which moves every thread's clock — a
    request served meanwhile would date the session's last activity months back and end it)."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, errors
    ctx.close()


def _rows(page) -> list[int]:
    ids = page.eval_on_selector_all("#filings tbody tr[data-fid]", "rs => rs.map(r => r.dataset.fid)")
    return [int(x) for x in ids]


def _flash(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_review_list_columns_filters_and_sorting(app, live_server, reviewer):
    page, errors = reviewer
    with app.app_context():
        on_time = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        late = _file("2300", "2026Q2", dt.date(2026, 7, 20), WARNING_VALUES, "本季度集中结案")
        _file("0100", "2026Q1", dt.date(2026, 4, 10), to="accepted")
    login(page, live_server, "reviewer")
    page.goto(live_server.url("/filings/penalty/"))
    page.select_option("select[name=state]", "submitted")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert set(_rows(page)) == {on_time, late}
    heads = page.locator("#filings thead th").all_inner_texts()
    for label in ("上报时间", "逾期天数", "情况说明", "校验提示"):
        assert any(label in h for h in heads), (label, heads)
    row = page.locator(f"#filings tr[data-fid='{late}']")
    assert row.locator(".col-late").inner_text().strip() == "5天"
    assert row.locator(".col-explained").inner_text().strip() == "有"
    assert row.locator(".col-warnings").inner_text().strip() == "1"
    assert "2026-07-20" in row.locator(".col-reported").inner_text()
    # sort by days late: the header link, twice (descending, then ascending)
    with page.expect_navigation():
        page.click("#filings thead a[data-sort=late]")
    assert _rows(page) == [late, on_time]
    assert page.locator("#filings thead th[aria-sort=descending] a[data-sort=late]").count() == 1
    with page.expect_navigation():
        page.click("#filings thead a[data-sort=late]")
    assert _rows(page) == [on_time, late]
    # filter: only those with warnings (the sort is kept)
    page.select_option("select[name=warnings]", "yes")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert _rows(page) == [late] and "sort=late" in page.url
    page.select_option("select[name=warnings]", "")
    page.select_option("select[name=late]", "no")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert _rows(page) == [on_time]
    page.select_option("select[name=late]", "")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    shot(page, "review_list")
    assert not errors, errors


def test_batch_accept_with_the_header_checkbox(app, live_server, reviewer):
    page, errors = reviewer
    with app.app_context():
        good = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        good2 = _file("2300", "2026Q1", dt.date(2026, 4, 10))
        warned = _file("2300", "2026Q2", dt.date(2026, 7, 20), WARNING_VALUES, "本季度集中结案")
    login(page, live_server, "reviewer")
    page.goto(live_server.url("/filings/penalty/?state=submitted"))
    page.check("#check-all")  # the script ticks every row
    assert page.locator("#filings input.batch-pick:checked").count() == 3
    page.uncheck(f"#filings tr[data-fid='{good2}'] input.batch-pick")
    assert not page.is_checked("#check-all")
    page.check(f"#filings tr[data-fid='{good2}'] input.batch-pick")
    assert page.is_checked("#check-all")
    with page.expect_navigation():
        page.click("#batch-accept-button")
    text = _flash(page)
    assert "已审核通过 2 份" in text and "未通过 1 份" in text
    assert "市公安局 · 行政处罚 · 2026年第2季度（有1条校验提示" in text
    assert _rows(page) == [warned]  # back on the 待审核 list: only the one with warnings is left
    shot(page, "review_batch")
    with app.app_context():
        states = dict(db.session.execute(
            select(Filing.id, Filing.state).where(Filing.id.in_([good, good2, warned]))).all())
        assert states == {good: "accepted", good2: "accepted", warned: "submitted"}
    assert not errors, errors


def test_remind_with_one_click(app, live_server, reviewer):
    page, errors = reviewer
    with app.app_context():
        dongcheng = unit_by_code("0100")
        name, unit_id = dongcheng.name, dongcheng.id
    login(page, live_server, "reviewer")
    page.goto(live_server.url("/timeliness/overdue"))
    row = page.locator("#overdue tr[data-unit='0100'][data-form='penalty'][data-period='2026Q3']")
    assert name in row.inner_text() and "已催报" not in row.inner_text()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "已记录对东城区的催报" in _flash(page)
    row = page.locator("#overdue tr[data-unit='0100'][data-form='penalty'][data-period='2026Q3']")
    assert "已催报" in row.inner_text() and "reviewer" in row.inner_text()
    assert row.locator("button").inner_text().startswith("再次催报")
    shot(page, "overdue_reminded", full_page=False)  # a city-long list
    # the same from 报送情况 of the form and period: back on that page, marked there and on the 催报名单
    page.goto(live_server.url("/timeliness/?form=penalty&period=2026Q3"))
    row = page.locator("#timeliness tr[data-unit='2300']")
    assert "未报" in row.inner_text() and "已催报" not in row.inner_text()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "已记录对市公安局的催报" in _flash(page) and "period=2026Q3" in page.url
    assert "已催报" in page.locator("#timeliness tr[data-unit='2300']").inner_text()
    assert "已催报" in page.locator("#timeliness tr[data-unit='0100']").inner_text()
    with app.app_context():
        kept = db.session.scalars(select(Reminder).order_by(Reminder.id)).all()
        gongan = unit_by_code("2300").id
        assert [(k.unit_id, k.form_code, k.period_key, k.sent_by) for k in kept] == \
            [(unit_id, "penalty", "2026Q3", "reviewer"), (gongan, "penalty", "2026Q3", "reviewer")]
    assert not errors, errors


def test_return_with_a_reason_and_the_statistics(app, live_server, reviewer, tmp_path):
    page, errors = reviewer
    with app.app_context():
        fid = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        other = _file("2300", "2026Q2", dt.date(2026, 7, 15))
    login(page, live_server, "reviewer")
    for target, code, comment in ((fid, "unit_scope", "罚没金额应以元为单位"), (other, "data_logic", "")):
        page.goto(live_server.url(f"/filings/{target}"))
        form = page.locator("form.action-form:has(input[name=action][value=return])")
        form.locator("select[name=reason_code]").select_option(code)
        form.locator("textarea[name=comment]").fill(comment)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.locator("#state").inner_text() == "已退回"
    page.goto(live_server.url(f"/filings/{fid}"))
    assert "退回原因：单位/口径错误：罚没金额应以元为单位" in page.locator("#return-reason").inner_text()
    with app.app_context():
        codes = dict(db.session.execute(select(FilingTransition.filing_id, FilingTransition.reason_code)
                                        .where(FilingTransition.action == "return")).all())
        assert codes == {fid: "unit_scope", other: "data_logic"}
    # from 报送情况 to the statistics
    page.goto(live_server.url("/timeliness/"))
    with page.expect_navigation():
        page.click("text=退回原因统计")
    assert "市级审核退回 2 次" in page.locator("#returns-total").inner_text()
    assert page.locator("#by-reason tr[data-reason=unit_scope] td").all_inner_texts()[1] == "1"
    assert page.locator("#by-reason tr[data-reason=data_logic] td").all_inner_texts()[1] == "1"
    assert page.locator("#by-unit tr[data-unit='0100'] td").all_inner_texts()[-1] == "1"
    assert page.locator("#by-period tr[data-period='2026Q2'] td").all_inner_texts()[-1] == "2"
    shot(page, "return_reasons")
    page.select_option("select[name=reason]", "data_logic")
    with page.expect_navigation():
        page.click("#return-filters button[type=submit]")
    assert "市级审核退回 1 次" in page.locator("#returns-total").inner_text()
    with page.expect_download() as download:
        page.click("#returns-xlsx")
    path = tmp_path / "returns.xlsx"
    download.value.save_as(path)
    ws = load_workbook(io.BytesIO(path.read_bytes())).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "退回原因统计（2026年）" in values and "退回原因：数据逻辑错误" in values
    assert not errors, errors
