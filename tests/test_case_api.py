"""The register's API and export: scope, masking by role, version on writes, spec-valid answers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cases.recon import create_recon_case
from app.extensions import db
from app.models.cases import ReconCase
from tests.case_helpers import case_data, user
from tests.openapi_helpers import SpecValidator
from tests.staff_helpers import make_id
from tests.test_api import token

ID = make_id("19800101", "011")
MASKED = ID[:6] + "********" + ID[-4:]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def spec(app):
    c = app.test_client()
    return SpecValidator(c.get("/api/v1/_openapi", headers=token(c, "admin")).json)


@pytest.fixture
def cases(app):
    with app.app_context():
        own = create_recon_case(case_data(), user("dongcheng_filler"))
        named = create_recon_case(case_data(respondent_unit="0100", respondent_name=""), user("reviewer"))
        other = create_recon_case(case_data(respondent_unit="2300", respondent_name=""), user("gongan_filler"))
        db.session.commit()
        return {"own": own.id, "named": named.id, "other": other.id}


def _ids(resp) -> set[int]:
    return {r["id"] for r in resp.json["result"]}


def test_list_show_scoped_and_ids_masked_unless_the_role_needs_them(app, spec, cases):
    c = app.test_client()
    filler = token(c, "dongcheng_filler")
    resp = c.get("/api/v1/recon_cases/", headers=filler)
    spec.validate(resp, "/api/v1/recon_cases/", "get")
    assert _ids(resp) == {cases["own"], cases["named"]} and resp.json["count"] == 2
    by_id = {r["id"]: r for r in resp.json["result"]}
    assert by_id[cases["own"]]["applicants"][0]["id_number"] == ID  # its own case: in full
    assert by_id[cases["named"]]["applicants"][0]["id_number"] == MASKED  # as respondent: masked
    one = c.get(f"/api/v1/recon_cases/{cases['own']}", headers=filler)
    spec.validate(one, "/api/v1/recon_cases/{pk}", "get")
    assert one.json["result"]["deadline"] == "2026-03-09" and "第30、88条" in one.json["result"]["deadline_rule"]
    missing = c.get(f"/api/v1/recon_cases/{cases['other']}", headers=filler)
    assert missing.status_code == 404
    spec.validate(missing, "/api/v1/recon_cases/{pk}", "get")
    for name in ("leader", "dongcheng_approver"):
        body = c.get("/api/v1/recon_cases/?page_size=100", headers=token(c, name)).get_data(as_text=True)
        assert ID not in body and MASKED in body, name
    leader = c.get("/api/v1/recon_cases/", headers=token(c, "leader"))
    assert _ids(leader) == set(cases.values())
    found = c.get("/api/v1/recon_cases/", query_string={"q": ID}, headers=token(c, "leader"))
    assert _ids(found) == set(cases.values())  # search by the full id works even where it is shown masked
    bad = c.get("/api/v1/recon_cases/?page=x", headers=filler)
    assert bad.status_code == 400


def test_create_and_update_through_the_api(app, spec, cases):
    c = app.test_client()
    filler = token(c, "dongcheng_filler")
    data = case_data("2026-05-20")
    data["unit_id"] = 999  # a forged unit is ignored: the unit is the account's
    resp = c.post("/api/v1/recon_cases/", json=data, headers=filler)
    spec.validate(resp, "/api/v1/recon_cases/", "post")
    assert resp.status_code == 200 and resp.json["result"]["unit_code"] == "0100"
    new = resp.json["result"]
    bad = c.post("/api/v1/recon_cases/", json={**data, "receipt_date": "2026-13-40"}, headers=filler)
    assert bad.status_code == 400 and "「收到申请日期」应为日期" in bad.json["errors"]["receipt_date"]
    spec.validate(bad, "/api/v1/recon_cases/", "post")
    no_version = c.put(f"/api/v1/recon_cases/{new['id']}", json={"hearing": True}, headers=filler)
    assert no_version.status_code == 400 and "version" in no_version.json["message"]
    ok = c.put(f"/api/v1/recon_cases/{new['id']}", headers=filler,
               json={"intake": "受理", "intake_date": "2026-05-22", "version": new["version"],
                     "applicants": new["applicants"]})
    spec.validate(ok, "/api/v1/recon_cases/{pk}", "put")
    assert ok.status_code == 200 and ok.json["result"]["intake"] == "受理"
    assert ok.json["result"]["applicants"][0]["id_number"] == ID
    stale = c.put(f"/api/v1/recon_cases/{new['id']}", json={"hearing": True, "version": new["version"]},
                  headers=filler)
    assert stale.status_code == 409
    spec.validate(stale, "/api/v1/recon_cases/{pk}", "put")
    order = c.put(f"/api/v1/recon_cases/{new['id']}", headers=filler,
                  json={"decided_on": "2026-05-21", "outcome": "维持", "version": ok.json["result"]["version"]})
    assert order.status_code == 400 and "decided_on" in order.json["errors"]
    # other units and roles
    assert c.put(f"/api/v1/recon_cases/{cases['other']}", json={"hearing": True, "version": 1},
                 headers=filler).status_code == 404
    assert c.put(f"/api/v1/recon_cases/{cases['named']}", json={"hearing": True, "version": 1},
                 headers=filler).status_code == 404
    refused = c.post("/api/v1/recon_cases/", json=data, headers=token(c, "leader"))
    assert refused.status_code in (401, 403)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReconCase)) == 4


def test_exports_are_scoped_and_mask_ids_for_roles_without_need(app, client_for, cases):
    def sheet(name, query=""):
        resp = client_for(name).get("/cases/recon/export.xlsx" + query)
        assert resp.status_code == 200
        ws = load_workbook(io.BytesIO(resp.data)).worksheets[0]
        return [[c.value for c in row] for row in ws.iter_rows()]

    def numbers(rows):
        return {cell for row in rows for cell in row if isinstance(cell, str) and cell.startswith("京")
                and "复〔" in cell}

    with app.app_context():
        nos = {k: db.session.get(ReconCase, v).case_no for k, v in cases.items()}
    filler = sheet("dongcheng_filler")
    text = repr(filler)
    assert numbers(filler) == {nos["own"], nos["named"]}
    assert ID in text and MASKED in text  # own case in full, the case it is respondent in masked
    for name in ("leader", "dongcheng_approver"):
        rows = sheet(name)
        assert ID not in repr(rows) and MASKED in repr(rows), name
    assert numbers(sheet("gongan_approver")) == {nos["other"]}
    assert numbers(sheet("leader", "?q=" + nos["other"])) == {nos["other"]}
