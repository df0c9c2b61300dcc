"""Issue 2 acceptance: the organisation scope holds everywhere.

东城区's accounts (dongcheng_filler, dongcheng_approver) against 市公安局's records, built by
driving the real engine over HTTP as gongan_filler / gongan_approver. Every refusal is checked
by its effect (the database is unchanged, the other unit's name and figures are absent), with a
positive control where useful (the owner or the municipal office does see the record).

Pattern: DB setup and inspection inside ``with app.app_context():`` (or the helpers in
tests/scope_helpers.py, which open their own), HTTP requests outside it.
"""

from __future__ import annotations

import json
import re
from collections import deque
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import AuditLog, CorrectionRequest, Filing, FormAssignment, PortalUser, Unit
from tests.helpers import csrf_token, penalty_values, post_form
from tests.scope_helpers import (
    act,
    api_token,
    bearer,
    dummy_path,
    filing_state,
    is_login_redirect,
    is_same_origin,
    menu_links,
    open_penalty,
    page_links,
    refused,
    row_count,
    save_penalty,
    select_options,
    table_counts,
    tags,
    url_attrs,
)

# in 市公安局 and its full name 北京市公安局法制处 ("公安局", not "公安": 公安 is also a 行政管理领域
# column of the 2024 reconsideration form, shown to every unit)
OTHER = "公安局"
OTHER_USER = "gongan"  # gongan_filler / gongan_approver usernames in transitions and requests
GONGAN_FINES = "7654321.09"  # a figure that appears nowhere but in 市公安局's filings
UNIT_USERS = ["dongcheng_filler", "dongcheng_approver"]


def text_of(resp) -> str:
    """The response body as text; JSON is re-encoded without ASCII escapes so names are visible,
    and an Excel download is read cell by cell."""
    if resp.is_json:
        return json.dumps(resp.get_json(), ensure_ascii=False)
    data = resp.get_data()
    if data[:2] == b"PK":  # xlsx (a zip): every cell of every sheet
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return data.decode("utf-8", errors="replace")


def assert_nothing_of_gongan(resp, where: str = "") -> None:
    body = text_of(resp)
    for needle in (OTHER, OTHER_USER, "7654321", "7,654,321", "765.43"):
        assert needle not in body, f"{where or resp.request.path}: {needle!r} leaked"


def filing_ids(html: str) -> set[int]:
    """Filing ids linked from a page (/filings/<id>, its edit and correction pages)."""
    return {int(m) for m in re.findall(r'href="/filings/(\d+)(?:/[a-z]*)?"', html)}


# --- fixtures: 市公安局's filings in three states, 东城区's own draft ---------------------------

@pytest.fixture
def gongan(app, client_for, units):
    """市公安局: a draft (2025Q2), a filing awaiting its approver (2025Q3) and one signed off
    and reported (2025Q1), all made through the web pages."""
    filler, approver = client_for("gongan_filler"), client_for("gongan_approver")
    values = penalty_values(fines_yuan=GONGAN_FINES)

    draft = open_penalty(filler, "2025Q2")
    save_penalty(filler, draft, values)

    pending = open_penalty(filler, "2025Q3")
    save_penalty(filler, pending, values)
    act(filler, pending, "submit", _explanation="季度数据说明")

    submitted = open_penalty(filler, "2025Q1")
    save_penalty(filler, submitted, values)
    act(filler, submitted, "submit", _explanation="季度数据说明")
    act(approver, submitted, "sign_off")

    with app.app_context():
        states = {fid: db.session.get(Filing, fid).state for fid in (draft, pending, submitted)}
        units_of = {db.session.get(Filing, fid).unit_id for fid in (draft, pending, submitted)}
    assert states == {draft: "draft", pending: "pending", submitted: "submitted"}
    assert units_of == {units["gongan"]}
    return SimpleNamespace(unit=units["gongan"], draft=draft, pending=pending, submitted=submitted,
                           all=(draft, pending, submitted))


@pytest.fixture
def own(client_for):
    """东城区's own draft for 2025Q2 (the same period as 市公安局's draft)."""
    c = client_for("dongcheng_filler")
    fid = open_penalty(c, "2025Q2")
    save_penalty(c, fid, penalty_values())
    return fid


# --- hand-written filing pages ------------------------------------------------------------------

def test_list_hides_other_units_filings_and_filters_stay_scoped(app, client_for, units, gongan, own):
    d = client_for("dongcheng_filler")
    g = gongan.unit
    queries = ["", "?state=draft", "?state=pending", "?state=submitted", "?year=2025", "?year=2025&sub=2",
               f"?unit={g}", f"?unit={g}&state=draft", f"?unit={g}&state=submitted&year=2025&sub=1",
               f"?unit={g}&state=pending", "?page=2", "?unit=abc&state=nonsense"]
    for q in queries:
        resp = d.get("/filings/penalty/" + q)
        assert resp.status_code == 200, q
        html = resp.get_data(as_text=True)
        assert not filing_ids(html) & set(gongan.all), q
        assert_nothing_of_gongan(resp, q)
        # the unit filter dropdown, when shown, never offers 市公安局
        assert str(g) not in (select_options(html, "unit") or [])

    # positive: 东城区's own draft is listed (by itself) and named
    html = d.get("/filings/penalty/").get_data(as_text=True)
    assert filing_ids(html) == {own} and "东城区" in html
    html = d.get("/filings/penalty/?state=draft&year=2025&sub=2").get_data(as_text=True)
    assert filing_ids(html) == {own}
    # filtering on the other unit yields nothing at all (not the user's own rows either)
    assert filing_ids(d.get(f"/filings/penalty/?unit={g}").get_data(as_text=True)) == set()

    # control: the municipal office's filters do select 市公安局's rows by unit and state
    admin = client_for("admin")
    assert filing_ids(admin.get(f"/filings/penalty/?unit={g}&state=draft").get_data(as_text=True)) \
        == {gongan.draft}
    assert filing_ids(admin.get(f"/filings/penalty/?unit={g}&state=submitted").get_data(as_text=True)) \
        == {gongan.submitted}
    assert filing_ids(admin.get(f"/filings/penalty/?unit={g}").get_data(as_text=True)) == set(gongan.all)
    assert filing_ids(admin.get(f"/filings/penalty/?unit={units['dongcheng']}").get_data(as_text=True)) \
        == {own}


