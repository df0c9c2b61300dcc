"""Issue 18, reviewers: the 待审核 list's facts (上报时间, 逾期天数, 有情况说明, warnings) kept by the
engine, sorted and filtered in SQL; batch 审核通过 through the state machine, one filing at a time;
催报 with one click, recorded (and mailed when configured); return reasons from a declared list and
退回原因统计 (page and workbook). Every denied access: role, scope, forged ids, CSRF."""

from __future__ import annotations

import datetime as dt
import io
import re
import socketserver
import threading

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app.extensions import db
from app.filing import review, workflow
from app.filing.deadlines import move_deadline
from app.filing.errors import Forbidden, Invalid
from app.filing.periods import Period
from app.filing.reminders import remind
from app.filing.return_reasons import REASONS
from app.filing.return_stats import Criteria, statistics
from app.filing.timeliness import period_timeliness
from app.filing.values import open_filing, save_values
from app.models import AuditLog, Filing, FilingTransition, Reminder
from app.unit_list import unit_by_code
from tests.engine_helpers import audit_actions, snapshot, user
from tests.helpers import csrf_token, penalty_values, post_form

BEIJING_10AM = dt.time(2, 0)
UNIT_USERS = {"0100": ("dongcheng_filler", "dongcheng_approver"), "2300": ("gongan_filler", "gongan_approver")}
WARNING_VALUES = {**penalty_values(), "cases_closed": "200"}  # closed far above opened: a warning


def _file(unit_code: str, period_key: str, on: dt.date, raw=None, explanation=None, to: str = "submitted") -> int:
    """A penalty filing submitted and signed off on a given local day (through the engine)."""
    filler, approver = (user(n) for n in UNIT_USERS[unit_code])
    with time_machine.travel(dt.datetime.combine(on, BEIJING_10AM, dt.UTC), tick=False):
        f = open_filing("penalty", Period.parse(period_key), filler)
        save_values(f, raw or penalty_values(), filler, explanation=explanation)
        if to in ("pending", "submitted", "accepted"):
            workflow.apply(f, "submit", filler, explanation=explanation)
        if to in ("submitted", "accepted"):
            workflow.apply(f, "sign_off", approver)
        if to == "accepted":
            workflow.apply(f, "accept", user("reviewer"))
    return f.id


def _two_submitted():
    """东城区 on the deadline day without warnings; 市公安局 five days late, one warning, explained."""
    on_time = _file("0100", "2026Q2", dt.date(2026, 7, 15))
    late = _file("2300", "2026Q2", dt.date(2026, 7, 20), WARNING_VALUES, "本季度集中结案")
    return on_time, late


def test_stored_warnings_follow_the_periods_they_compare_with(app, client_for):
    """A filing's stored warnings (the list's 校验提示: column, filter, sort) are recounted when
    another filing of its unit changes what its rules compare with: the earlier quarter returned
    (no longer filed), filed again, its accepted figures corrected."""
    from app.filing.corrections import decide, request_correction

    with app.app_context():
        q1 = _file("0100", "2026Q1", dt.date(2026, 4, 10), penalty_values(total=100, fines_yuan="1000.00"))
        q2 = _file("0100", "2026Q2", dt.date(2026, 7, 10), penalty_values(total=1000, fines_yuan="10000.00"),
                   "本季度专项整治")  # ten times the quarter before: decisions and fines flagged

        def stored():
            db.session.expire_all()
            return db.session.get(Filing, q2).warning_count

        assert stored() == 2
        version = db.session.get(Filing, q2).version
        workflow.apply(db.session.get(Filing, q1), "return", user("reviewer"), comment="请核对罚款金额")
        assert stored() == 0 and db.session.get(Filing, q2).version == version  # nothing to compare with
        filler, approver = (user(n) for n in UNIT_USERS["0100"])
        workflow.apply(db.session.get(Filing, q1), "reopen", filler)
        workflow.apply(db.session.get(Filing, q1), "submit", filler)
        assert stored() == 0  # awaiting its unit's sign-off: not filed yet
        workflow.apply(db.session.get(Filing, q1), "sign_off", approver)
        assert stored() == 2
        workflow.apply(db.session.get(Filing, q1), "accept", user("reviewer"))
        # Q1 corrected to 400 decisions and 4,000 yuan: Q2's 1,000 and 10,000 are within 3×
        req = request_correction(db.session.get(Filing, q1), penalty_values(total=400, fines_yuan="4000.00"),
                                 "统计口径有误", filler)
        decide(req, True, "", user("reviewer"))
        assert stored() == 0
        listed = client_for("reviewer").get("/filings/penalty/?warnings=yes&unit="
                                            f"{unit_by_code('0100').id}").get_data(as_text=True)
        assert f'data-fid="{q2}"' not in listed


