"""Issue 18, fillers: a period not yet open says when it opens and what is due next, and the office's
early-drafts setting (kept in the database); every problem of a save listed at its field; the form's
live-check declaration; 复制上期; the import preview's old → new; a duplicate 身份证号 naming its holder
within the scope; 上报时间 only while a filing stands reported. The browser side: tests/browser/test_filler_ux.py."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from app.clock import today
from app.extensions import db
from app.filing import workflow
from app.filing.deadlines import check_may_submit, early_drafts_allowed, next_due, opening, set_early_drafts
from app.filing.errors import Conflict, Forbidden, Invalid
from app.filing.periods import HALF, QUARTER, YEAR, Period, period_of
from app.filing.values import current_values, open_filing, save_values
from app.forms import get_form
from app.models import AuditLog, Filing, FormSetting, StaffMember
from app.unit_list import unit_by_code
from tests.engine_helpers import drive, user
from tests.helpers import csrf_token, penalty_values, post_form, reconsideration_values

INSTITUTION = {"setup_form": "standalone", "authorised_posts": "10", "headcount": "0", "reconsideration_staff": "0",
               "litigation_staff": "0", "head_name": "张三", "phone": "010-12345678", "address": "北京市东城区"}


@pytest.fixture(autouse=True)
def _staff_rows(app):
    """Signing off an institution filing freezes the staff statistics (StaffSnapshot, referring to
    the filing); the people and snapshots made here go before the shared clean-up deletes filings."""
    yield
    from app.models import StaffSnapshot

    with app.app_context():
        for model in (StaffSnapshot, StaffMember):
            db.session.execute(delete(model))
        db.session.commit()


def institution(period) -> dict:
    """Institution figures for `period`'s version (the 2026 version adds 资格管理 figures)."""
    spec = get_form("institution", period)
    return {**INSTITUTION, **{f.name: "0" for f in spec.fields if f.name.startswith("q_")}}


def running(kind: str) -> Period:
    """The period of `kind` running today: not yet open (it opens the day after it ends)."""
    return period_of(kind, today())


def audit(action: str, object_id=None) -> list[AuditLog]:
    q = select(AuditLog).where(AuditLog.action == action)
    if object_id is not None:
        q = q.where(AuditLog.object_id == object_id)
    return list(db.session.scalars(q.order_by(AuditLog.id)))


# ---- 1. A period not yet open; early drafts -------------------------------------------------------

def test_a_period_opens_the_day_after_it_ends():
    assert Period.parse("2026").opens_on == dt.date(2027, 1, 1)
    assert Period.parse("2026H1").opens_on == dt.date(2026, 7, 1)
    assert Period.parse("2026Q4").opens_on == dt.date(2027, 1, 1)
    p = Period.parse("2026Q3")
    assert not p.is_open(dt.date(2026, 9, 30)) and p.is_open(dt.date(2026, 10, 1))


def test_opening_says_when_and_what_is_due_next(app):
    with app.app_context():
        o = opening("institution", Period.parse("2026"), dt.date(2026, 11, 30))
        assert (o.open, o.early, o.message) == (False, False, "2027-01-01 起可填报")
        assert o.deadline == dt.date(2027, 1, 15)
        assert opening("institution", Period.parse("2025"), dt.date(2026, 11, 30)).open
        unit = unit_by_code("0100")
        # 30 Nov 2026: 2026Q3 is due 15 Oct (passed) → the next is 2026Q4, opening 1 Jan 2027.
        nd = next_due("penalty", unit, dt.date(2026, 11, 30))
        assert nd.period.key == "2026Q4" and nd.message == "2027-01-01 起可填报"
        # 5 Jan 2027: 2026Q4 is open and due 15 Jan.
        nd = next_due("penalty", unit, dt.date(2027, 1, 5))
        assert nd.period.key == "2026Q4" and nd.open and nd.message == ""


