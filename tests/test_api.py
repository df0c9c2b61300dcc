"""Issue 7 acceptance 3: the API — scope on every endpoint, lock respected, API keys revocable,
page sizes capped, JSON errors, and every response valid against the served OpenAPI spec."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Filing
from tests.engine_helpers import drive, snapshot
from tests.helpers import penalty_values
from tests.openapi_helpers import SpecValidator

PASSWORD = "DemoPass@2026!"


def token(client, username):
    resp = client.post("/api/v1/security/login", json={"username": username, "password": PASSWORD,
                                                        "provider": "db"})
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


@pytest.fixture
def spec(app):
    c = app.test_client()
    resp = c.get("/api/v1/_openapi", headers=token(c, "admin"))
    assert resp.status_code == 200
    return SpecValidator(resp.json)


@pytest.fixture
def data(app):
    with app.app_context():
        dc = drive("penalty", "0100", "2026Q2", penalty_values(), "draft").id
        ga = drive("penalty", "2300", "2026Q2", penalty_values(), "accepted").id
        ga_draft = drive("penalty", "2300", "2026Q1", penalty_values(), "draft").id
        db.session.commit()
    return {"dc": dc, "ga": ga, "ga_draft": ga_draft}


def test_every_endpoint_scoped_and_valid(app, spec, data):
    c = app.test_client()
    h = token(c, "dongcheng_filler")
    calls = [
        ("get", "/api/v1/filings/", "/api/v1/filings/?page_size=100", 200),
        ("get", "/api/v1/filings/{pk}", f"/api/v1/filings/{data['dc']}", 200),
        ("get", "/api/v1/filings/{pk}", f"/api/v1/filings/{data['ga']}", 404),
        ("get", "/api/v1/units/", "/api/v1/units/", 200),
        ("get", "/api/v1/periods/", "/api/v1/periods/?form=penalty", 200),
        ("get", "/api/v1/timeliness/", "/api/v1/timeliness/?form=penalty&period=2026Q2", 200),
        ("get", "/api/v1/staff/", "/api/v1/staff/", 200),
    ]
    for method, template, url, status in calls:
        resp = c.get(url, headers=h)
        assert resp.status_code == status, url
        spec.validate(resp, template, method)
        assert "市公安局" not in resp.get_data(as_text=True), url
    units = c.get("/api/v1/units/", headers=h).json["result"]
    # its own unit and 崇文区, which it succeeded in 2010 (closed: expected to file nothing now)
    assert [u["code"] for u in units] == ["0100", "0300"]
    rows = c.get("/api/v1/timeliness/?form=penalty&period=2026Q2", headers=h).json
    assert [r["unit_code"] for r in rows["result"]] == ["0100"] and rows["expected"] == 1
    listing = c.get("/api/v1/filings/?page_size=100", headers=h).json
    assert [r["id"] for r in listing["result"]] == [data["dc"]]


def test_writes_to_other_unit_refused_and_lock_respected(app, spec, data):
    c = app.test_client()
    h = token(c, "dongcheng_filler")
    with app.app_context():
        before = snapshot(data["ga_draft"])
    resp = c.put(f"/api/v1/filings/{data['ga_draft']}/values", json={"values": penalty_values()}, headers=h)
    assert resp.status_code == 404
    spec.validate(resp, "/api/v1/filings/{pk}/values", "put")
    resp = c.post(f"/api/v1/filings/{data['ga_draft']}/transition", json={"action": "submit"}, headers=h)
    assert resp.status_code == 404
    with app.app_context():
        assert snapshot(data["ga_draft"]) == before
    # The owner, once accepted: locked through the API too.
    g = token(c, "gongan_filler")
    with app.app_context():
        locked = snapshot(data["ga"])
    resp = c.put(f"/api/v1/filings/{data['ga']}/values", json={"values": penalty_values(120), "version": locked[2]},
                 headers=g)
    assert resp.status_code == 409 and "修改申请" in resp.json["message"]
    spec.validate(resp, "/api/v1/filings/{pk}/values", "put")
    with app.app_context():
        assert snapshot(data["ga"]) == locked


def test_filler_saves_and_submits_through_the_api(app, spec):
    c = app.test_client()
    h = token(c, "dongcheng_filler")
    resp = c.post("/api/v1/filings/", json={"form": "penalty", "period": "2026Q2", "unit_id": 999}, headers=h)
    assert resp.status_code == 200
    spec.validate(resp, "/api/v1/filings/", "post")
    fid, version = resp.json["result"]["id"], resp.json["result"]["version"]
    assert resp.json["result"]["unit_code"] == "0100"
    bad = dict(penalty_values(), k_fine="abc")
    resp = c.put(f"/api/v1/filings/{fid}/values", json={"values": bad, "version": version}, headers=h)
    assert resp.status_code == 400 and "「罚款」" in resp.json["message"] and "k_fine" in resp.json["errors"]
    spec.validate(resp, "/api/v1/filings/{pk}/values", "put")
    resp = c.put(f"/api/v1/filings/{fid}/values", json={"values": penalty_values(), "version": version},
                 headers=h)
    assert resp.status_code == 200 and "amount_fines" in resp.json["changed"]
    assert resp.json["result"]["values"]["amount_fines"] == "50000.00"
    spec.validate(resp, "/api/v1/filings/{pk}/values", "put")
    version = resp.json["result"]["version"]
    resp = c.post(f"/api/v1/filings/{fid}/transition", json={"action": "submit", "version": version}, headers=h)
    assert resp.status_code == 200 and resp.json["result"]["state"] == "pending"
    spec.validate(resp, "/api/v1/filings/{pk}/transition", "post")
    # a filler cannot sign off
    version = resp.json["result"]["version"]
    resp = c.post(f"/api/v1/filings/{fid}/transition", json={"action": "sign_off", "version": version}, headers=h)
    assert resp.status_code == 403
    spec.validate(resp, "/api/v1/filings/{pk}/transition", "post")


@pytest.mark.parametrize("url", [
    "/api/v1/filings/?page=abc", "/api/v1/filings/?form=nope", "/api/v1/filings/?state=nope",
    "/api/v1/periods/", "/api/v1/periods/?form=penalty&from_year=x", "/api/v1/periods/?form=penalty&from_year=1900",
    "/api/v1/timeliness/?form=penalty&period=2026H1", "/api/v1/timeliness/?form=penalty&period=bad",
    "/api/v1/staff/?page_size=x",
])
def test_bad_parameters_get_json_400(app, spec, url):
    c = app.test_client()
    resp = c.get(url, headers=token(c, "reviewer"))
    assert resp.status_code == 400 and resp.json["message"]
    spec.validate(resp, url.split("?")[0].replace("/api/v1/filings/", "/api/v1/filings/"), "get")


def test_page_size_capped(app, spec):
    c = app.test_client()
    resp = c.get("/api/v1/filings/?page_size=100000", headers=token(c, "reviewer"))
    assert resp.status_code == 200 and resp.json["page_size"] == 100


def test_no_password_hash_or_internal_columns(app, data):
    c = app.test_client()
    h = token(c, "reviewer")
    for url in ("/api/v1/filings/?page_size=100", f"/api/v1/filings/{data['ga']}", "/api/v1/units/",
                "/api/v1/staff/"):
        body = c.get(url, headers=h).get_data(as_text=True)
        for word in ("password", "pbkdf2", "scrypt", "created_by", "changed_by", "first_reported_at"):
            assert word not in body, (url, word)


def test_api_key_reads_city_wide_and_revocation_works(app, client_for, spec, data):
    from tests.helpers import post_form

    admin = client_for("security_admin")  # keys of service accounts: the security administrator's
    with app.app_context():
        from app.models import PortalUser

        leader_id = db.session.query(PortalUser).filter_by(username="leader").one().id
    page = post_form(admin, "/apikeys/create", {"name": "领导决策系统", "user_id": str(leader_id), "days": "30"},
                     "/apikeys/").get_data(as_text=True)
    import re

    raw = re.search(r"<code>(sst_[^<]+)</code>", page).group(1)
    c = app.test_client()
    h = {"Authorization": f"Bearer {raw}"}
    resp = c.get("/api/v1/filings/?page_size=100", headers=h)
    assert resp.status_code == 200
    spec.validate(resp, "/api/v1/filings/", "get")
    assert {r["unit_code"] for r in resp.json["result"]} == {"0100", "2300"}  # the leader's whole city
    # a leader's key cannot write
    resp = c.put(f"/api/v1/filings/{data['dc']}/values", json={"values": penalty_values()}, headers=h)
    assert resp.status_code in (401, 403)
    with app.app_context():
        key = app.appbuilder.sm.find_api_keys_for_user(leader_id)[0]
        uuid = key.uuid
    post_form(admin, f"/apikeys/{uuid}/revoke", {}, "/apikeys/")
    assert c.get("/api/v1/filings/", headers=h).status_code == 401
    # a unit user sees and revokes only its own keys
    filler = client_for("dongcheng_filler")
    assert "<td>领导决策系统</td>" not in filler.get("/apikeys/").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Filing).count() == 3
