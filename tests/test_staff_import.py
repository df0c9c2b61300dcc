"""Importing a staff register from Excel: per-cell errors, all-or-nothing, idempotent, bad files."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import delete

from app.extensions import db
from app.imports import staff as staff_import
from app.imports.xlsx import OLE_MAGIC, ImportFileError
from app.models import AuditLog, StaffMember
from app.unit_list import unit_by_code
from tests.engine_helpers import audit_count, user
from tests.staff_helpers import make_id, person
from tests.xlsx_helpers import fill, zip_bomb


@pytest.fixture(autouse=True)
def _clean_staff(app):
    yield
    with app.app_context():
        db.session.execute(delete(StaffMember))
        db.session.commit()


def row(name, number, education="本科", status="在职"):
    return [name, number, "汉族", education, "法学", "是", "中共党员", "科员", "一级科员", "2012-07-01", "否", status]


def good_file():
    return fill(staff_import.template_bytes(), [row("赵一", make_id("19800101", "111")),
                                                row("钱二", make_id("19850505", "222"), "硕士")])


def _upload(client, data, name="名册.xlsx"):
    from tests.helpers import csrf_token

    token = csrf_token(client, "/staffstats/import")
    return client.post("/staffstats/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _confirm(client):
    from tests.helpers import post_form

    return post_form(client, "/staffstats/import/confirm", {}, "/staffstats/import")


def _count(app):
    with app.app_context():
        return db.session.query(StaffMember).count(), audit_count()


def test_import_preview_confirm_and_reimport_changes_nothing(app, client_for):
    c = client_for("dongcheng_filler")
    page = _upload(c, good_file()).get_data(as_text=True)
    assert "新增 2 人" in page
    assert _count(app)[0] == 0  # the preview writes nothing
    _confirm(c)
    with app.app_context():
        people = db.session.query(StaffMember).order_by(StaffMember.name).all()
        assert [(p.name, p.unit.code, p.education) for p in people] == [("赵一", "0100", "本科"),
                                                                         ("钱二", "0100", "硕士")]
    before = _count(app)
    page = _upload(c, good_file()).get_data(as_text=True)
    assert "新增 0 人，更新 0 人，未变 2 人" in page
    _confirm(c)
    with app.app_context():
        assert db.session.query(StaffMember).count() == 2
        changed = db.session.query(AuditLog).filter(AuditLog.action.in_(["staff.create", "staff.update"])).count()
        assert changed == 2 and _count(app)[0] == before[0]


def test_cell_errors_listed_and_nothing_written(app, client_for):
    data = fill(staff_import.template_bytes(), [
        row("赵一", make_id("19800101", "111")),
        row("钱二", "110105194912310021"),            # bad check digit → B5
        row("孙三", make_id("19850505", "222"), "初中"),  # bad education → D6
        row("", make_id("19860606", "333")),            # missing name → A7
    ])
    c = client_for("dongcheng_filler")
    page = _upload(c, data).get_data(as_text=True)
    assert "B5：「身份证号」校验位错误" in page
    assert "D6：「学历」应为以下之一" in page
    assert "A7：「姓名」为必填项" in page
    assert "确认导入" not in page
    _confirm(c)
    assert _count(app)[0] == 0


def test_person_of_another_unit_is_refused(app, client_for):
    with app.app_context():
        person("2300", "公安人员", "19800101", "111")
        db.session.commit()
    c = client_for("dongcheng_filler")
    page = _upload(c, good_file()).get_data(as_text=True)
    assert "已登记在其他单位" in page and "市公安局" not in page
    with app.app_context():
        assert db.session.query(StaffMember).count() == 1


BAD_FILES = [
    (lambda: b"plain text, not a workbook", "不是有效的 Excel"),
    (lambda: OLE_MAGIC + b"\x00" * 600, "已加密"),
    (lambda: b"x" * (6 * 1024 * 1024), "超过大小限制"),
    (zip_bomb, "已拒绝"),
    (lambda: fill(staff_import.template_bytes(), [], edit=lambda ws: ws.__setitem__("A1", "法制统计模板:penalty:v1")),
     "其他报表的模板"),
    (lambda: fill(staff_import.template_bytes(), [], edit=lambda ws: ws.__setitem__("A1", "随便什么")),
     "不是本系统下载的模板"),
    (lambda: fill(staff_import.template_bytes(), [], edit=lambda ws: ws.__setitem__("L3", None)), "缺少列：状态"),
    (lambda: fill(staff_import.template_bytes(), [], edit=lambda ws: ws.__setitem__("M3", "备注")), "多余的列：备注"),
    (lambda: fill(staff_import.template_bytes(), [row("赵一", make_id())], edit=lambda ws: ws.merge_cells("C4:D4")),
     "合并单元格"),
    (lambda: fill(staff_import.template_bytes(), [row("赵一", make_id())],
                  edit=lambda ws: ws.__setitem__("I4", "=1+1")), "公式"),
]


@pytest.mark.parametrize("make,message", BAD_FILES)
def test_bad_files_refused_with_message(app, client_for, make, message):
    with app.app_context():
        with pytest.raises(ImportFileError, match=message):
            staff_import.preview(make(), unit_by_code("0100").id)
    c = client_for("dongcheng_filler")
    page = _upload(c, make()).get_data(as_text=True)
    assert message in page
    assert _count(app)[0] == 0


def test_only_fillers_import(app, client_for):
    for who in ("dongcheng_approver", "leader", "reviewer"):
        c = client_for(who)
        assert c.get("/staffstats/import").status_code in (302, 403)
    with app.app_context():
        assert user("dongcheng_approver") is not None