# ---- 1. the list's facts, kept by the engine -------------------------------------------------

def test_engine_keeps_days_late_and_warnings_and_the_deadline_move_refreshes_them(app):
    with app.app_context():
        on_time, late = _two_submitted()
        a, b = db.session.get(Filing, on_time), db.session.get(Filing, late)
        assert (a.days_late, a.warning_count, a.explanation) == (0, 0, None)
        assert (b.days_late, b.warning_count, b.explanation) == (5, 1, "本季度集中结案")
        # the same figure as the timeliness page computes
        rows = {r.filing_id: r.days_late for r in period_timeliness("penalty", Period.parse("2026Q2")).rows}
        assert rows[late] == 5 and rows[on_time] == 0
        version = b.version
        move_deadline("penalty", Period.parse("2026Q2"), dt.date(2026, 7, 18), "系统故障顺延", user("admin"))
        db.session.commit()
        db.session.expire_all()
        b = db.session.get(Filing, late)
        assert b.days_late == 2 and b.version == version  # refreshed; a page open on it stays valid
        assert period_timeliness("penalty", Period.parse("2026Q2")).rows and \
            {r.filing_id: r.days_late for r in period_timeliness("penalty", Period.parse("2026Q2")).rows}[late] == 2


def test_backfill_fills_facts_of_older_filings(app):
    with app.app_context():
        on_time, late = _two_submitted()
        db.session.execute(update(Filing).values(days_late=None, warning_count=None))
        db.session.commit()
        assert review.backfill() == (2, 2)
        db.session.commit()
        db.session.expire_all()
        kept = [db.session.get(Filing, fid) for fid in (on_time, late)]
        assert [(f.days_late, f.warning_count) for f in kept] == [(0, 0), (5, 1)]


