"""Issue 7 acceptance 1 and 2: form templates and imports — round trip, every bad file refused
with its message and nothing written, locked filings never overwritten."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditLog, Filing
from tests.engine_helpers import audit_count, drive, snapshot
from tests.helpers import csrf_token, penalty_values, post_form
from tests.xlsx_helpers import fill, zip_bomb

HEADER_ROW = 4


def _template(client, form="penalty", period="2026Q2") -> bytes:
    resp = client.get(f"/filings/{form}/template?period={period}")
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    return resp.data


def _col(data: bytes, header: str) -> int:
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    for cell in ws[HEADER_ROW]:
        if cell.value == header:
            return cell.column
    raise AssertionError(header)


def _set(data: bytes, header: str, value, row: int = HEADER_ROW + 1) -> bytes:
    col = _col(data, header)
    return fill(data, [], edit=lambda ws: ws.cell(row=row, column=col, value=value))


def _upload(client, data, form="penalty", name="data.xlsx"):
    token = csrf_token(client, f"/filings/{form}/import")
    return client.post(f"/filings/{form}/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), name)}).get_data(as_text=True)


def _confirm(client, form="penalty"):
    return post_form(client, f"/filings/{form}/import/confirm", {}, f"/filings/{form}/import")


def _state(app):
    with app.app_context():
        db.session.expire_all()
        return (db.session.query(Filing).count(), audit_count(),
                [snapshot(f.id) for f in db.session.query(Filing).order_by(Filing.id)])


def test_round_trip_unchanged_then_one_cell(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q2", penalty_values(), "draft").id
        db.session.commit()
    c = client_for("dongcheng_filler")
    data = _template(c)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [ws.cell(HEADER_ROW + 1, i).value for i in (1, 2, 3)] == ["0100", "东城区", "2026Q2"]
    assert ws.cell(HEADER_ROW + 1, _col(data, "罚款金额（元）")).value == 50000.0
    assert ws.max_row == HEADER_ROW + 1  # only the filler's own unit

    before = _state(app)
    page = _upload(c, data)
    assert "0 份报表将有变化" in page
    _confirm(c)
    after = _state(app)
    assert after[0] == before[0] and after[2] == before[2]
    with app.app_context():
        assert db.session.query(AuditLog).filter(AuditLog.action == "filing.values").count() == 1  # the drive

    changed = _set(data, "罚款金额（元）", 61234.5)
    assert "1 份报表将有变化" in _upload(c, changed)
    _confirm(c)
    with app.app_context():
        from app.filing.values import current_values

        f = db.session.get(Filing, fid)
        assert current_values(f)["amount_fines"] == 6_123_450
        rows = db.session.query(AuditLog).filter(AuditLog.action == "filing.values").order_by(AuditLog.id).all()
        assert rows[-1].detail["source"] == "import"
        assert rows[-1].detail["changes"] == {"amount_fines": [5_000_000, 6_123_450]}
    # Uploading the same changed file again changes nothing.
    mid = _state(app)
    _upload(c, changed)
    _confirm(c)
    assert _state(app)[2] == mid[2]


def test_import_creates_a_draft_for_own_unit(app, client_for):
    c = client_for("dongcheng_filler")
    data = _template(c)
    vals = penalty_values()
    from app.forms import get_form

    spec = get_form("penalty", "2026Q2")
    for f in spec.fields:
        label = f.label + ("（元）" if f.kind == "money" else "")
        data = _set(data, label, float(vals[f.name]) if f.kind == "money" else int(vals[f.name]))
    assert "1 份报表将有变化" in _upload(c, data)
    _confirm(c)
    with app.app_context():
        f = db.session.query(Filing).one()
        assert (f.unit.code, f.period_key, f.state) == ("0100", "2026Q2", "draft")


def _good(client):
    return _template(client)


BAD = [
    # (make(data) → bytes, file name, message)
    (lambda d: b"%PDF-1.4 not a workbook", "data.xlsx", "不是有效的 Excel"),
    (lambda d: b"\x89PNG\r\n\x1a\n" + b"0" * 100, "renamed.xlsx", "不是有效的 Excel"),
    (lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000, "locked.xlsx", "已加密"),
    (lambda d: _other_form(), "other.xlsx", "其他报表的模板"),
    (lambda d: fill(d, [], edit=lambda ws: setattr(ws.cell(HEADER_ROW, 10), "value", None)), "x.xlsx", "缺少列"),
    (lambda d: fill(d, [], edit=lambda ws: ws.cell(HEADER_ROW, 60, "备注")), "x.xlsx", "多余的列：备注"),
    (lambda d: fill(d, [], edit=lambda ws: ws.merge_cells("D5:E5")), "x.xlsx", "合并单元格"),
    (lambda d: fill(d, [], edit=lambda ws: ws.cell(HEADER_ROW + 1, 4, "=SUM(E5:F5)")), "x.xlsx", "公式"),
    (lambda d: _set(d, "立案数", "十二"), "x.xlsx", "D5：「立案数」应为整数"),
    (lambda d: _set(d, "警告", -3), "x.xlsx", "「警告」不能为负数"),
    (lambda d: _set(d, "警告", 999), "x.xlsx", "「处罚决定总数」"),
    (lambda d: fill(d, [], edit=lambda ws: ws.cell(HEADER_ROW + 1, 1, "2300")), "x.xlsx", "不在您的权限范围内"),
    (lambda d: b"PK" + b"\x00" * (6 * 1024 * 1024), "big.xlsx", "超过大小限制"),
    (lambda d: zip_bomb(), "bomb.xlsx", "已拒绝"),
]


def _other_form():
    from app.filing.periods import Period
    from app.forms import get_form
    from app.imports.forms import template_bytes
    from app.unit_list import unit_by_code

    return template_bytes(get_form("reconsideration"), Period.parse("2026H1"), [unit_by_code("0100")])


@pytest.mark.parametrize("make,name,message", BAD)
def test_bad_files_refused_and_nothing_written(app, client_for, make, name, message):
    with app.app_context():
        drive("penalty", "0100", "2026Q2", penalty_values(), "draft")
        db.session.commit()
    c = client_for("dongcheng_filler")
    good = _good(c)
    with app.app_context():
        bad = make(good)
    before = _state(app)
    page = _upload(c, bad, name=name)
    assert message in page, message
    assert "确认导入" not in page
    _confirm(c)  # nothing stashed: confirming does nothing
    assert _state(app) == before


def test_locked_filing_never_overwritten_and_correction_offered(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q2", penalty_values(), "accepted").id
        db.session.commit()
        before = snapshot(fid)
    c = client_for("dongcheng_filler")
    page = _upload(c, _set(_template(c), "罚款金额（元）", 1.0))
    assert "已锁定" in page and f"/filings/{fid}/correct" in page
    _confirm(c)
    with app.app_context():
        assert snapshot(fid) == before


def test_reviewer_template_covers_many_units_and_imports_drafts(app, client_for):
    c = client_for("reviewer")
    data = _template(c)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    codes = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert "0100" in codes and "2300" in codes and len(codes) > 50
    assert "0300" not in codes  # 崇文区 closed in 2010
    # Keep the two showcase units' rows, fill them, import.
    vals = penalty_values()
    from app.forms import get_form

    spec = get_form("penalty", "2026Q2")
    rows = []
    for code, name in (("0100", "东城区"), ("2300", "市公安局")):
        rows.append([code, name, "2026Q2"] + [float(vals[f.name]) if f.kind == "money" else int(vals[f.name])
                                              for f in spec.fields])
    wb = load_workbook(io.BytesIO(data))
    wsx = wb.worksheets[0]
    wsx.delete_rows(HEADER_ROW + 1, wsx.max_row)
    out = io.BytesIO()
    wb.save(out)
    data = fill(out.getvalue(), rows, start_row=HEADER_ROW + 1)
    assert "2 份报表将有变化" in _upload(c, data)
    _confirm(c)
    with app.app_context():
        assert sorted((f.unit.code, f.state) for f in db.session.query(Filing)) == [("0100", "draft"),
                                                                                    ("2300", "draft")]


def test_leader_and_approver_cannot_import(app, client_for):
    for who in ("leader", "dongcheng_approver"):
        c = client_for(who)
        assert c.get("/filings/penalty/import").status_code in (302, 403)
        assert c.get("/filings/penalty/template?period=2026Q2").status_code in (302, 403)
