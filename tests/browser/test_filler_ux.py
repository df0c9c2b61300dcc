"""Issue 18, fillers, in headless Chromium: one test per point (the domain side: tests/test_filler_ux.py).
Screenshots go to PORTAL_SCREENSHOT_DIR when set (to look at them), else a temporary folder."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from openpyxl import load_workbook

from app.clock import today
from app.extensions import db
from app.filing import workflow
from app.filing.periods import QUARTER, Period, period_of
from app.filing.values import open_filing
from app.forms import get_form
from app.models import Filing
from tests.browser.test_browser import _record, login
from tests.engine_helpers import drive, user
from tests.helpers import penalty_values, reconsideration_values
from tests.test_filler_ux import _staff_rows  # noqa: F401  (autouse: staff rows and snapshots go after each test)


def shot(page, tmp_path, name: str) -> Path:
    folder = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return target


def full_values(spec, base: dict) -> dict:
    """`base` plus 0 for every field of the version it lacks."""
    return {f.name: base.get(f.name, "0") for f in spec.fields}


def fill(page, values: dict) -> None:
    for name, value in values.items():
        if page.locator(f"select#{name}").count():
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", str(value))


def test_a_period_not_yet_open_says_when_and_early_drafts_wait_to_be_submitted(live_server, browser, page, tmp_path):
    p = period_of(QUARTER, today())  # running: opens the day after it ends
    opens = p.opens_on.isoformat()
    requests, failed, errors = _record(page)
    login(page, live_server, "dongcheng_filler")
    link = page.locator(f'#due a[href="/filings/penalty/?period={p.key}"]')
    assert link.inner_text().strip() == f"{opens} 起可填报"
    shot(page, tmp_path, "filler_home_due.png")
    link.click()
    page.wait_for_load_state()
    assert f"{opens} 起可填报" in page.locator("#next-due").inner_text()
    assert page.locator(f'#period option[value="{p.key}"]').count() == 0  # no way to open it yet
    shot(page, tmp_path, "filler_period_not_open.png")
    # The office's administrator allows early drafts of the form, in the portal.
    admin_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    admin = admin_ctx.new_page()
    login(admin, live_server, "admin")
    admin.goto(live_server.url("/timeliness/?form=penalty"))
    admin.check("#early-drafts input[name=early_drafts]")
    admin.click("#early-drafts button")
    admin.wait_for_load_state()
    assert "已允许提前填写草稿" in admin.content()
    admin_ctx.close()
    # Now the filler may draft it, save it, but not submit it before it opens.
    page.reload()
    assert "可提前填写草稿" in page.locator("#next-due").inner_text()
    option = page.locator(f'#period option[value="{p.key}"]')
    assert f"{opens} 起可提交" in option.inner_text() and option.evaluate("o => o.selected")
    page.click("#open-period button")
    page.wait_for_url("**/edit")
    fill(page, full_values(get_form("penalty", p), penalty_values()))
    page.click("#filing-form button[type=submit]")
    page.wait_for_url(re.compile(r"/filings/\d+$"))
    assert "已保存" in page.content()
    submit = page.locator("form.action-form button[value=submit]")
    assert submit.is_disabled() and f"{opens} 起可提交单位审核" in page.locator("#submit-wait").inner_text()
    shot(page, tmp_path, "filler_early_draft.png")
    # A forged submission (the button enabled by hand) is refused by the engine all the same.
    submit.evaluate("b => { b.disabled = false; }")
    submit.click()
    page.wait_for_load_state()
    assert f"{opens} 起可提交单位审核" in page.locator(".alert-danger").first.inner_text()
    assert page.locator("#state").inner_text() == "草稿"
    assert not errors and not [f for f in failed if "/static/" in f]


def _cell_boxes(page, fieldset_index: int) -> list[dict]:
    return page.evaluate("""(i) => Array.from(document.querySelectorAll('#filing-form fieldset')[i]
        .querySelectorAll('.filing-cell')).map(c => { const r = c.getBoundingClientRect();
        return {name: c.dataset.cell, x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width)}; })""",
                         fieldset_index)


def test_one_save_lists_every_problem_and_the_grid_holds(app, live_server, page, tmp_path):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
        db.session.commit()
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(f"/filings/{fid}/edit"))
    fill(page, {"no_penalty": "abc", "hearings_held": "5", "cases_closed": "200", "k_other": "1", "k_fine": "x"})
    page.click("#filing-form button[type=submit]")
    page.wait_for_load_state()
    problems = page.locator("#form-problems li")
    texts = problems.all_inner_texts()
    assert len(texts) == 4, texts  # k_fine and no_penalty unreadable, 听证 > 告知, and the warning
    assert any("「罚款」应为整数" in t for t in texts)
    assert any("「举行听证」（5）不能大于「告知听证」（4）" in t for t in texts)
    assert texts[-1].startswith("需说明：「结案数」（200）超过「立案数」（60）的2倍")
    assert page.locator(".filing-cell.has-error").count() >= 3
    assert page.locator(".filing-cell.has-warning").count() == 2  # the warning names 结案数 and 立案数
    # The grid: every cell stays in its column, each row's cells start on one line.
    for i in range(page.locator("#filing-form fieldset").count()):
        boxes = _cell_boxes(page, i)
        columns = sorted({b["x"] for b in boxes})
        per_row = len(columns)
        for k, b in enumerate(boxes):
            assert b["x"] == columns[k % per_row], (i, b, columns)
            assert b["y"] == boxes[k - k % per_row]["y"], (i, b)
            assert b["w"] == boxes[0]["w"], (i, b)
    kinds = _cell_boxes(page, 1)
    assert len({b["x"] for b in kinds}) >= 3  # several columns at 1280 px
    page.locator("#form-problems a[href='#no_penalty']").click()
    assert page.evaluate("document.activeElement.id") in ("no_penalty", "") and page.url.endswith("#no_penalty")
    shot(page, tmp_path, "filler_edit_errors.png")


def test_live_sums_and_checks_while_typing(app, live_server, page, tmp_path):
    with app.app_context():
        pid = open_filing("penalty", Period.parse("2026Q1"), user("dongcheng_filler")).id
        rid = open_filing("reconsideration", Period.parse("2026H1"), user("dongcheng_filler")).id
        db.session.commit()
    requests, failed, errors = _record(page)
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(f"/filings/{pid}/edit"))
    spec = get_form("penalty", "2026Q1")
    kinds = [f.name for f in spec.fields if f.name.startswith("k_")]
    for name in kinds:
        page.fill(f"#{name}", "0")
    page.fill("#k_warning", "30")
    page.fill("#k_fine", "60")
    assert page.input_value("#decisions_total") == "90"  # Σ kinds, computed
    hint = page.locator('[data-live-for="decisions_total"]')
    assert "已自动计算" in hint.inner_text()
    page.fill("#decisions_total", "95")  # typed: kept, and marked
    page.fill("#k_fine", "61")
    assert page.input_value("#decisions_total") == "95"
    assert "应等于「警告」等14项之和（91）" in hint.inner_text()
    assert "live-mismatch" in hint.get_attribute("class")
    page.fill("#hearings_notified", "2")
    page.fill("#hearings_held", "3")
    assert "不能大于「告知听证」（2）" in page.locator('[data-live-for="hearings_held"]').inner_text()
    assert "处不一致" in page.locator("#live-status").inner_text()
    shot(page, tmp_path, "filler_live_sums.png")
    # 未审结 = 上期结转 + 受理 − 已审结, computed while typing
    page.goto(live_server.url(f"/filings/{rid}/edit"))
    page.fill("#carried_over", "10")
    page.fill("#accepted", "40")
    page.fill("#concluded", "30")
    assert page.input_value("#pending") == "20"
    # The server stays the authority: the page's sums are saved only through its rules.
    fill(page, {k: v for k, v in reconsideration_values().items() if k not in ("pending",)})
    page.click("#filing-form button[type=submit]")
    page.wait_for_url(f"**/filings/{rid}")
    with app.app_context():
        from app.filing.values import current_values

        assert current_values(db.session.get(Filing, rid))["pending"] == 20
    assert not errors, errors


def test_copy_previous_into_an_empty_draft(app, live_server, page):
    from tests.test_filler_ux import institution

    with app.app_context():
        drive("institution", "0100", "2024", {**institution("2024"), "authorised_posts": "12", "head_name": "李四"},
              "accepted")
        fid = open_filing("institution", Period.parse("2025"), user("dongcheng_filler")).id
        db.session.commit()
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(f"/filings/{fid}/edit"))
    assert page.input_value("#head_name") == ""
    page.click("#copy-previous button")
    page.wait_for_url(f"**/filings/{fid}/edit")
    assert "已复制上期数据并保存为草稿" in page.content()
    assert page.input_value("#head_name") == "李四" and page.input_value("#authorised_posts") == "12"
    assert page.locator("#copy-previous").count() == 0  # only into an empty draft


def test_import_preview_shows_old_and_new_before_confirming(app, live_server, page, tmp_path):
    from app.imports.forms import template_bytes
    from app.unit_list import unit_by_code

    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
        db.session.commit()
        spec = get_form("penalty", "2026Q1")
        data = template_bytes(spec, Period.parse("2026Q1"), [unit_by_code("0100")])
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[4]]
    ws.cell(5, headers.index("结案数") + 1, 56)
    out = io.BytesIO()
    wb.save(out)
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url("/filings/penalty/import"))
    page.set_input_files("#upload-form input[type=file]", files=[{
        "name": "penalty.xlsx", "buffer": out.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("#upload-form button")
    page.wait_for_load_state()
    rows = page.locator("table.import-diff tbody tr").all_inner_texts()
    assert [r.split() for r in rows] == [["结案数", "55", "→", "56"]], rows
    assert "1 项变化" in page.locator("details.import-change summary").inner_text()
    shot(page, tmp_path, "filler_import_preview.png")
    page.click("text=确认导入")
    page.wait_for_load_state()
    with app.app_context():
        from app.filing.values import current_values

        assert current_values(db.session.get(Filing, fid))["cases_closed"] == 56



def test_a_duplicate_citizen_id_gives_one_clear_message(app, live_server, page, tmp_path):
    from tests.staff_helpers import make_id, person

    with app.app_context():
        person("0100", "张三", seq="311")
        person("2300", "王五", seq="312")
        db.session.commit()
    login(page, live_server, "dongcheng_filler")
    for seq, expected, hidden in (("311", "「身份证号」已登记在名册中：张三（东城区，在职），请勿重复登记", None),
                                  ("312", "「身份证号」已登记在其他单位的名册中", "王五")):
        page.goto(live_server.url("/staff/add"))
        page.fill("#name", "李四")
        page.fill("#citizen_id", make_id(seq=seq))
        page.select_option("#education", "本科")
        for name, value in (("ethnicity", "汉族"), ("major", "法学"), ("political_status", "群众"), ("post", "科员"),
                            ("rank", "一级科员")):
            page.fill(f"#{name}", value)
        page.locator("form button[type=submit], form input[type=submit]").first.click()
        page.wait_for_load_state()
        body = page.locator("body").inner_text()
        assert body.count(expected) == 1, body
        assert body.count("已登记在") == 1, body  # one message, not two run together
        if hidden:
            assert hidden not in body
        else:
            shot(page, tmp_path, "filler_duplicate_citizen_id.png")


def test_a_returned_filing_does_not_show_a_submission_time(app, live_server, page):
    with app.app_context():
        filing = drive("penalty", "0100", "2026Q1", penalty_values(), "submitted")
        fid = filing.id
        db.session.commit()
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(f"/filings/{fid}"))
    assert page.locator("#reported-at").count() == 1
    with app.app_context():
        workflow.apply(db.session.get(Filing, fid), "return", user("reviewer"), comment="罚款金额有误")
        db.session.commit()
    page.reload()
    assert page.locator("#state").inner_text() == "已退回"
    assert "上报时间" not in page.locator("body").inner_text()
    page.click("text=编辑数据")
    page.click("#filing-form button[type=submit]")
    page.wait_for_url(f"**/filings/{fid}")
    assert page.locator("#state").inner_text() in ("草稿", "已退回")
    assert "上报时间" not in page.locator("body").inner_text()