def _ids_on_page(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-fid="(\d+)"', html)]


def test_review_list_shows_sorts_and_filters_by_the_facts(app, client_for):
    with app.app_context():
        on_time, late = _two_submitted()
        accepted = _file("0100", "2026Q1", dt.date(2026, 4, 10), to="accepted")
    c = client_for("reviewer")
    html = c.get("/filings/penalty/?state=submitted").get_data(as_text=True)
    assert set(_ids_on_page(html)) == {on_time, late}
    row = html[html.index(f'data-fid="{late}"'):]
    row = row[:row.index("</tr>")]
    assert "2026-07-20" in row and "5天" in row and "有" in row and ">1<" in row
    # filters (server side)
    assert _ids_on_page(c.get("/filings/penalty/?state=submitted&late=yes").get_data(as_text=True)) == [late]
    assert _ids_on_page(c.get("/filings/penalty/?state=submitted&late=no").get_data(as_text=True)) == [on_time]
    assert _ids_on_page(c.get("/filings/penalty/?state=submitted&warnings=no").get_data(as_text=True)) == [on_time]
    assert _ids_on_page(c.get("/filings/penalty/?state=submitted&explained=yes").get_data(as_text=True)) == [late]
    assert _ids_on_page(c.get("/filings/penalty/?warnings=no").get_data(as_text=True)) == [on_time, accepted]
    # sorts, both ways
    for key in ("late", "warnings", "explained", "reported"):
        down = _ids_on_page(c.get(f"/filings/penalty/?state=submitted&sort={key}&dir=desc").get_data(as_text=True))
        up = _ids_on_page(c.get(f"/filings/penalty/?state=submitted&sort={key}&dir=asc").get_data(as_text=True))
        assert down == [late, on_time] and up == [on_time, late], key
    # the count above the list is the filtered list's, in the user's scope (counted without the units)
    for query in ("state=submitted", "state=submitted&late=yes", "state=submitted&warnings=no",
                  "warnings=no", "explained=yes&sort=late&dir=desc"):
        html = c.get(f"/filings/penalty/?{query}").get_data(as_text=True)
        assert f"共 {len(_ids_on_page(html))} 份报表" in html, query
    own = client_for("dongcheng_filler").get("/filings/penalty/?state=submitted").get_data(as_text=True)
    assert f"共 {len(_ids_on_page(own))} 份报表" in own and "共 0 份报表" not in own
    # nonsense is ignored, never a 500
    resp = c.get("/filings/penalty/?state=submitted&sort=drop&dir=x&late=maybe&warnings=9")
    assert resp.status_code == 200 and set(_ids_on_page(resp.get_data(as_text=True))) == {on_time, late}


# ---- 2. batch acceptance ----------------------------------------------------------------------

def test_batch_accepts_each_filing_on_its_own_and_refuses_by_name(app, client_for):
    with app.app_context():
        good = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        good2 = _file("2300", "2026Q1", dt.date(2026, 4, 10))
        warned = _file("2300", "2026Q2", dt.date(2026, 7, 20), WARNING_VALUES, "本季度集中结案")
        draft = _file("0100", "2026Q1", dt.date(2026, 4, 10), to="draft")
        versions = {f: db.session.get(Filing, f).version for f in (good, good2, warned, draft)}
        before = {f: snapshot(f) for f in (warned, draft)}
    c = client_for("reviewer")
    token = csrf_token(c, "/filings/penalty/?state=submitted")
    resp = c.post("/filings/penalty/accept", data={
        "csrf_token": token, "state": "submitted",
        "fid": [f"{good}:{versions[good]}", f"{good2}:{versions[good2]}", f"{warned}:{versions[warned]}",
                f"{draft}:{versions[draft]}", "99999999:1", "1;DROP"]})
    assert resp.status_code == 302 and "state=submitted" in resp.headers["Location"]
    html = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已审核通过 2 份" in html and "未通过 4 份" in html
    assert "市公安局 · 行政处罚 · 2026年第2季度（有1条校验提示" in html
    assert "东城区 · 行政处罚 · 2026年第1季度（当前状态为“草稿”" in html
    assert "#99999999（报表不存在或无权查看）" in html and "不是有效的报表编号" in html
    with app.app_context():
        for fid in (good, good2):
            f = db.session.get(Filing, fid)
            assert f.state == "accepted"
            steps = [t for t in f.transitions if t.action == "accept"]
            assert len(steps) == 1 and steps[0].username == "reviewer"
            assert audit_actions(fid).count("filing.accept") == 1  # its own audit row
        for fid in (warned, draft):
            assert snapshot(fid) == before[fid] and "filing.accept" not in audit_actions(fid)


def test_batch_refuses_a_stale_version_and_nothing_is_written(app, client_for):
    with app.app_context():
        fid = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        stale = db.session.get(Filing, fid).version - 1
        before = snapshot(fid)
    c = client_for("reviewer")
    c.post("/filings/penalty/accept", data={"csrf_token": csrf_token(c, "/"), "fid": f"{fid}:{stale}"})
    html = c.get("/filings/penalty/").get_data(as_text=True)
    assert "未通过 1 份" in html and "已被他人修改" in html
    with app.app_context():
        assert snapshot(fid) == before


def test_batch_denied_without_csrf_role_or_scope(app, client_for):
    with app.app_context():
        fid = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        version = db.session.get(Filing, fid).version
        before = snapshot(fid)
    reviewer = client_for("reviewer")
    assert reviewer.post("/filings/penalty/accept", data={"fid": f"{fid}:{version}"}).status_code == 400  # no CSRF
    for name in ("dongcheng_approver", "dongcheng_filler", "leader"):  # no can_review: FAB refuses the endpoint
        c = client_for(name)
        resp = c.post("/filings/penalty/accept", data={"csrf_token": csrf_token(c, "/"), "fid": f"{fid}:{version}"})
        assert resp.status_code in (302, 403) and "/filings/penalty/" not in resp.headers.get("Location", ""), name
    with app.app_context():
        assert snapshot(fid) == before
        # the domain function: no review permission at all
        with pytest.raises(Forbidden):
            review.accept_many([f"{fid}:{version}"], user("leader"))
        # a reviewer whose scope is one unit: the other unit's filing is "not found", its own passes
        sm = app.appbuilder.sm
        role = sm.add_role("测试区级审核")
        for perm, view in (("can_review", "Filing"), ("can_read", "Filing")):
            sm.add_permission_role(role, sm.find_permission_view_menu(perm, view))
        local = sm.add_user("local_reviewer", "区", "审核", "local_reviewer@demo.local", [role], "DemoPass@2026!x")
        local.unit_id = unit_by_code("2300").id
        db.session.commit()
        try:
            other = _file("2300", "2026Q1", dt.date(2026, 4, 10))
            result = review.accept_many([f"{fid}:{version}", str(other)], user("local_reviewer"))
            assert result.refused == [(f"#{fid}", "报表不存在或无权查看")]
            assert result.passed == ["市公安局 · 行政处罚 · 2026年第1季度"]
            assert snapshot(fid) == before
        finally:  # the account goes with the test's cleanup; the role here
            db.session.rollback()
            local = user("local_reviewer")
            local.roles = []
            db.session.commit()
            db.session.delete(sm.find_role("测试区级审核"))
            db.session.commit()


# ---- 4. return reasons --------------------------------------------------------------------------

def test_return_stores_the_chosen_reason_and_refuses_bad_ones(app, client_for):
    with app.app_context():
        fid = _file("0100", "2026Q2", dt.date(2026, 7, 15))
        reviewer = user("reviewer")
        f = db.session.get(Filing, fid)
        before = snapshot(fid)
        for code, comment, message in (("bogus", "x", "「退回原因」应从列表中选择"),
                                       (["data_logic"], "x", "「退回原因」应从列表中选择"),
                                       ("other", None, "退回原因为“其他”时，「退回说明」为必填项"),
                                       (None, None, "「退回原因」为必填项")):
            with pytest.raises(Invalid) as err:
                workflow.apply(f, "return", reviewer, comment=comment, reason_code=code)
            assert err.value.message == message
            db.session.rollback()
        assert snapshot(fid) == before
    c = client_for("reviewer")
    with app.app_context():
        version = db.session.get(Filing, fid).version
    resp = post_form(c, f"/filings/{fid}/act", {"action": "return", "_version": version,
                                                "reason_code": "unexplained_change", "comment": ""})
    assert resp.status_code == 302
    html = c.get(f"/filings/{fid}").get_data(as_text=True)
    assert "退回原因：与上期差异过大未说明" in html
    with app.app_context():
        step = db.session.scalars(select(FilingTransition).where(
            FilingTransition.filing_id == fid, FilingTransition.action == "return")).one()
        assert (step.reason_code, step.comment) == ("unexplained_change", None)
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "filing.return",
                                                          AuditLog.object_id == fid)).one()
        assert entry.detail["reason"] == "unexplained_change"


