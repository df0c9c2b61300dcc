"""The register's pages: register and edit through the form, scope, masking, 督办 and the home page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from app.cases.recon import create_recon_case
from app.extensions import db
from app.models.cases import ReconCase
from tests.case_helpers import case_data, user
from tests.helpers import csrf_token
from tests.staff_helpers import make_id

NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)
ID = make_id("19800101", "011")
MASKED = ID[:6] + "********" + ID[-4:]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _form(**extra) -> dict:
    data = {"receipt_date": "2026-05-20", "receipt_channel": "邮寄", "respondent_name": "东城区城市管理委员会",
            "respondent_level": "区政府部门", "domain": "城市管理", "matter": "行政强制", "act_name": "强制拆除决定",
            "act_number": "东城管强〔2026〕9号", "procedure": "普通程序", "a0_kind": "公民", "a0_name": "王五",
            "a0_id": ID, "a0_phone": "13900000000"}
    data.update(extra)
    return data


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReconCase))


def _make(app, *cases) -> list:
    """Register cases [(username, case_data)] directly; returns (id, case_no, version) each."""
    out = []
    with app.app_context():
        for name, data in cases:
            case = create_recon_case(data, user(name))
            db.session.flush()
            out.append(case)
        db.session.commit()
        return [type("C", (), {"id": c.id, "case_no": c.case_no, "version": c.version}) for c in out]


def test_register_through_the_form_then_edit(client_for, app):
    c = client_for("dongcheng_filler")
    token = csrf_token(c, "/cases/recon/add")
    bad = c.post("/cases/recon/add", data={**_form(intake="受理", intake_date="2026-05-19"), "csrf_token": token})
    assert bad.status_code == 400
    assert "「受理（不予受理）日期」2026-05-19早于「收到申请日期」" in bad.get_data(as_text=True)
    assert _count(app) == 0
    resp = c.post("/cases/recon/add", data={**_form(), "csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(ReconCase)).one()
        db.session.expunge(case)
    assert case.case_no == "京东复〔2026〕1号" and case.matter == "m_enforcement" and case.domain == "um"
    page = c.get(f"/cases/recon/{case.id}").get_data(as_text=True)
    assert ID in page and "2026-05-27" in page  # the filler of the deciding unit sees the id; 5 working days
    edit = c.get(f"/cases/recon/{case.id}/edit").get_data(as_text=True)
    assert f'name="version" value="{case.version}"' in edit
    resp = c.post(f"/cases/recon/{case.id}/edit", data={**_form(intake="受理", intake_date="2026-05-22"),
                                                        "version": case.version, "csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(ReconCase, case.id).intake == "accepted"


def test_other_units_and_roles_are_refused(client_for, app):
    (case,) = _make(app, ("dongcheng_filler", case_data()))
    gongan = client_for("gongan_filler")
    assert gongan.get(f"/cases/recon/{case.id}").status_code == 404
    token = csrf_token(gongan, "/cases/recon/add")
    assert gongan.post(f"/cases/recon/{case.id}/edit", data={**_form(), "version": case.version,
                                                              "csrf_token": token}).status_code == 404
    approver = client_for("dongcheng_approver")
    token = csrf_token(approver, "/")
    resp = approver.post("/cases/recon/add", data={**_form(), "csrf_token": token})
    assert resp.status_code in (302, 403) and _count(app) == 1
    page = approver.get(f"/cases/recon/{case.id}").get_data(as_text=True)  # reads, masked
    assert MASKED in page and ID not in page
    leader = client_for("leader").get(f"/cases/recon/{case.id}").get_data(as_text=True)
    assert MASKED in leader and ID not in leader
    assert case.case_no not in client_for("gongan_approver").get("/cases/recon/?q=张三").get_data(as_text=True)


def test_search_by_number_applicant_id_respondent_and_document(client_for, app):
    other = case_data(act_number="京东住建〔2026〕3号", respondent_name="东城区住房和城乡建设委员会",
                      applicants=[{"kind": "法人或其他组织", "name": "某某物业公司"}])
    a, b = _make(app, ("dongcheng_filler", case_data()), ("dongcheng_filler", other))
    c = client_for("dongcheng_approver")

    def found(q):
        page = c.get("/cases/recon/", query_string={"q": q}).get_data(as_text=True)
        return {x.case_no for x in (a, b) if x.case_no in page}

    assert found(a.case_no) == {a.case_no}
    assert found("张") == {a.case_no}
    assert found(ID) == {a.case_no}
    assert found("东城区住房") == {b.case_no}
    assert found("京东住建") == {b.case_no}
    assert found("某某物业") == {b.case_no}


def test_home_page_and_supervision_list_show_overdue_and_due_cases(client_for, app):
    # 5 working days from 20 May: 27 May, overdue on 1 June; from 29 May: 5 June, due within 7 days
    late, soon, done = _make(app, ("dongcheng_filler", case_data("2026-05-20")),
                             ("dongcheng_filler", case_data("2026-05-29")),
                             ("dongcheng_filler", case_data("2026-05-20", intake="不予受理", intake_date="2026-05-21",
                                                            refusal_reason="超过申请期限")))
    for name in ("reviewer", "dongcheng_filler"):
        home = client_for(name).get("/").get_data(as_text=True)
        assert 'id="home-cases"' in home
        assert late.case_no in home and soon.case_no in home and done.case_no not in home
    sup = client_for("reviewer").get("/cases/recon/supervise").get_data(as_text=True)
    overdue_part = sup.split('id="supervise-overdue"')[1].split("</table>")[0]
    soon_part = sup.split('id="supervise-soon"')[1].split("</table>")[0]
    assert late.case_no in overdue_part and soon.case_no in soon_part and soon.case_no not in overdue_part
    assert late.case_no not in client_for("gongan_filler").get("/cases/recon/supervise").get_data(as_text=True)