def test_no_draft_before_the_period_opens_unless_the_office_allows_it(app):
    p = running(YEAR)
    with app.app_context():
        filler = user("dongcheng_filler")
        with pytest.raises(Conflict, match=f"{p.opens_on.isoformat()} 起可填报"):
            open_filing("institution", p, filler)
        assert db.session.scalar(select(func.count()).select_from(Filing)) == 0  # nothing written
        assert not early_drafts_allowed("institution")
        # The municipal office's administrator turns early drafts on (audited, in the database).
        assert set_early_drafts("institution", True, user("admin"))
        db.session.commit()
        assert [a.detail for a in audit("form.settings")] == [{"form": "institution", "early_drafts": [False, True]}]
        db.session.expire_all()
        assert db.session.get(FormSetting, "institution").early_drafts is True
        assert not early_drafts_allowed("penalty")  # one form's setting
        o = opening("institution", p)
        assert o.early and o.message == f"可提前填写草稿，{p.opens_on.isoformat()} 起可提交"
        filing = open_filing("institution", p, filler)
        save_values(filing, institution(p), filler)  # saved as a draft
        assert current_values(filing)["head_name"] == "张三"
        with pytest.raises(Conflict, match=f"{p.opens_on.isoformat()} 起可提交单位审核"):
            workflow.apply(filing, "submit", filler)
        db.session.rollback()
        assert db.session.get(Filing, filing.id).state == "draft" and not db.session.get(Filing, filing.id).transitions


def test_only_the_office_administrator_changes_the_setting(app, client_for):
    with app.app_context():
        for name in ("dongcheng_filler", "reviewer", "leader"):
            with pytest.raises(Forbidden):
                set_early_drafts("penalty", True, user(name))
        with pytest.raises(Invalid):
            set_early_drafts("nosuchform", True, user("admin"))
    for name in ("dongcheng_filler", "reviewer"):  # a forged POST to the page
        c = client_for(name)
        resp = post_form(c, "/timeliness/settings", {"form": "penalty", "early_drafts": "1"})
        assert resp.status_code in (302, 403) and "/timeliness/" not in resp.headers.get("Location", "")
    with app.app_context():
        assert not early_drafts_allowed("penalty") and not audit("form.settings")
    admin = client_for("admin")
    page = admin.get("/timeliness/?form=penalty").get_data(as_text=True)
    assert 'id="early-drafts"' in page and "允许各单位在报告期结束前提前填写行政处罚草稿" in page
    resp = post_form(admin, "/timeliness/settings", {"form": "penalty", "early_drafts": "1"}, "/timeliness/")
    assert resp.status_code == 302
    with app.app_context():
        assert early_drafts_allowed("penalty") and len(audit("form.settings")) == 1
    post_form(admin, "/timeliness/settings", {"form": "penalty"}, "/timeliness/")  # unticked: off again
    with app.app_context():
        assert not early_drafts_allowed("penalty") and len(audit("form.settings")) == 2


def test_the_list_says_when_the_next_period_opens(app, client_for):
    p = running(HALF)
    c = client_for("dongcheng_filler")
    page = c.get(f"/filings/reconsideration/?period={p.key}").get_data(as_text=True)
    box = page.split('id="next-due"')[1].split("</div>")[0]
    # the open half-year (if its deadline is ahead) or the running one with its opening day
    with app.app_context():
        nd = next_due("reconsideration", unit_by_code("0100"))
    assert nd.period.label in box and nd.deadline.isoformat() in box
    if not nd.open:
        assert f"{nd.opens_on.isoformat()} 起可填报" in box
    assert f'value="{p.key}"' not in page  # not offered before it opens
    with app.app_context():
        set_early_drafts("reconsideration", True, user("admin"))
        db.session.commit()
    page = c.get(f"/filings/reconsideration/?period={p.key}").get_data(as_text=True)
    assert re.search(rf'<option value="{p.key}" selected>[^<]*提前填写草稿，{p.opens_on.isoformat()} 起可提交', page)
    resp = post_form(c, "/filings/reconsideration/open", {"period": p.key}, "/filings/reconsideration/")
    assert resp.status_code == 302 and "/edit" in resp.headers["Location"]


def test_the_home_page_says_when_a_running_period_opens(app, client_for):
    page = client_for("dongcheng_filler").get("/").get_data(as_text=True)
    due = page.split('id="due"')[1].split("</table>")[0]
    p = running(QUARTER)
    assert f'href="/filings/penalty/?period={p.key}">{p.opens_on.isoformat()} 起可填报</a>' in due


# ---- 2. Every problem of one save, at its field --------------------------------------------------