def test_api_return_without_a_code_counts_as_other(app):
    from tests.helpers import api_version
    from tests.test_api import token

    with app.app_context():
        fid = _file("0100", "2026Q2", dt.date(2026, 7, 15))
    client = app.test_client()
    headers = token(client, "reviewer")
    resp = client.post(f"/api/v1/filings/{fid}/transition", headers=headers,
                       json={"action": "return", "comment": "请核实", "version": api_version(client, headers, fid)})
    assert resp.status_code == 200, resp.get_json()
    with app.app_context():
        assert db.session.scalar(select(FilingTransition.reason_code).where(
            FilingTransition.filing_id == fid, FilingTransition.action == "return")) == "other"


def _returned(unit_code, period_key, on, code, comment=None):
    fid = _file(unit_code, period_key, on)
    with time_machine.travel(dt.datetime.combine(on, BEIJING_10AM, dt.UTC), tick=False):
        workflow.apply(db.session.get(Filing, fid), "return", user("reviewer"), comment=comment, reason_code=code)
    return fid


def _three_returns():
    _returned("0100", "2026Q2", dt.date(2026, 7, 15), "data_logic")
    _returned("2300", "2026Q2", dt.date(2026, 7, 16), "data_logic", "合计不符")
    old = _returned("2300", "2026Q1", dt.date(2026, 4, 10), "missing_data")
    # a return from before the list: no code (counts as 其他)
    db.session.execute(update(FilingTransition).where(FilingTransition.filing_id == old)
                       .values(reason_code=None, comment="罚没金额有误"))
    db.session.commit()