@pytest.mark.parametrize("username", UNIT_USERS)
def test_show_other_units_filing_is_404(app, client_for, gongan, username):
    c = client_for(username)
    for fid in gongan.all:
        resp = c.get(f"/filings/{fid}")
        assert resp.status_code == 404
        assert_nothing_of_gongan(resp)
    # control: the owner sees it, with its name and figures
    html = client_for("gongan_filler").get(f"/filings/{gongan.draft}").get_data(as_text=True)
    assert "市公安局" in html and ("7,654,321" in html or "7654321" in html)


def test_edit_other_units_filing_is_404_and_values_unchanged(app, client_for, gongan):
    d = client_for("dongcheng_filler")
    token = csrf_token(d, "/filings/penalty/")
    for fid in (gongan.draft, gongan.pending):
        before = filing_state(app, fid)
        resp = d.get(f"/filings/{fid}/edit")
        assert resp.status_code == 404
        assert_nothing_of_gongan(resp)
        forged = {**penalty_values(total=120, fines_yuan="1.00"), "csrf_token": token,
                  "_explanation": "越权修改"}
        resp = d.post(f"/filings/{fid}/edit", data=forged)
        assert resp.status_code == 404
        assert filing_state(app, fid) == before


def test_act_on_other_units_filing_is_404_and_state_unchanged(app, client_for, gongan):
    filler, approver = client_for("dongcheng_filler"), client_for("dongcheng_approver")
    attempts = [
        (filler, gongan.draft, {"action": "submit", "_explanation": "x"}),
        (filler, gongan.pending, {"action": "submit"}),
        (approver, gongan.pending, {"action": "sign_off"}),
        (approver, gongan.pending, {"action": "unit_return", "comment": "越权退回"}),
        (approver, gongan.submitted, {"action": "sign_off"}),
        (filler, gongan.submitted, {"action": "reopen"}),
    ]
    for client, fid, data in attempts:
        before = filing_state(app, fid)
        data = {**data, "csrf_token": csrf_token(client, "/filings/penalty/")}
        resp = client.post(f"/filings/{fid}/act", data=data)
        assert resp.status_code == 404, (fid, data["action"])
        assert_nothing_of_gongan(resp)
        assert filing_state(app, fid) == before, (fid, data["action"])
    # control: the same sign-off by 市公安局's own approver moves the filing
    act(client_for("gongan_approver"), gongan.pending, "sign_off")
    assert filing_state(app, gongan.pending)[1] == "submitted"


def test_correction_on_other_units_filing_is_404(app, client_for, gongan):
    d = client_for("dongcheng_filler")
    before = filing_state(app, gongan.submitted)
    resp = d.get(f"/filings/{gongan.submitted}/correct")
    assert resp.status_code == 404
    assert_nothing_of_gongan(resp)
    data = {**penalty_values(total=110), "_reason": "越权修改申请",
            "csrf_token": csrf_token(d, "/filings/penalty/")}
    resp = d.post(f"/filings/{gongan.submitted}/correct", data=data)
    assert resp.status_code == 404
    assert filing_state(app, gongan.submitted) == before
    assert row_count(app, CorrectionRequest) == 0


def test_corrections_list_and_decide_stay_scoped(app, client_for, gongan):
    owner = client_for("gongan_filler")
    data = {**penalty_values(total=110, fines_yuan=GONGAN_FINES), "_reason": "统计口径更正"}
    resp = post_form(owner, f"/filings/{gongan.submitted}/correct", data, f"/filings/{gongan.submitted}/correct")
    assert resp.status_code == 302
    with app.app_context():
        cid = db.session.scalar(select(CorrectionRequest.id).where(CorrectionRequest.filing_id == gongan.submitted))
    assert cid is not None
    before = filing_state(app, gongan.submitted)

    for username in UNIT_USERS:
        c = client_for(username)
        for q in ("", "?state=pending", "?state=approved", "?state=rejected"):
            resp = c.get("/filings/corrections/" + q)
            assert resp.status_code == 200
            assert gongan.submitted not in filing_ids(resp.get_data(as_text=True))
            assert_nothing_of_gongan(resp, q)
        resp = post_form(c, f"/filings/corrections/{cid}/decide", {"decision": "approve", "comment": "x"})
        assert refused(resp)
        assert filing_state(app, gongan.submitted) == before

    # control: the municipal reviewer sees the request
    html = client_for("reviewer").get("/filings/corrections/").get_data(as_text=True)
    assert "市公安局" in html and gongan.submitted in filing_ids(html)


# --- the REST API -------------------------------------------------------------------------------

def test_api_reads_are_scoped(app, client_for, gongan, own):
    api = app.test_client()
    h = bearer(api_token(app, "dongcheng_filler"))
    for q in ("", "?form=penalty", "?form=penalty&state=draft", "?period=2025Q2", "?state=submitted",
              "?page_size=100"):
        resp = api.get("/api/v1/filings/" + q, headers=h)
        assert resp.status_code == 200, q
        ids = {r["id"] for r in resp.get_json()["result"]}
        assert not ids & set(gongan.all), q
        assert_nothing_of_gongan(resp, q)
    body = api.get("/api/v1/filings/", headers=h).get_json()
    assert body["count"] == 1 and [r["id"] for r in body["result"]] == [own]
    assert body["result"][0]["unit_code"] == "0100"
    for fid in gongan.all:
        resp = api.get(f"/api/v1/filings/{fid}", headers=h)
        assert resp.status_code == 404
        assert_nothing_of_gongan(resp)
    # control: 市公安局's own token lists them
    gh = bearer(api_token(app, "gongan_filler"))
    assert {r["id"] for r in api.get("/api/v1/filings/", headers=gh).get_json()["result"]} == set(gongan.all)


def test_api_writes_to_other_units_filing_are_404(app, gongan):
    api = app.test_client()
    h = bearer(api_token(app, "dongcheng_filler"))
    before = filing_state(app, gongan.draft)
    resp = api.put(f"/api/v1/filings/{gongan.draft}/values", headers=h,
                   json={"values": penalty_values(total=120, fines_yuan="1.00")})
    assert resp.status_code == 404
    assert_nothing_of_gongan(resp)
    assert filing_state(app, gongan.draft) == before

    ha = bearer(api_token(app, "dongcheng_approver"))
    for fid, action, headers in ((gongan.draft, "submit", h), (gongan.pending, "sign_off", ha)):
        before = filing_state(app, fid)
        resp = api.post(f"/api/v1/filings/{fid}/transition", headers=headers, json={"action": action})
        assert resp.status_code == 404
        assert filing_state(app, fid) == before


