"""Excel import of reconsideration cases: the template, per-cell errors, all or nothing, numbering."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.imports import cases as case_import
from app.models import AuditLog
from app.models.cases import CaseCounter, ReconApplicant, ReconCase
from tests.helpers import csrf_token, post_form
from tests.staff_helpers import make_id
from tests.xlsx_helpers import fill

H = case_import.HEADERS


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


def row(**values) -> list:
    base = {"收到申请日期": "2026-03-02", "收件方式": "邮寄", "申请人类型": "公民", "申请人": "张三",
            "申请人身份证号": make_id("19800101", "011"), "被申请人": "东城区市场监督管理局",
            "被申请人层级": "区政府部门", "行政管理领域": "市场监管", "申请事项": "行政处罚",
            "被申请行为名称": "行政处罚决定书", "文号": "京东市监罚〔2026〕1号",
            "受理情况": "受理", "受理（不予受理）日期": "2026-03-04", "审理程序": "普通程序", "听证": "否"}
    base.update(values)
    return [base.get(h) for h in H]


def _upload(client, data):
    token = csrf_token(client, "/cases/recon/import")
    return client.post("/cases/recon/import", data={"csrf_token": token, "file": (io.BytesIO(data), "案件.xlsx")},
                       content_type="multipart/form-data")


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(ReconCase)),
                db.session.scalar(select(func.count()).select_from(ReconApplicant)),
                db.session.scalar(select(func.coalesce(func.max(CaseCounter.last), 0))))


def test_import_is_all_or_nothing_with_cell_errors(app, client_for):
    c = client_for("dongcheng_filler")
    template = c.get("/cases/recon/import/template")
    assert template.status_code == 200
    bad = fill(template.data, [
        row(),
        row(申请人="李四、王五", 申请人身份证号=make_id("19810101", "021") + "、110101198101010000"),
        row(**{"受理（不予受理）日期": "2026-02-01"}),
        row(延期天数=45, 延期理由="复杂", 延期批准人="王主任"),
        row(案号="京东复〔2019〕5号"), row(案号="京东复〔2019〕5号"),
    ])
    page = _upload(c, bad).get_data(as_text=True)
    assert "未导入任何数据" in page
    assert "F5：第2位申请人：「身份证号」校验位错误" in page  # the applicants' ids column, row 5
    assert "T6：「受理（不予受理）日期」2026-02-01早于「收到申请日期」" in page
    assert "Y7：「延期天数」应为1至30日" in page
    assert "A9：「案号」京东复〔2019〕5号已存在" in page  # the file's own duplicate
    assert _counts(app) == (0, 0, 0)  # the preview keeps nothing, numbers included
    good = fill(template.data, [row(), row(申请人="李四、王五", 集体申请人数=12), row(案号="京东复〔2019〕5号")])
    page = _upload(c, good).get_data(as_text=True)
    assert "将登记 3 件案件" in page and _counts(app) == (0, 0, 0)
    post_form(c, "/cases/recon/import/confirm", {}, "/cases/recon/import")
    with app.app_context():
        numbers = sorted(db.session.scalars(select(ReconCase.case_no)))
        assert numbers == ["京东复〔2019〕5号", "京东复〔2026〕1号", "京东复〔2026〕2号"]
        group = db.session.scalar(select(ReconCase).where(ReconCase.group_size == 12))
        assert [a.name for a in group.applicants] == ["李四", "王五"] and group.people == 12
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "case.create")) == 3
    # a unit without the register's keeping right cannot import
    approver = client_for("dongcheng_approver")
    assert approver.get("/cases/recon/import").status_code in (302, 403)


def test_a_row_failing_at_confirmation_undoes_the_whole_file(app, client_for):
    """Rows valid at preview, one refused at confirmation (its 案号 taken meanwhile): nothing stays."""
    c = client_for("dongcheng_filler")
    template = c.get("/cases/recon/import/template").data
    page = _upload(c, fill(template, [row(), row(案号="京东复〔2019〕9号")])).get_data(as_text=True)
    assert "将登记 2 件案件" in page
    from app.cases.recon import create_recon_case
    from tests.case_helpers import case_data, user

    with app.app_context():
        create_recon_case(case_data(case_no="京东复〔2019〕9号"), user("dongcheng_filler"), allow_case_no=True)
        db.session.commit()
    before = _counts(app)
    resp = post_form(c, "/cases/recon/import/confirm", {}, "/cases/recon/import")
    assert resp.status_code == 302
    assert _counts(app) == before  # the first row went back out with the refused one