def test_return_statistics_by_reason_unit_form_and_period(app):
    with app.app_context():
        _three_returns()
        dongcheng, gongan = unit_by_code("0100"), unit_by_code("2300")
        stats = statistics(Criteria(2026), None)
        assert stats.total == 3
        assert stats.by_reason == {"data_logic": 2, "other": 1}
        assert [(u.code, c) for u, c in stats.by_unit] == [("0100", {"data_logic": 1}),
                                                          ("2300", {"data_logic": 1, "other": 1})]
        assert stats.by_form == [("penalty", {"data_logic": 2, "other": 1})]
        assert [(p.key, c) for p, c in stats.by_period] == [("2026Q2", {"data_logic": 2}), ("2026Q1", {"other": 1})]
        assert statistics(Criteria(2026, reason="other"), None).total == 1
        assert statistics(Criteria(2025), None).total == 0
        assert statistics(Criteria(2026, form_code="litigation"), None).total == 0
        # the scope: a unit's view of it holds its own returns only
        assert statistics(Criteria(2026), {dongcheng.id}).total == 1
        assert statistics(Criteria(2026), {gongan.id}).by_reason == {"data_logic": 1, "other": 1}


def test_return_statistics_page_and_workbook_for_reviewers_and_leaders_only(app, client_for):
    with app.app_context():
        _three_returns()
    for name in ("reviewer", "leader"):
        c = client_for(name)
        html = c.get("/timeliness/returns?year=2026").get_data(as_text=True)
        assert "市级审核退回 3 次" in html, name
        by_reason = html[html.index('id="by-reason"'):]
        assert re.search(r'data-reason="data_logic"><td>数据逻辑错误</td><td class="text-right">2</td>', by_reason)
        assert re.search(r'data-reason="other"><td>其他</td><td class="text-right">1</td>', by_reason)
        assert 'data-unit="2300"' in html and 'data-period="2026Q1"' in html
    c = client_for("leader")
    resp = c.get("/timeliness/returns?year=2026&format=xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    groups = next(r for r in cells if r[0] == "单位")  # two header rows: 退回原因 over the reasons
    assert groups[3] == "退回原因"
    header = cells[cells.index(groups) + 1]
    assert header[3:3 + len(REASONS)] == list(REASONS.values()) and groups[3 + len(REASONS)] == "合计"
    body = [r for r in cells[cells.index(header) + 1:] if r[0]]
    data = {(r[0], r[2]): r[3:3 + len(REASONS) + 1] for r in body if r[1] == "行政处罚"}
    with app.app_context():
        dongcheng, gongan = unit_by_code("0100").name, unit_by_code("2300").name
    assert data == {(dongcheng, "2026年第2季度"): [1, 0, 0, 0, 0, 0, 1],
                    (gongan, "2026年第1季度"): [0, 0, 0, 0, 0, 1, 1],
                    (gongan, "2026年第2季度"): [1, 0, 0, 0, 0, 0, 1]}
    with app.app_context():
        assert db.session.scalar(select(AuditLog.detail).where(AuditLog.action == "export.report")
                                 .order_by(AuditLog.id.desc()))["file"] == "退回原因统计-2026.xlsx"
    for name in ("dongcheng_filler", "dongcheng_approver"):
        c = client_for(name)
        for path in ("/timeliness/returns", "/timeliness/returns?format=xlsx"):
            resp = c.get(path)
            assert resp.status_code in (302, 403) and "市级审核退回" not in resp.get_data(as_text=True), (name, path)


# ---- 3. 催报 ---------------------------------------------------------------------------------------

class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every message is kept as (recipients, text)."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        rcpt = []
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip(" <>"))
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go\r\n")
                body = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(chunk)
                self.server.messages.append((rcpt, b"".join(body)))
                rcpt = []
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL, RSET, NOOP
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def smtp_server(app):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1])
    yield server
    app.config.update(old)
    server.shutdown()
    server.server_close()


def _overdue_row(html: str, unit_code: str, period_key: str) -> str:
    start = html.index(f'data-unit="{unit_code}" data-form="penalty" data-period="{period_key}"')
    return html[start:html.index("</tr>", start)]