def test_api_create_takes_the_unit_from_the_account(app, units, gongan):
    api = app.test_client()
    h = bearer(api_token(app, "dongcheng_filler"))
    for period in ("2025Q4", "2025Q2"):  # a new period, and one where 市公安局 already has a draft
        before = filing_state(app, gongan.draft)
        resp = api.post("/api/v1/filings/", headers=h, json={
            "form": "penalty", "period": period, "unit_id": units["gongan"], "unit": units["gongan"],
            "unit_code": "2300"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        result = resp.get_json()["result"]
        assert result["unit_code"] == "0100" and result["id"] not in gongan.all
        assert_nothing_of_gongan(resp)
        with app.app_context():
            assert db.session.get(Filing, result["id"]).unit_id == units["dongcheng"]
        assert filing_state(app, gongan.draft) == before
    with app.app_context():
        assert db.session.scalar(select(Filing.unit_id).where(Filing.period_key == "2025Q4")) == units["dongcheng"]
    assert row_count(app, Filing, Filing.unit_id == units["gongan"]) == 3


def test_forged_unit_field_on_open_is_ignored(app, client_for, units, gongan):
    d = client_for("dongcheng_filler")
    for period in ("2025Q4", "2025Q2"):
        fid = open_penalty(d, period, unit=units["gongan"], unit_id=units["gongan"], unit_code="2300")
        assert fid not in gongan.all
        with app.app_context():
            f = db.session.get(Filing, fid)
            assert (f.unit_id, f.period_key) == (units["dongcheng"], period)
    assert row_count(app, Filing, Filing.unit_id == units["gongan"]) == 3
    assert row_count(app, Filing, Filing.unit_id == units["dongcheng"]) == 2


# --- FAB ModelViews ---------------------------------------------------------------------------

@pytest.fixture
def assignment(app, units):
    with app.app_context():
        fa = FormAssignment(unit_id=units["gongan"], form_code="penalty", required=True)
        db.session.add(fa)
        db.session.commit()
        return fa.id


@pytest.mark.parametrize("username", UNIT_USERS)
def test_fab_modelviews_refused_to_unit_users(app, client_for, units, gongan, assignment, username):
    with app.app_context():
        audit_id = db.session.scalar(select(AuditLog.id).where(
            AuditLog.object_type == "filing", AuditLog.object_id == gongan.draft).limit(1))
        unit_name = db.session.get(Unit, units["gongan"]).name
    assert audit_id
    c = client_for(username)
    g = units["gongan"]
    for path in ("/unitmodelview/list/", f"/unitmodelview/show/{g}", f"/unitmodelview/edit/{g}",
                 "/unitmodelview/add", "/unitmodelview/list/?_flt_0_name=公安",
                 "/formassignmentview/list/", f"/formassignmentview/show/{assignment}",
                 f"/formassignmentview/edit/{assignment}", "/formassignmentview/add",
                 "/auditlogview/list/", f"/auditlogview/show/{audit_id}"):
        resp = c.get(path)
        assert refused(resp), (path, resp.status_code)
        assert_nothing_of_gongan(resp, path)

    counts = table_counts(app)
    token = csrf_token(c, "/")
    posts = [
        (f"/unitmodelview/edit/{g}", {"code": "2300", "name": "被篡改", "short_name": "被篡改",
                                      "kind": "department", "valid_from": "2000-01-01"}),
        ("/unitmodelview/add", {"code": "9990", "name": "伪造单位", "short_name": "伪造",
                                "kind": "department", "valid_from": "2020-01-01"}),
        (f"/formassignmentview/edit/{assignment}", {"unit": str(units["dongcheng"]), "form_code": "penalty"}),
        ("/formassignmentview/add", {"unit": str(g), "form_code": "penalty", "required": "y"}),
        (f"/formassignmentview/delete/{assignment}", {}),
        (f"/unitmodelview/delete/{g}", {}),
        (f"/auditlogview/delete/{audit_id}", {}),
    ]
    for path, data in posts:
        resp = c.post(path, data={**data, "csrf_token": token})
        assert refused(resp), (path, resp.status_code)
    assert table_counts(app) == counts
    with app.app_context():
        u = db.session.get(Unit, g)
        assert (u.code, u.name) == ("2300", unit_name)
        fa = db.session.get(FormAssignment, assignment)
        assert (fa.unit_id, fa.required) == (g, True)


@pytest.mark.parametrize("who", ["dongcheng_filler", "admin", None])
def test_modelview_actions_refused(app, client_for, units, assignment, who):
    """POST …/action_post (FAB's bulk action) and …/action/<name>/<pk>: these views declare no
    actions, so every call is refused (unit user, administrator and anonymous alike), never a 500."""
    c = client_for(who) if who else app.test_client()
    token = csrf_token(c, "/" if who else "/login/")
    counts = table_counts(app)
    for view, pk in (("unitmodelview", units["gongan"]), ("formassignmentview", assignment),
                     ("auditlogview", 1)):
        for action in ("delete", "muldelete", "nonexistent"):
            resp = c.post(f"/{view}/action_post", data={"csrf_token": token, "action": action, "rowid": str(pk)})
            assert resp.status_code in (302, 403, 404), (view, action, resp.status_code)
            if who != "admin":
                assert refused(resp)
            resp = c.post(f"/{view}/action/{action}/{pk}", data={"csrf_token": token})
            assert resp.status_code in (302, 403, 404), (view, action, resp.status_code)
            resp = c.get(f"/{view}/action/{action}/{pk}")
            assert resp.status_code in (302, 403, 404), (view, action, resp.status_code)
    assert table_counts(app) == counts
    with app.app_context():
        assert db.session.get(Unit, units["gongan"]).code == "2300"


# --- dropdowns ----------------------------------------------------------------------------------

@pytest.fixture
def dongcheng_child(app, units):
    """A unit below 东城区 (removed after the test with the other extra units)."""
    import datetime as dt

    with app.app_context():
        u = Unit(code="0199", name="东城区某街道法制办（测试）", short_name="东城测试街道", kind="district",
                 parent_id=units["dongcheng"], valid_from=dt.date(2000, 1, 1))
        db.session.add(u)
        db.session.commit()
        return u.id


def test_unit_dropdown_lists_only_own_units(app, client_for, units, gongan, dongcheng_child):
    for username in UNIT_USERS:
        html = client_for(username).get("/filings/penalty/").get_data(as_text=True)
        options = select_options(html, "unit")
        assert options is not None, "the unit filter should show for a unit with sub-units"
        # 东城区, the unit below it, and 崇文区 (closed in 2010; 东城区 is its successor)
        assert set(options) - {""} == {str(units["dongcheng"]), str(dongcheng_child), str(chongwen(app))}
        assert OTHER not in html
    # a unit without sub-units: the dropdown is absent or offers only that unit
    options = select_options(client_for("gongan_filler").get("/filings/penalty/").get_data(as_text=True), "unit")
    assert options is None or set(options) - {""} == {str(units["gongan"])}
    # the municipal office sees every unit
    html = client_for("admin").get("/filings/penalty/").get_data(as_text=True)
    options = set(select_options(html, "unit")) - {""}
    assert {str(units["gongan"]), str(units["dongcheng"]), str(dongcheng_child)} <= options
    assert len(options) == row_count(app, Unit)
    # and admin's FAB relationship dropdown (form assignment → unit) lists all units too
    html = client_for("admin").get("/formassignmentview/add").get_data(as_text=True)
    assert {str(units["gongan"]), str(units["dongcheng"])} <= set(select_options(html, "unit") or [])


def chongwen(app) -> int:
    from app.unit_list import unit_by_code

    with app.app_context():
        return unit_by_code("0300").id


def test_successor_sees_its_predecessors_history_and_others_do_not(app, client_for, units):
    """After the 2010 merger 东城区 answers for 崇文区's filings (as the merged statistics count
    them under 东城区): its users see them, page and API; 市公安局's users still do not."""
    import datetime as dt

    with app.app_context():
        f = Filing(form_code="penalty", unit_id=chongwen(app), period_key="2009Q4", year=2009, sub=4,
                   state="accepted", revision=1, version=1, first_reported_at=dt.datetime(2010, 1, 10))
        db.session.add(f)
        db.session.commit()
        fid = f.id
    try:
        page = client_for("dongcheng_filler").get(f"/filings/{fid}")
        assert page.status_code == 200 and "崇文区" in text_of(page)
        listed = client_for("dongcheng_approver").get(f"/filings/penalty/?year=2009&unit={chongwen(app)}")
        assert fid in filing_ids(listed.get_data(as_text=True))
        api = app.test_client()
        assert api.get(f"/api/v1/filings/{fid}", headers=bearer(api_token(app, "dongcheng_filler"))).status_code == 200
        assert client_for("gongan_filler").get(f"/filings/{fid}").status_code == 404
        assert api.get(f"/api/v1/filings/{fid}", headers=bearer(api_token(app, "gongan_filler"))).status_code == 404
    finally:
        with app.app_context():
            db.session.execute(delete(Filing).where(Filing.id == fid))
            db.session.commit()


# --- every endpoint is reviewed -----------------------------------------------------------------

# endpoint → the test that covers its scope, or the reason it needs none. "restricted" endpoints
# are refused to unit users outright and are requested by test_restricted_endpoints_refused_*.
UNIT_ENDPOINTS = {
    "HomeView.index": "test_unit_user_never_sees_other_unit_name",
    "FilingView.index": "test_list_hides_other_units_filings_and_filters_stay_scoped",
    "FilingView.open": "test_forged_unit_field_on_open_is_ignored",
    "FilingView.show": "test_show_other_units_filing_is_404",
    "FilingView.edit": "test_edit_other_units_filing_is_404_and_values_unchanged",
    "FilingView.copy_previous": "tests/test_filler_ux.py::test_copy_previous_only_into_an_editable_draft",
    "FilingView.accept_batch": "tests/test_review_ux.py::test_batch_denied_without_csrf_role_or_scope",
    "ReportView.sources": "tests/test_leader_ux.py::test_sources_keep_to_the_scope",
    "FilingView.act": "test_act_on_other_units_filing_is_404_and_state_unchanged",
    "FilingView.correct": "test_correction_on_other_units_filing_is_404",
    "FilingView.corrections": "test_corrections_list_and_decide_stay_scoped",
    "FilingApi.get_list": "test_api_reads_are_scoped",
    "FilingApi.get": "test_api_reads_are_scoped",
    "FilingApi.put_values": "test_api_writes_to_other_units_filing_are_404",
    "FilingApi.transition": "test_api_writes_to_other_units_filing_are_404",
    "FilingApi.post": "test_api_create_takes_the_unit_from_the_account",
    "FilingApi.document": "tests/test_print_filing.py::test_api_prints_only_the_callers_filings",
    # the user's own account pages: no other unit's data
    "PortalUserDBModelView.userinfo": "test_unit_user_never_sees_other_unit_name (own profile)",
    "ResetMyPasswordView.this_form_get": "test_unit_user_never_sees_other_unit_name (own password)",
    "ResetMyPasswordView.this_form_post": "own password only: FAB changes current_user's password",
    "UserInfoEditView.this_form_get": "test_unit_user_never_sees_other_unit_name (own name/email)",
    "UserInfoEditView.this_form_post": "own name/email only: FAB edits current_user",
    # staff register, training, certificates (issue 5)
    "StaffView.list": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "StaffView.show": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "StaffView.edit": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "StaffView.add": "tests/test_staff.py::test_filler_registers_person_in_own_unit_whatever_the_form_says",
    "StaffView.delete": "tests/test_staff.py::test_leavers_are_marked_not_deleted (no can_delete)",
    "StaffView.download": "FAB file column download: the register has no file columns (404)",
    "StaffView.action": "_KnownActionsOnly: no actions declared → 404",
    "StaffView.action_post": "_KnownActionsOnly: no actions declared → 404",
    "CertificateView.list": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "CertificateView.show": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "TrainingRecordView.list": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "TrainingRecordView.show": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "TrainingCourseView.list": "courses are the office's catalogue (no unit data)",
    "TrainingCourseView.show": "courses are the office's catalogue (no unit data)",
    "StaffStatsView.index": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "StaffStatsView.expiring": "tests/test_staff.py::test_expiring_list_exact_around_90_days",
    "StaffStatsView.template": "blank template: no data",
    "StaffStatsView.export": "tests/test_staff.py::test_id_masked_for_non_admins_everywhere (scoped rows)",
    "StaffStatsView.upload": "tests/test_staff_import.py::test_person_of_another_unit_is_refused",
    "StaffStatsView.confirm": "tests/test_staff_import.py::test_import_preview_confirm_and_reimport_changes_nothing",
    "StaffApi.get_list": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    "StaffApi.get": "tests/test_staff.py::test_units_see_only_their_own_staff_trainings_and_certificates",
    # whole citizen ids, one person at a time, audited (issue 22)
    "StaffView.reveal_citizen_id": "tests/test_pii.py::test_others_cannot_see_a_whole_id_and_nothing_is_recorded",
    "StaffApi.citizen_id": "tests/test_pii.py::test_others_cannot_see_a_whole_id_and_nothing_is_recorded",
    # one's own export jobs (issue 20)
    "ExportJobView.show": "tests/test_ops.py::test_a_large_export_runs_as_a_job_and_only_its_owner_downloads_it",
    "ExportJobView.state": "tests/test_ops.py::test_a_large_export_runs_as_a_job_and_only_its_owner_downloads_it",
    "ExportJobView.download": "tests/test_ops.py::test_a_large_export_runs_as_a_job_and_only_its_owner_downloads_it",
    # statistics, reports, dashboard, exports (issue 6)
    "ReportView.index": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.table": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.table_xlsx": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.compare_page": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.compare_xlsx": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.filings_xlsx": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.analysis": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.analysis_docx": "tests/test_reporting_pages.py::test_unit_users_never_see_another_units_figures",
    "ReportView.indicators": "definitions read from the form declarations: no unit data",
    # printed outputs (issue 19)
    "ReportView.table_print": "tests/test_print_reports.py::test_unit_users_print_only_their_own_figures",
    "ReportView.table_pdf": "tests/test_print_reports.py::test_unit_users_print_only_their_own_figures",
    "ReportView.compare_pdf": "tests/test_print_reports.py::test_unit_users_print_only_their_own_figures",
    "ReportView.analysis_pdf": "tests/test_print_reports.py::test_unit_users_print_only_their_own_figures",
    "ReportView.analysis_print": "tests/test_print_reports.py::test_unit_users_print_only_their_own_figures",
    "FilingView.print_html": "tests/test_print_filing.py::test_no_one_prints_another_units_filing",
    "FilingView.print_pdf": "tests/test_print_filing.py::test_no_one_prints_another_units_filing",
    "FilingView.print_xlsx": "tests/test_print_filing.py::test_no_one_prints_another_units_filing",
    "ReportView.trend": "tests/test_indicators.py::test_trend_shows_only_the_users_scope",
    "DashboardView.index": "tests/test_reporting_pages.py::test_dashboard_kpis_and_drill_down",
    "ChartAssetView.plotly": "plotly.min.js served locally (no data)",
    # reference APIs (issue 7)
    "UnitApi.get_list": "tests/test_api.py::test_every_endpoint_scoped_and_valid",
    "PeriodApi.get_list": "periods and deadlines: no unit data",
    "FormApi.get": "form declarations (fields, rates per version): no unit data",
    "TimelinessApi.get": "tests/test_api.py::test_every_endpoint_scoped_and_valid",
    # the statistics feed (issue 23)
    "StatisticsApi.get": "tests/test_statistics_api.py::test_unit_credentials_see_their_own_units_only",
    "StatisticsApi.changes": "tests/test_statistics_api.py::test_unit_credentials_see_their_own_units_only",
    "StatisticsApi.indicators": "indicator definitions from the form declarations: no unit data",
    # Excel templates and import (issue 7)
    "FilingView.template": "tests/test_form_import.py::test_round_trip_unchanged_then_one_cell (own unit only)",
    "FilingView.upload": "tests/test_form_import.py::test_bad_files_refused_and_nothing_written (unit outside scope)",
    "FilingView.confirm_import": "tests/test_form_import.py::test_bad_files_refused_and_nothing_written",
    # notices, feedback, contacts (issue 10)
    "NoticeView.index": "tests/test_notices.py::test_district_notice_not_shown_to_gongan_anywhere",
    "ApiKeysView.index": "own keys only: tests/test_duties.py::test_api_keys_are_minted_for_oneself",
    "ApiKeysView.create": "for oneself only: tests/test_duties.py::test_api_keys_are_minted_for_oneself",
    "ApiKeysView.revoke": "own keys only: tests/test_sessions_end.py, tests/test_api.py (revocation)",
    "NoticeView.show": "tests/test_notices.py::test_district_notice_not_shown_to_gongan_anywhere",
    "NoticeView.download": "tests/test_notices.py::test_district_notice_not_shown_to_gongan_anywhere",
    "FeedbackView.index": "tests/test_notices.py::test_dongcheng_cannot_reach_gongan_feedback_on_any_path",
    "FeedbackView.show": "tests/test_notices.py::test_dongcheng_cannot_reach_gongan_feedback_on_any_path",
    "FeedbackView.download": "tests/test_notices.py::test_dongcheng_cannot_reach_gongan_feedback_on_any_path",
    "FeedbackView.reply": "tests/test_notices.py::test_dongcheng_cannot_reach_gongan_feedback_on_any_path",
    "FeedbackView.new": "tests/test_notices.py::test_feedback_takes_unit_from_account_and_leaders_have_none",
    "ContactsView.index": "tests/test_notices.py::test_contacts_shown_to_every_role_and_kept_by_admin (no unit data)",
    "ReconCaseApi.get_list": "tests/test_case_api.py::test_list_show_scoped_and_ids_masked_unless_the_role_needs_them",
    "ReconCaseApi.get": "tests/test_case_api.py::test_list_show_scoped_and_ids_masked_unless_the_role_needs_them",
    "ReconCaseApi.post": "tests/test_case_api.py::test_create_and_update_through_the_api (unit from the account)",
    "ReconCaseApi.put": "tests/test_case_api.py::test_create_and_update_through_the_api",
    "LitigationCaseView.list": "tests/test_case_repeats.py::test_litigation_pages_are_scoped",
    "LitigationCaseView.show": "tests/test_case_repeats.py::test_litigation_pages_are_scoped",
    "LitigationCaseView.add": "tests/test_case_repeats.py::test_litigation_pages_are_scoped (unit from the account)",
    "LitigationCaseView.edit": "tests/test_case_repeats.py::test_litigation_pages_are_scoped",
    "ReconCaseView.list": "tests/test_case_pages.py::test_other_units_and_roles_are_refused",
    "ReconCaseView.show": "tests/test_case_pages.py::test_other_units_and_roles_are_refused",
    "ReconCaseView.add": "tests/test_case_pages.py::test_other_units_and_roles_are_refused (unit from the account)",
    "ReconCaseView.edit": "tests/test_case_pages.py::test_other_units_and_roles_are_refused",
    "ReconCaseView.export": "tests/test_case_api.py::test_exports_are_scoped_and_mask_ids_for_roles_without_need",
    "ReconCaseView.hotspots": "tests/test_case_repeats.py::test_hotspots_page_is_scoped_and_drills_down",
    "ReconCaseView.template": "the blank import template (no data)",
    "ReconCaseView.upload": "tests/test_case_import.py::test_import_is_all_or_nothing_with_cell_errors",
    "ReconCaseView.confirm": "tests/test_case_import.py::test_import_is_all_or_nothing_with_cell_errors",
    "ReconCaseView.supervise":
        "tests/test_case_pages.py::test_home_page_and_supervision_list_show_overdue_and_due_cases",
    "ReconCaseView.figure":
        "tests/test_case_statistics.py::test_hand_filed_figures_that_differ_are_flagged_for_the_reviewer",
    # 规范性文件备案审查, 信息报送 (issue 21, app.docflow)
    **{f"NormativeDocView.{m}": "tests/test_normative.py::test_another_unit_never_sees_or_touches_the_document"
       for m in ("index", "show", "edit", "act", "download", "stats", "new")},
    **{f"NormativeDocApi.{m}": "tests/test_normative.py::test_another_unit_never_sees_or_touches_the_document"
       for m in ("get_list", "get", "post", "transition")},
    **{f"InfoItemView.{m}": "tests/test_info_assessment.py::test_submit_edit_adopt_instruct_score_and_scope"
       for m in ("index", "show", "edit", "act", "download", "ranking", "new")},
    **{f"InfoItemApi.{m}": "tests/test_info_assessment.py::test_submit_edit_adopt_instruct_score_and_scope"
       for m in ("get_list", "get", "post", "transition")},
}
PUBLIC_ENDPOINTS = {
    "static": "portal static files (no data)",
    "appbuilder.static": "FAB static files (no data)",
    "favicon": "the site icon (no data)",
    "AuthDBView.login": "login page; CSRF on its POST: test_login_post_without_csrf_is_refused",
    "AuthDBView.logout": "logout",
    "LocaleView.index": "language switch: stores the locale in the session",
    "UtilView.back": "redirect to the previous page of the session",
    "SecurityApi.login": "JWT login (used by the API tests)",
    "SecurityApi.refresh": "JWT refresh: needs a refresh token, returns a token for the same user",
    "healthz": "liveness: {status: ok}, no data (tests/test_ops.py::test_healthz_and_readyz)",
    "readyz": "readiness: database and Redis ok or not, no data",
    "metrics_endpoint": "Prometheus figures for internal addresses only: test_metrics_for_internal_addresses_only",
}
RESTRICTED_PREFIXES = {
    # portal views for administrators / the municipal office only
    "UnitModelView.": "admin (list/show also reviewer, leader): test_fab_modelviews_refused_to_unit_users",
    "FormAssignmentView.": "admin only: test_fab_modelviews_refused_to_unit_users",
    "AuditLogView.": "admin only: test_fab_modelviews_refused_to_unit_users",
    "TrainingCourseView.": "add/edit/delete: administrators keep the course catalogue",
    "TrainingRecordView.": "add/edit/delete/action: administrators keep participation records",
    "CertificateView.": "add/edit/delete/action: administrators keep certificates",
    "SwaggerView.": "FAB Swagger UI: administrators and leaders",
    "OpenApi.": "FAB OpenAPI spec: administrators and leaders, for the decision system (can_get on OpenApi)",
    "NoticeView.new": "can_publish (office): tests/test_notices.py::test_unit_users_cannot_publish_or_edit",
    "NoticeView.edit": "can_publish (office): tests/test_notices.py::test_unit_users_cannot_publish_or_edit",
    "NoticeView.remove_attachment": "can_publish (office): test_office_edits_notice_and_removes_attachment",
    "FeedbackView.status": "can_answer (office): test_dongcheng_cannot_reach_gongan_feedback_on_any_path",
    "DivisionView.": "admin only: tests/test_notices.py::test_contacts_shown_to_every_role_and_kept_by_admin",
    "ContactView.": "admin only: tests/test_notices.py::test_contacts_shown_to_every_role_and_kept_by_admin",
    "TimelinessView.": "municipal office (can_read on Timeliness): not granted to unit roles",
    "HolidayView.": "admin only: the holiday calendar of the legal time limits",
    "FilingView.decide": "can_review (municipal reviewer): test_corrections_list_and_decide_stay_scoped",
    "AssessmentView.": "年度考核: the office and leaders (can_read on Assessment), not unit roles",
    "InfoItemView.briefs": "法治信息简报 (many units' items): city-wide users only, 404 to units",
    "InfoItemView.brief_file": "法治信息简报 (many units' items): city-wide users only, 404 to units",
    "InfoItemView.compile": "can_review on InfoItem (the office): tests/test_info_assessment.py",
    # FAB's security views and APIs: administrators only
    "PortalUserDBModelView.": "FAB user admin",
    "RoleModelView.": "FAB security view",
    "PermissionModelView.": "FAB security view",
    "ViewMenuModelView.": "FAB security view",
    "PermissionViewModelView.": "FAB security view",
    "UserGroupModelView.": "FAB security view",
    "ResetPasswordView.": "FAB: reset another user's password",
    "MenuApi.": "FAB menu API (can_get on MenuApi: admin only)",
}
# FAB's security REST API is off (FAB_ADD_SECURITY_API); tests/test_duties.py walks it switched on.


def _restricted(endpoint: str) -> bool:
    if endpoint in UNIT_ENDPOINTS or endpoint in PUBLIC_ENDPOINTS:
        return False
    return any(endpoint == p or (p.endswith(".") and endpoint.startswith(p)) for p in RESTRICTED_PREFIXES)


def _restricted_rules(app):
    return [r for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule) if _restricted(r.endpoint)]


def test_every_endpoint_is_reviewed(app):
    """A new endpoint fails here until it is added to one of the reviewed lists above (and covered)."""
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    unreviewed = sorted(e for e in endpoints
                        if e not in UNIT_ENDPOINTS and e not in PUBLIC_ENDPOINTS and not _restricted(e))
    assert not unreviewed, f"endpoints without a reviewed scope test: {unreviewed}"
    # the lists hold no stale entries, and every named test exists
    stale = sorted((set(UNIT_ENDPOINTS) | set(PUBLIC_ENDPOINTS)) - endpoints)
    stale += sorted(p for p in RESTRICTED_PREFIXES if not any(
        e == p or (p.endswith(".") and e.startswith(p)) for e in endpoints))
    assert not stale, f"reviewed endpoints that no longer exist: {stale}"
    import importlib

    for note in UNIT_ENDPOINTS.values():
        name = note.split()[0]
        if "::" in name:  # a test in another module: tests/test_x.py::test_y
            module, test = name.split("::")
            mod = importlib.import_module(module.removesuffix(".py").replace("/", "."))
            assert hasattr(mod, test), f"no test {name}"
        else:
            assert not name.startswith("test_") or name in globals(), f"no test {name}"


def test_restricted_endpoints_refused_to_unit_user_get(app, client_for, gongan):
    """GET every restricted rule that answers GET (dummy 1 for path arguments) as
    dongcheng_filler, by session and, for the API, by JWT: refused (login redirect, 401, 403,
    404), never 200 and never 500; nothing written. (Rules without GET: next test.)"""
    c = client_for("dongcheng_filler")
    h = bearer(api_token(app, "dongcheng_filler"))
    counts = table_counts(app)
    failures, tried = [], 0
    for rule in _restricted_rules(app):
        if "GET" not in rule.methods:
            continue
        path = dummy_path(rule)
        for label, kwargs in (("session", {}), ("jwt", {"headers": h})):
            if label == "jwt" and not path.startswith("/api/"):
                continue
            tried += 1
            try:
                resp = c.get(path, **kwargs)
            except Exception as exc:  # TESTING propagates exceptions: a would-be 500
                failures.append(f"{rule.endpoint} GET {path} ({label}): raised {exc!r}")
                continue
            ok = refused(resp)
            if rule.endpoint.endswith(".action"):
                # FAB refuses a GET action under CSRF with a flash and a redirect back
                ok = ok or (resp.status_code == 302 and is_same_origin(resp.headers["Location"]))
            if not ok:
                failures.append(f"{rule.endpoint} GET {path} ({label}): {resp.status_code}")
            elif OTHER in text_of(resp):
                failures.append(f"{rule.endpoint} GET {path} ({label}): shows {OTHER}")
    assert tried > 50
    assert not failures, "\n".join(failures)
    assert table_counts(app) == counts


def test_restricted_endpoints_refused_to_unit_user_other_methods(app, client_for, units, gongan):
    """The same rules by their own write methods (POST with a valid CSRF token, PUT/DELETE with
    a JWT): refused, nothing written, never a 500."""
    c = client_for("dongcheng_filler")
    token = csrf_token(c, "/")
    h = bearer(api_token(app, "dongcheng_filler"))
    counts = table_counts(app)
    failures = []
    for rule in _restricted_rules(app):
        path = dummy_path(rule)
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            try:
                if path.startswith("/api/"):
                    resp = c.open(path, method=method, headers=h, json={"name": "x", "unit_id": units["gongan"]})
                else:
                    resp = c.open(path, method=method, data={"csrf_token": token, "action": "delete",
                                                             "rowid": "1", "name": "x"})
            except Exception as exc:  # TESTING propagates exceptions: a would-be 500
                failures.append(f"{rule.endpoint} {method} {path}: raised {type(exc).__name__}: {exc}")
                continue
            if not refused(resp):
                failures.append(f"{rule.endpoint} {method} {path}: {resp.status_code}")
    assert table_counts(app) == counts
    assert not failures, "\n".join(failures)


# --- GET must not delete; login needs CSRF ------------------------------------------------------

def test_get_on_delete_routes_changes_nothing(app, client_for, units, assignment):
    """GET …/delete/<pk> on every FAB ModelView, as admin, on a real row: nothing is deleted
    (CSRF makes delete POST-only, or the route refuses)."""
    views = {v.__class__.__name__: v for v in app.appbuilder.baseviews}
    wanted = {"UnitModelView": units["gongan"], "FormAssignmentView": assignment}
    with app.app_context():
        wanted["PortalUserDBModelView"] = db.session.scalar(
            select(PortalUser.id).where(PortalUser.username == "dongcheng_filler"))
    admin = client_for("admin")
    delete_rules = [r for r in app.url_map.iter_rules() if r.endpoint.endswith(".delete") and "<pk>" in r.rule
                    and not r.rule.startswith("/api/")]
    assert {"UnitModelView.delete", "FormAssignmentView.delete"} <= {r.endpoint for r in delete_rules}
    for rule in delete_rules:
        view = views[rule.endpoint.split(".")[0]]
        model = view.datamodel.obj
        with app.app_context():
            pk = wanted.get(type(view).__name__) or db.session.scalar(
                select(model.id).order_by(model.id.desc()).limit(1)) or 1
        counts = table_counts(app)
        resp = admin.get(rule.rule.replace("<pk>", str(pk)))
        assert resp.status_code in (302, 403, 404, 405), (rule.endpoint, resp.status_code)
        assert table_counts(app) == counts, rule.endpoint
    with app.app_context():
        assert db.session.get(Unit, units["gongan"]) is not None
        assert db.session.get(FormAssignment, assignment) is not None


def test_login_post_without_csrf_is_refused(app):
    with app.app_context():
        before = db.session.scalar(select(PortalUser.login_count).where(PortalUser.username == "dongcheng_filler"))
    for token in (None, "forged-token"):
        c = app.test_client()
        assert c.get("/login/").status_code == 200  # a session exists, but its token is not sent
        data = {"username": "dongcheng_filler", "password": "DemoPass@2026!"}
        if token:
            data["csrf_token"] = token
        resp = c.post("/login/", data=data)
        assert resp.status_code != 302 or is_login_redirect(resp)
        assert is_login_redirect(c.get("/")), "no session login without a CSRF token"
        assert refused(c.get("/filings/penalty/"))
    with app.app_context():
        after = db.session.scalar(select(PortalUser.login_count).where(PortalUser.username == "dongcheng_filler"))
    assert after == before
    # control: the same form with the session's token does log in
    c = app.test_client()
    resp = c.post("/login/", data={"username": "dongcheng_filler", "password": "DemoPass@2026!",
                                   "csrf_token": csrf_token(c, "/login/")})
    assert resp.status_code == 302 and not is_login_redirect(resp)
    assert c.get("/").status_code == 200


# --- nothing from outside the portal ------------------------------------------------------------

ROLE_USERS = ["admin", "reviewer", "leader", "dongcheng_filler", "dongcheng_approver"]
THIRD_PARTY_HOSTS = ("gstatic.", "googleapis.", "google.com/jsapi", "cdnjs.", "jsdelivr.", "unpkg.",
                     "bootcdn.", "staticfile.org", "cdn.bootcss", "fonts.googleapis", "use.fontawesome")


def _menu_pages(client) -> list[str]:
    return ["/"] + menu_links(client.get("/").get_data(as_text=True))


def _assets(html: str) -> tuple[set[str], set[str]]:
    """(scripts, stylesheets) a page loads."""
    scripts, styles = set(), set()
    for tag, attrs in tags(html):
        if tag == "script" and attrs.get("src"):
            scripts.add(attrs["src"])
        if tag == "link" and "stylesheet" in attrs.get("rel", "") and attrs.get("href"):
            styles.add(attrs["href"])
    return scripts, styles


@pytest.mark.parametrize("username", ROLE_USERS)
def test_menu_pages_load_nothing_from_outside(app, client_for, gongan, username):
    c = client_for(username)
    pages = _menu_pages(c)
    assert len(pages) > 2, pages
    styles, broken = set(), []
    for page in pages:
        resp = c.get(page)
        if resp.status_code != 200:
            broken.append((page, resp.status_code))
            continue
        html = resp.get_data(as_text=True)
        outside = [(t, a, u) for t, a, u in url_attrs(html) if not is_same_origin(u)]
        assert not outside, f"{page} refers outside the portal: {outside}"
        # inline styles and <style> blocks: no url() or @import from elsewhere
        for url in re.findall(r"""url\(\s*['"]?([^'")]+)""", html) + re.findall(r"""@import\s+['"]([^'"]+)""", html):
            assert is_same_origin(url), f"{page}: {url}"
        styles |= _assets(html)[1]
    for href in sorted(styles):
        resp = c.get(href)
        assert resp.status_code == 200, f"stylesheet {href}: {resp.status_code}"
        css = resp.get_data(as_text=True)
        refs = re.findall(r"""url\(\s*['"]?([^'")]+)""", css) + re.findall(r"""@import\s+['"]([^'"]+)""", css)
        outside = [u for u in refs if not is_same_origin(u)]
        assert not outside, f"{href} loads {outside}"
    # every page the role's menu offers opens (a menu link that is refused is a bug)
    assert not broken, f"menu pages of {username} that do not open: {broken}"


@pytest.mark.parametrize("username", ROLE_USERS)
def test_menu_pages_scripts_pull_no_third_party_code(app, client_for, username):
    """A same-origin script can still be a loader for a CDN (e.g. the Google Charts loader
    fetching from www.gstatic.com): the scripts the menu pages load name no CDN host."""
    c = client_for(username)
    loaders = []
    for page in _menu_pages(c):
        for src in sorted(_assets(c.get(page).get_data(as_text=True))[0]):
            js = c.get(src).get_data(as_text=True)
            hosts = sorted({h for h in THIRD_PARTY_HOSTS if h in js})
            if hosts:
                loaders.append(f"{page} loads {src}, which fetches from {hosts}")
    assert not loaders, "\n".join(loaders)


# --- a unit user never sees another unit's name -------------------------------------------------

@pytest.mark.parametrize("username", UNIT_USERS)
def test_unit_user_never_sees_other_unit_name(app, client_for, gongan, own, username):
    # 市公安局 also has a request and a returned filing: items a unit's home page lists
    owner = client_for("gongan_filler")
    post_form(owner, f"/filings/{gongan.submitted}/correct",
              {**penalty_values(total=110, fines_yuan=GONGAN_FINES), "_reason": "更正"}, "/")
    act(client_for("gongan_approver"), gongan.pending, "unit_return", comment="请核对公安局数据")
    assert filing_state(app, gongan.pending)[1] == "returned"

    c = client_for(username)
    start = ["/", "/users/userinfo/", "/resetmypassword/form", "/userinfoeditview/form"]
    start = list(dict.fromkeys(start + menu_links(c.get("/").get_data(as_text=True))))
    seen, queue, visited, broken = set(start), deque(start), [], []
    while queue and len(visited) < 120:
        path = queue.popleft()
        resp = c.get(path)
        visited.append((path, resp.status_code))
        assert_nothing_of_gongan(resp, path)
        if resp.status_code not in (200, 302):
            broken.append((path, resp.status_code))
            continue
        if resp.status_code == 302:
            target = urlsplit(resp.headers["Location"])
            assert target.netloc in ("", "localhost") and not is_login_redirect(resp), (path, target)
            nxt = [target.path + (f"?{target.query}" if target.query else "")]
        elif resp.mimetype == "text/html":
            nxt = page_links(resp.get_data(as_text=True), path)
        else:
            nxt = []
        for link in nxt:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    paths = {p for p, _ in visited}
    # the walk reached the unit's own filing and the filing lists of every form in the menu
    assert f"/filings/{own}" in paths and "/filings/penalty/" in paths and "/filings/corrections/" in paths
    for path in ("/", "/filings/penalty/", f"/filings/{own}"):
        assert "东城区" in c.get(path).get_data(as_text=True), path
    # the user's own pages open (their profile shows their own unit)
    assert not broken, f"pages linked for {username} that do not open: {broken}"
    assert "东城区" in c.get("/users/userinfo/").get_data(as_text=True)