def test_one_save_lists_every_error_and_warning_at_its_field(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
        db.session.commit()
    bad = {**penalty_values(), "no_penalty": "abc", "hearings_held": "5", "cases_closed": "200", "k_other": "1"}
    c = client_for("dongcheng_filler")
    page = post_form(c, f"/filings/{fid}/edit", bad, f"/filings/{fid}/edit").get_data(as_text=True)
    box = page.split('id="form-problems"')[1].split("</div>")[0]
    items = re.findall(r'<li class="problem-(\w+)">(.*?)</li>', box, re.S)
    levels = [level for level, _ in items]
    assert levels == ["error", "error", "error", "warning"], items
    text = " ".join(t for _, t in items)
    for fragment in ("「不予处罚」应为整数", "「举行听证」（5）不能大于「告知听证」（4）",
                     "「处罚决定总数」（100）应等于「警告」、", "「结案数」（200）超过「立案数」（60）的2倍"):
        assert fragment in text, fragment
    assert "有 3 处错误需要修改，另有 1 处情况需要在「情况说明」中说明" in box
    # each at its field: errors red, the warning amber, linked from the list
    assert re.search(r'filing-cell has-error" data-cell="no_penalty"', page)
    assert re.search(r'filing-cell has-error" data-cell="hearings_held"', page)
    assert re.search(r'filing-cell has-warning" data-cell="cases_closed"', page)
    assert 'href="#cases_closed"' in box
    assert "未保存：请按下方提示修改后重新保存" in page and "另需说明" not in page  # one list, not a run-on flash
    with app.app_context():
        assert current_values(db.session.get(Filing, fid))["hearings_held"] == 2  # nothing saved


def test_saved_warnings_show_on_the_form_before_the_next_save(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", {**penalty_values(), "cases_closed": "200"}, "draft").id
        db.session.commit()
    page = client_for("dongcheng_filler").get(f"/filings/{fid}/edit").get_data(as_text=True)
    assert "有 1 处情况需要在「情况说明」中说明后才能提交" in page
    assert 'filing-cell has-warning" data-cell="cases_closed"' in page


# ---- 3. The declaration the live checks read -----------------------------------------------------

def test_live_rules_come_from_the_declaration(app, client_for):
    rules = get_form("penalty", "2026Q1").live_rules()
    assert {"result": "decisions_total", "plus": ["proc_summary", "proc_ordinary"], "minus": []} in rules["sums"]
    kinds = next(r for r in rules["sums"] if r["plus"][0] == "k_warning")
    assert kinds["result"] == "decisions_total" and len(kinds["plus"]) == 14
    assert {"part": "hearings_held", "whole": ["hearings_notified"], "level": "error"} in rules["limits"]
    rec = get_form("reconsideration", "2026H1").live_rules()
    assert {"result": "pending", "plus": ["carried_over", "accepted"], "minus": ["concluded"]} in rec["sums"]
    with app.app_context():
        fid = drive("reconsideration", "0100", "2026H1", reconsideration_values(), "draft").id
        db.session.commit()
    page = client_for("dongcheng_filler").get(f"/filings/{fid}/edit").get_data(as_text=True)
    assert "data-live-rules='" in page and '"result": "pending"' in page
    assert '<script src="/static/js/filing_live.js"></script>' in page
    assert "<script>" not in page.split("<body")[1]  # no inline script (CSP)


# ---- 4. 复制上期 ------------------------------------------------------------------------------------

def _institution(key: str, state: str, **changes) -> Filing:
    return drive("institution", "0100", key, {**institution(key), **changes}, state)


def test_copy_previous_fills_an_empty_draft_audited(app):
    with app.app_context():
        prev = _institution("2024", "accepted", authorised_posts="12", head_name="李四")
        filing = open_filing("institution", Period.parse("2025"), user("dongcheng_filler"))
        from app.filing.copy import copy_previous, may_copy

        assert may_copy(filing, user("dongcheng_filler")) and not may_copy(filing, user("gongan_filler"))
        changes = copy_previous(filing, user("dongcheng_filler"))
        assert not may_copy(filing, user("dongcheng_filler"))  # the button goes with the figures
        values = current_values(filing)
        assert values["authorised_posts"] == 12 and values["head_name"] == "李四"
        assert values["headcount"] == 0  # from the register (prefill), not copied
        assert changes["head_name"] == (None, "李四")
        copied = audit("filing.copy_previous", filing.id)
        assert [a.detail["from_period"] for a in copied] == ["2024"] and copied[0].detail["from_filing"] == prev.id
        assert [a.detail["source"] for a in audit("filing.values", filing.id)] == ["copy_previous"]
        # not again once filled
        with pytest.raises(Conflict, match="本期已填写数据"):
            copy_previous(filing, user("dongcheng_filler"))
        db.session.rollback()
        # not by another unit (scope), not into a form that is not slow-moving
        with pytest.raises(Forbidden):
            copy_previous(filing, user("gongan_filler"))
        pen = open_filing("penalty", Period.parse("2026Q1"), user("dongcheng_filler"))
        assert not may_copy(pen, user("dongcheng_filler"))
        with pytest.raises(Invalid, match="不提供"):
            copy_previous(pen, user("dongcheng_filler"))
        db.session.rollback()
        assert len(audit("filing.copy_previous")) == 1


def test_copy_previous_reads_the_older_version_and_needs_something_filed(app):
    from app.filing.copy import copy_previous

    with app.app_context():
        set_early_drafts("institution", True, user("admin"))
        nothing = open_filing("institution", Period.parse("2023"), user("dongcheng_filler"))
        with pytest.raises(Invalid, match="没有可复制的上期数据"):
            copy_previous(nothing, user("dongcheng_filler"))
        db.session.rollback()
        _institution("2025", "accepted", authorised_posts="9")  # the 2006 version
        filing = open_filing("institution", running(YEAR), user("dongcheng_filler"))  # 2026 version
        copy_previous(filing, user("dongcheng_filler"))
        values = current_values(filing)
        assert values["authorised_posts"] == 9 and values["q_trained"] == 0  # the register's figure


def test_copy_previous_only_into_an_editable_draft(app, client_for):
    with app.app_context():
        _institution("2024", "accepted")
        submitted = open_filing("institution", Period.parse("2025"), user("dongcheng_filler"))
        db.session.commit()
        fid = submitted.id
    other = client_for("gongan_filler")
    resp = post_form(other, f"/filings/{fid}/copy-previous", {}, "/")
    assert resp.status_code == 404  # another unit's filing is not found
    with app.app_context():
        assert all(v is None for v in current_values(db.session.get(Filing, fid)).values())
        assert not audit("filing.copy_previous")
    approver = client_for("dongcheng_approver")  # no can_fill
    resp = post_form(approver, f"/filings/{fid}/copy-previous", {}, "/")
    assert resp.status_code in (302, 403) and f"/filings/{fid}/edit" not in resp.headers.get("Location", "")
    c = client_for("dongcheng_filler")
    page = c.get(f"/filings/{fid}/edit").get_data(as_text=True)
    assert 'id="copy-previous"' in page
    resp = post_form(c, f"/filings/{fid}/copy-previous", {}, f"/filings/{fid}/edit")
    assert resp.status_code == 302
    page = c.get(f"/filings/{fid}/edit").get_data(as_text=True)
    assert "已复制上期数据并保存为草稿" in page and 'id="copy-previous"' not in page
    assert 'name="head_name" id="head_name" value="张三"' in page
    with app.app_context():
        filing = db.session.get(Filing, fid)
        workflow.apply(filing, "submit", user("dongcheng_filler"))
        db.session.commit()
        from app.filing.copy import copy_previous

        with pytest.raises((Conflict, Forbidden)):
            copy_previous(db.session.get(Filing, fid), user("dongcheng_filler"))


# ---- 5. The import preview: old → new --------------------------------------------------------------

def test_import_preview_names_each_change_old_to_new(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
        db.session.commit()
    c = client_for("dongcheng_filler")
    data = c.get("/filings/penalty/template?period=2026Q1").data
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [cell.value for cell in ws[4]]
    ws.cell(5, headers.index("立案数") + 1, 61)
    ws.cell(5, headers.index("罚款金额（元）") + 1, 51000.5)
    out = io.BytesIO()
    wb.save(out)
    tok = csrf_token(c, "/filings/penalty/import")
    page = c.post("/filings/penalty/import", content_type="multipart/form-data",
                  data={"csrf_token": tok, "file": (io.BytesIO(out.getvalue()), "x.xlsx")}).get_data(as_text=True)
    table = page.split('class="table table-condensed table-bordered import-diff"')[1].split("</table>")[0]
    rows = [re.sub(r"<[^>]+>", "", r).split("→") for r in re.findall(r"<tr><td>.*?</tr>", table, re.S)]
    rows = [[x.strip() for x in r] for r in rows]
    assert rows == [["立案数60", "61"], ["罚款金额（元）50,000.00", "51,000.50"]], rows
    assert "东城区 · 2026年第1季度：2 项变化" in page
    with app.app_context():
        assert current_values(db.session.get(Filing, fid))["cases_opened"] == 60  # nothing written yet


def test_import_refuses_a_period_not_yet_open(app, client_for):
    p = running(QUARTER)
    spec = get_form("penalty", p)
    c = client_for("dongcheng_filler")
    data = c.get(f"/filings/penalty/template?period={p.key}").data
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    from tests.import_helpers import row_values

    vals = penalty_values()
    vals.update({f.name: "0" for f in spec.fields if f.name not in vals})
    for i, v in enumerate(row_values(spec, vals)):
        ws.cell(5, 4 + i, v)
    out = io.BytesIO()
    wb.save(out)
    tok = csrf_token(c, "/filings/penalty/import")
    page = c.post("/filings/penalty/import", content_type="multipart/form-data",
                  data={"csrf_token": tok, "file": (io.BytesIO(out.getvalue()), "x.xlsx")}).get_data(as_text=True)
    assert f"{p.opens_on.isoformat()} 起可填报" in page.split('id="cell-errors"')[1]


# ---- 6. A duplicate 身份证号 ------------------------------------------------------------------------


def test_a_duplicate_citizen_id_names_its_holder_within_the_scope(app, client_for):
    from app.staff.duplicates import duplicate_message
    from tests.staff_helpers import make_id, person

    with app.app_context():
        person("0100", "张三", seq="301")
        person("2300", "王五", seq="302")
        db.session.commit()
        assert duplicate_message(make_id(seq="303"), user("dongcheng_filler")) is None
        own = duplicate_message(make_id(seq="301"), user("dongcheng_filler"))
        assert own == "「身份证号」已登记在名册中：张三（东城区，在职），请勿重复登记"
        elsewhere = duplicate_message(make_id(seq="302"), user("dongcheng_filler"))
        assert "王五" not in elsewhere and "公安" not in elsewhere and "其他单位" in elsewhere
        assert "王五（市公安局" in duplicate_message(make_id(seq="302"), user("reviewer"))  # city-wide scope
    c = client_for("dongcheng_filler")
    for seq, expected, hidden in (("301", own, None), ("302", elsewhere, "王五")):
        page = post_form(c, "/staff/add", {"name": "李四", "citizen_id": make_id(seq=seq), "education": "本科"},
                         "/staff/add").get_data(as_text=True)
        assert page.count(expected) == 1, page[-3000:]
        assert "已登记在名册中" not in page.replace(expected, "") and "其他单位" not in page.replace(expected, "")
        if hidden:
            assert hidden not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 2


# ---- 7. 上报时间 only while reported ----------------------------------------------------------------

def test_a_returned_filing_does_not_show_the_earlier_submission_time(app, client_for):
    with app.app_context():
        filing = drive("penalty", "0100", "2026Q1", penalty_values(), "submitted")
        fid = filing.id
        db.session.commit()
    c = client_for("dongcheng_filler")
    assert "上报时间：" in c.get(f"/filings/{fid}").get_data(as_text=True)
    with app.app_context():
        workflow.apply(db.session.get(Filing, fid), "return", user("reviewer"), comment="罚款金额有误")
        db.session.commit()
        assert db.session.get(Filing, fid).first_reported_at is not None  # kept for timeliness
    assert "上报时间：" not in c.get(f"/filings/{fid}").get_data(as_text=True)
    post_form(c, f"/filings/{fid}/edit", {**penalty_values(), "amount_fines": "50001"}, f"/filings/{fid}/edit")
    with app.app_context():
        assert db.session.get(Filing, fid).state == "draft"
    assert "上报时间：" not in c.get(f"/filings/{fid}").get_data(as_text=True)
    with app.app_context():
        filing = db.session.get(Filing, fid)
        workflow.apply(filing, "submit", user("dongcheng_filler"))
        workflow.apply(filing, "sign_off", user("dongcheng_approver"))
        db.session.commit()
    assert "上报时间：" in c.get(f"/filings/{fid}").get_data(as_text=True)
    with app.app_context():
        assert check_may_submit("penalty", Period.parse("2026Q1")) is None