def test_remind_mails_the_unit_records_and_shows_it(app, client_for, smtp_server):
    c = client_for("reviewer")
    html = c.get("/timeliness/overdue").get_data(as_text=True)
    row = _overdue_row(html, "0100", "2026Q3")
    with app.app_context():
        name = unit_by_code("0100").name
    assert f"<td>{name}</td>" in row and "已催报" not in row  # the unit named in full
    with app.app_context():
        unit = unit_by_code("0100")
        emails = sorted(u.email for u in db.session.scalars(select(type(user("reviewer"))).where(
            type(user("reviewer")).unit_id == unit.id, type(user("reviewer")).active.is_(True))) if u.email)
        unit_id = unit.id
    resp = post_form(c, "/timeliness/remind", {"unit": unit_id, "form": "penalty", "period": "2026Q3"},
                     token_from="/timeliness/overdue")
    assert resp.status_code == 302
    page = c.get("/timeliness/overdue").get_data(as_text=True)
    assert f"已向东城区发送催报邮件（{len(emails)}封）" in page
    row = _overdue_row(page, "0100", "2026Q3")
    assert "已催报" in row and "reviewer" in row
    assert sorted(r for rcpt, _ in smtp_server.messages for r in rcpt) == emails
    text = smtp_server.messages[0][1].decode()
    assert "2026" in text and "Subject:" in text
    with app.app_context():
        kept = db.session.scalars(select(Reminder)).one()
        assert (kept.unit_id, kept.form_code, kept.period_key, kept.sent_by, kept.mailed, kept.mail_error) == \
            (unit_id, "penalty", "2026Q3", "reviewer", len(emails), None)
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "filing.remind")).one()
        assert entry.object_id == kept.id and entry.detail["unit"] == "0100" and entry.username == "reviewer"


def test_remind_without_mail_server_is_recorded_only(app, client_for):
    assert not app.config.get("MAIL_SERVER")
    with app.app_context():
        kept = remind(unit_by_code("2300").id, "penalty", "2026Q3", user("reviewer"))
        assert (kept.mailed, kept.mail_error) == (0, None)
        assert db.session.scalar(select(db.func.count()).select_from(Reminder)) == 1
    html = client_for("leader").get("/timeliness/overdue").get_data(as_text=True)
    row = _overdue_row(html, "2300", "2026Q3")
    assert "已催报" in row and "remind-form" not in html  # leaders see it, cannot remind


def test_remind_refused_without_role_scope_lateness_or_csrf(app, client_for):
    with app.app_context():
        filed = _file("0100", "2026Q3", dt.date(2026, 10, 10))  # on time: nothing to chase
        dongcheng = unit_by_code("0100").id
        gongan = unit_by_code("2300").id
        reviewer = user("reviewer")
        for args, error in (((dongcheng, "penalty", "2026Q3"), "未逾期或已上报"),
                            ((gongan, "penalty", "2099Q1"), "未逾期或已上报"),
                            ((gongan, "nosuch", "2026Q3"), "「报表」无效"),
                            ((gongan, "penalty", "2026H1"), "「报告期」与报表不符"),
                            ((gongan, "penalty", "x"), "「报告期」无效"),
                            ((99999999, "penalty", "2026Q3"), "单位不存在或不在您的管理范围内"),
                            (("1 or 1", "penalty", "2026Q3"), "单位不存在或不在您的管理范围内")):
            with pytest.raises(Exception) as err:
                remind(*args, reviewer)
            assert error in err.value.message, args
            db.session.rollback()
        with pytest.raises(Forbidden):
            remind(gongan, "penalty", "2026Q3", user("leader"))
        assert filed
    c = client_for("reviewer")
    assert c.post("/timeliness/remind", data={"unit": gongan, "form": "penalty", "period": "2026Q3"}).status_code == 400
    for name in ("leader", "dongcheng_filler"):
        other = client_for(name)
        resp = post_form(other, "/timeliness/remind", {"unit": gongan, "form": "penalty", "period": "2026Q3"})
        assert resp.status_code in (302, 403), name
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Reminder)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "filing.remind")) == 0


def test_remind_refuses_a_unit_id_out_of_range(app, client_for):
    """A forged unit id beyond the column's range is refused like any unknown unit (no 500 on
    PostgreSQL), and nothing is recorded."""
    from app.models import Reminder

    reviewer = client_for("reviewer")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Reminder))
    r = reviewer.post("/timeliness/remind", data={"unit": "99999999999", "form": "penalty", "period": "2024Q1",
                                                   "csrf_token": csrf_token(reviewer, "/timeliness/overdue")},
                      follow_redirects=True)
    assert r.status_code == 200 and "单位不存在或不在您的管理范围内" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reminder)) == before
