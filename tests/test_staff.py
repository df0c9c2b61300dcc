"""Issue 5: citizen IDs, masking on every surface, frozen statistics, expiring certificates, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Certificate, StaffMember, StaffSnapshot, TrainingCourse, TrainingRecord
from app.staff.citizen_id import CitizenIdError, mask, parse_citizen_id
from tests.engine_helpers import drive, user
from tests.helpers import post_form
from tests.staff_helpers import certificate, course, make_id, person


@pytest.fixture(autouse=True)
def _clean_staff(app):
    yield
    with app.app_context():
        for model in (TrainingRecord, Certificate, TrainingCourse, StaffSnapshot, StaffMember):
            db.session.execute(delete(model))
        db.session.commit()


EDIT_EXTRA = {"political_status": "群众", "post": "科员", "rank": "一级科员", "major": "法学", "ethnicity": "汉族"}


# ---- citizen ID -------------------------------------------------------------------------------

def test_valid_id_gives_birth_date_and_sex():
    parsed = parse_citizen_id("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31) and parsed.sex == "女"
    assert parse_citizen_id(make_id("19850312", "123")).sex == "男"
    assert parse_citizen_id("11010519491231002x").number.endswith("X")


@pytest.mark.parametrize("number,words", [
    ("110105194912310021", "校验位"),             # wrong check digit
    ("110105194902300026", "出生日期"),           # 30 Feb
    ("11010519491231002", "18位"),               # too short
    ("1101051949123100211", "18位"),             # too long
    ("11010519491231A02X", "数字"),              # letter inside
])
def test_invalid_ids(number, words):
    with pytest.raises(CitizenIdError, match=words) as err:
        parse_citizen_id(number)
    assert "「身份证号」" in str(err.value)


def test_mask():
    assert mask("110101198503121234") == "110101********1234"


# ---- masking on every surface ------------------------------------------------------------------

def _api(client, username, path):
    tok = client.post("/api/v1/security/login", json={"username": username, "password": "DemoPass@2026!",
                                                       "provider": "db"}).json["access_token"]
    return client.get(path, headers={"Authorization": f"Bearer {tok}"})


@pytest.mark.parametrize("username", ["dongcheng_filler", "dongcheng_approver", "reviewer", "leader"])
def test_id_masked_for_non_admins_everywhere(app, client_for, username):
    with app.app_context():
        s = person("0100", "张三")
        db.session.commit()
        sid, full = s.id, s.citizen_id
    masked = mask(full)
    c = client_for(username)
    for path in ("/staff/list/", f"/staff/show/{sid}"):
        page = c.get(path).get_data(as_text=True)
        assert masked in page and full not in page, path
    api = _api(c, username, "/api/v1/staff/")
    assert api.status_code == 200
    assert [r["citizen_id"] for r in api.json["result"]] == [masked]
    assert full not in _api(c, username, f"/api/v1/staff/{sid}").get_data(as_text=True)
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(c.get("/staffstats/export.xlsx").data)).worksheets[0]
    cells = [str(x.value) for row in sheet.iter_rows() for x in row if x.value is not None]
    assert masked in cells and full not in cells and "张三" in cells
    if username == "dongcheng_filler":
        # the edit form never carries the ID back to the browser
        assert full not in c.get(f"/staff/edit/{sid}").get_data(as_text=True)


def test_admin_too_sees_ids_masked_until_asking(app, client_for):
    """Lists, pages, exports and API answers mask the ID for everyone; the whole number is asked
    for one person at a time (tests/test_pii.py covers the disclosures and their audit rows)."""
    with app.app_context():
        s = person("0100", "张三")
        db.session.commit()
        sid, full = s.id, s.citizen_id
    c = client_for("admin")
    page = c.get(f"/staff/show/{sid}").get_data(as_text=True)
    assert mask(full) in page and full not in page and "显示完整身份证号" in page
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(c.get("/staffstats/export.xlsx").data)).worksheets[0]
    cells = [str(x.value) for row in sheet.iter_rows() for x in row]
    assert mask(full) in cells and full not in cells
    assert _api(c, "admin", f"/api/v1/staff/{sid}").json["result"]["citizen_id"] == mask(full)


# ---- the register through the web --------------------------------------------------------------

def test_filler_registers_person_in_own_unit_whatever_the_form_says(app, client_for, units):
    c = client_for("dongcheng_filler")
    number = make_id("19900101", "456")
    resp = post_form(c, "/staff/add", {"name": "李四", "citizen_id": number, "ethnicity": "汉族",
                                       "education": "硕士", "major": "法学", "law_major": "y",
                                       "political_status": "群众", "post": "科员", "rank": "一级科员",
                                       "unit": str(units["gongan"]), "unit_id": str(units["gongan"])},
                     "/staff/add")
    assert resp.status_code == 302
    with app.app_context():
        s = db.session.scalar(select(StaffMember).where(StaffMember.citizen_id == number))
        assert s.unit_id == units["dongcheng"] and s.sex == "女" and s.birth_date == dt.date(1990, 1, 1)


def test_bad_id_refused_with_message_and_nothing_written(app, client_for):
    c = client_for("dongcheng_filler")
    resp = post_form(c, "/staff/add", {"name": "李四", "citizen_id": "110105194912310021", "education": "硕士"},
                     "/staff/add")
    assert "校验位错误" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(StaffMember).count() == 0


def test_leavers_are_marked_not_deleted(app, client_for):
    with app.app_context():
        sid = person("0100", "王五").id
        db.session.commit()
    c = client_for("dongcheng_filler")
    assert post_form(c, f"/staff/delete/{sid}", {}, "/").status_code in (302, 403, 404, 405)
    post_form(c, f"/staff/edit/{sid}", {"name": "王五", "education": "本科", "status": "调离",
                                          **EDIT_EXTRA}, f"/staff/edit/{sid}")
    with app.app_context():
        s = db.session.get(StaffMember, sid)
        assert s is not None and s.status == "调离" and s.left_on is not None


# ---- frozen statistics -------------------------------------------------------------------------

def test_signed_off_report_keeps_frozen_statistics(app, client_for):
    with app.app_context():
        a = person("0100", "甲", "19700101", "111", law_major=True)
        b = person("0100", "乙", "19900101", "222")
        certificate(a, "行政复议人员资格证", "FY001", dt.date(2030, 1, 1))
        course("行政复议法培训", dt.date(2025, 5, 1), 16, [a, b])
        db.session.commit()
        values = {"setup_form": "standalone", "authorised_posts": "3", "headcount": "2",
                  "reconsideration_staff": "1", "litigation_staff": "1", "head_name": "甲",
                  "phone": "010-65190000", "address": "东城区"}
        f = drive("institution", "0100", "2025", values, "accepted")
        db.session.commit()
        fid = f.id
        from app.staff.snapshots import frozen

        snap = frozen(f)
        assert snap["headcount"] == 2 and snap["qualified_reconsideration"] == 1
        assert snap["certificate_holders"] == {"行政复议人员资格证": 1}
        assert snap["training_hours_per_person"] == "16.0"
        assert snap["by_major"] == {"法学类": 1, "非法学类": 1}
        # The register changes afterwards: one leaves, a newcomer arrives with no training.
        b.status = "调离"
        person("0100", "丙", "19950101", "333")
        person("0100", "丁", "19960101", "444")
        db.session.commit()
        assert frozen(db.session.get(type(f), fid)) == snap
    page = client_for("reviewer").get(f"/filings/{fid}").get_data(as_text=True)
    frozen_html = page.split('id="frozen-stats"')[1]
    assert "<strong>2</strong>" in frozen_html


def test_headcount_prefilled_from_register_and_warned_when_changed(app, client_for):
    with app.app_context():
        person("0100", "甲", "19700101", "111")
        person("0100", "乙", "19900101", "222")
        db.session.commit()
    c = client_for("dongcheng_filler")
    resp = post_form(c, "/filings/institution/open", {"period": "2025"}, "/filings/institution/")
    fid = int(resp.headers["Location"].split("/")[-2])
    assert 'name="headcount" id="headcount" value="2"' in c.get(f"/filings/{fid}/edit").get_data(as_text=True)
    post_form(c, f"/filings/{fid}/edit", {"setup_form": "merged", "authorised_posts": "4", "headcount": "3",
                                          "reconsideration_staff": "1", "litigation_staff": "0",
                                          "head_name": "甲", "phone": "1", "address": "x"}, "/")
    assert "「实有人数」（3）与人员名册在职人数（2）不一致" in c.get(f"/filings/{fid}").get_data(as_text=True)


# ---- expiring certificates ---------------------------------------------------------------------

def test_expiring_list_exact_around_90_days(app, client_for):
    from app.staff.stats import expiring_certificates

    today = dt.date(2026, 11, 26)
    with app.app_context():
        a = person("0100", "甲", "19700101", "111")
        g = person("2300", "公", "19800101", "555")
        certificate(a, "行政执法证", "证号1号", today + dt.timedelta(days=89))
        certificate(a, "行政复议人员资格证", "证号2号", today + dt.timedelta(days=90))
        certificate(a, "法律职业资格证", "证号3号", today + dt.timedelta(days=91))
        certificate(g, "行政执法证", "证号4号", today)
        certificate(g, "行政复议人员资格证", "证号5号", today - dt.timedelta(days=1))
        certificate(g, "法律职业资格证", "证号6号", today + dt.timedelta(days=10), status="注销")
        db.session.commit()
        assert [c.number for c in expiring_certificates(None, today)] == ["证号4号", "证号1号", "证号2号"]
        dongcheng = {a.unit_id}
        assert [c.number for c in expiring_certificates(dongcheng, today)] == ["证号1号", "证号2号"]
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 26, 2, tzinfo=dt.UTC)):
        home = client_for("dongcheng_filler").get("/").get_data(as_text=True)
        assert "证号1号" in home and "证号2号" in home and "证号4号" not in home
        page = client_for("admin").get("/staffstats/expiring").get_data(as_text=True)
        assert all(n in page for n in ("证号1号", "证号2号", "证号4号"))
        assert "证号3号" not in page and "证号5号" not in page


# ---- scope ------------------------------------------------------------------------------------

def test_units_see_only_their_own_staff_trainings_and_certificates(app, client_for):
    with app.app_context():
        a = person("0100", "东城甲", "19700101", "111")
        g = person("2300", "公安乙", "19800101", "555")
        certificate(a, "行政执法证", "DC-1", dt.date(2030, 1, 1))
        certificate(g, "行政执法证", "GA-1", dt.date(2030, 1, 1))
        course("专题培训", dt.date(2025, 3, 1), 8, [a, g])
        db.session.commit()
        gid = g.id
        g_cert = db.session.scalar(select(Certificate.id).where(Certificate.number == "GA-1"))
        g_rec = db.session.scalar(select(TrainingRecord.id).where(TrainingRecord.staff_id == gid))
    c = client_for("dongcheng_filler")
    for path in ("/staff/list/", "/certificates/list/", "/trainings/list/", "/staffstats/", "/api/v1/staff/"):
        body = (c.get(path) if not path.startswith("/api") else _api(c, "dongcheng_filler", path)).get_data(
            as_text=True)
        assert "公安乙" not in body and "GA-1" not in body and "市公安局" not in body, path
    assert "东城甲" in c.get("/staff/list/").get_data(as_text=True)
    for path in (f"/staff/show/{gid}", f"/staff/edit/{gid}", f"/certificates/show/{g_cert}",
                 f"/trainings/show/{g_rec}"):
        assert c.get(path).status_code in (302, 403, 404), path
    assert _api(c, "dongcheng_filler", f"/api/v1/staff/{gid}").status_code == 404
    post_form(c, f"/staff/edit/{gid}", {"name": "改名", "education": "本科", "status": "在职",
                                          **EDIT_EXTRA}, "/staff/list/")
    with app.app_context():
        assert db.session.get(StaffMember, gid).name == "公安乙"
        assert user("dongcheng_filler").unit.code == "0100"


# ---- audit of the register ---------------------------------------------------------------------

def _audit_since(app, last: int, prefix: str):
    from app.models import AuditLog

    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(
            AuditLog.id > last, AuditLog.action.like(prefix + "%")).order_by(AuditLog.id)))


def _last_audit(app) -> int:
    from app.models import AuditLog

    with app.app_context():
        return db.session.scalar(select(db.func.max(AuditLog.id))) or 0


def test_staff_edit_is_audited_old_to_new_with_the_citizen_id_masked(app, client_for):
    with app.app_context():
        sid = person("0100", "王五").id
        number = db.session.get(StaffMember, sid).citizen_id
        db.session.commit()
    last = _last_audit(app)
    c = client_for("dongcheng_filler")
    post_form(c, f"/staff/edit/{sid}", {"name": "王五", "education": "本科", "status": "调离", **EDIT_EXTRA},
              f"/staff/edit/{sid}")
    (entry,) = _audit_since(app, last, "staff.")
    assert entry.action == "staff.update" and entry.object_type == "staff_member" and entry.object_id == sid
    changes = entry.detail["changes"]
    assert changes["status"] == ["在职", "调离"] and changes["left_on"][0] is None and changes["left_on"][1]
    assert number not in str(entry.detail) and "citizen_id" not in changes
    # the id itself is not editable (edit_columns); a new person's row keeps it masked
    last = _last_audit(app)
    new_id = make_id("19900101", "456")
    post_form(c, "/staff/add", {"name": "钱七", "citizen_id": new_id, "education": "本科", **EDIT_EXTRA}, "/staff/add")
    (created,) = _audit_since(app, last, "staff.")
    assert created.action == "staff.create" and created.detail["citizen_id"] == mask(new_id)
    assert new_id not in str(created.detail) and created.detail["name"] == "钱七"


def test_certificate_add_edit_delete_are_audited(app, client_for):
    with app.app_context():
        sid = person("0100", "赵六").id
        db.session.commit()
    last = _last_audit(app)
    c = client_for("admin")
    form = {"staff": str(sid), "cert_type": "行政复议人员资格证", "number": "FY-001", "issuer": "市政府",
            "issue_date": "2024-01-01", "valid_until": "2027-01-01", "status": "有效"}
    assert post_form(c, "/certificates/add", form, "/certificates/add").status_code == 302
    with app.app_context():
        cid = db.session.scalar(select(Certificate.id).where(Certificate.number == "FY-001"))
    assert post_form(c, f"/certificates/edit/{cid}", {**form, "valid_until": "2029-01-01"},
                     f"/certificates/edit/{cid}").status_code == 302
    assert post_form(c, f"/certificates/delete/{cid}", {}, "/certificates/list/").status_code == 302
    entries = _audit_since(app, last, "certificate.")
    assert [e.action for e in entries] == ["certificate.create", "certificate.update", "certificate.delete"]
    assert entries[0].detail["number"] == "FY-001" and entries[0].username == "admin"
    assert entries[1].detail == {"changes": {"valid_until": ["2027-01-01", "2029-01-01"]}}
    assert entries[2].detail["valid_until"] == "2029-01-01"
