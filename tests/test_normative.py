"""Issue 21, item 1: 规范性文件备案审查 end to end across roles and scope (app.normative on
app.docflow): filing with the text, the deadline computed and shown, 登记 / 不予登记, 审查 with
an opinion, the unit's response against its deadline, 清理, search, statistics, exports, API."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Blob, DocFile, NormativeDoc, Notice
from tests.docflow_helpers import PDF, clean_docflow, created_id, docx_bytes, post_multipart
from tests.scope_helpers import api_token, bearer

TODAY = dt.datetime(2026, 6, 10, 4, 0, tzinfo=dt.UTC)  # noon in Beijing


@pytest.fixture(autouse=True)
def _tidy(app):
    yield
    clean_docflow(app)


def fields(**extra) -> dict:
    return {"title": "关于加强行政执法监督的若干规定", "doc_number": "东政发〔2026〕3号", "issuer": "东城区人民政府",
            "published_on": "2026-05-20", "effective_on": "2026-06-01", "legal_basis": "《行政处罚法》", **extra}


def file_doc(client, **extra) -> int:
    resp = post_multipart(client, "/normative/new", {**fields(**extra), "text_file": (PDF, "规定.pdf")},
                          "/normative/new")
    return created_id(resp, "normative")


def step(client, pk: int, name: str, app, **data):
    with app.app_context():
        version = db.session.get(NormativeDoc, pk).version
    return post_multipart(client, f"/normative/{pk}/act", {"step": name, "version": str(version), **data},
                          "/")


def state(app, pk):
    with app.app_context():
        d = db.session.get(NormativeDoc, pk)
        return d.state


@time_machine.travel(TODAY, tick=False)
def test_whole_cycle_deadlines_notices_and_audit(app, client_for, units):
    unit = client_for("dongcheng_filler")
    office = client_for("reviewer")
    pk = file_doc(unit)
    with app.app_context():
        d = db.session.get(NormativeDoc, pk)
        assert d.unit_id == units["dongcheng"] and d.state == "draft"
        assert d.due_on == dt.date(2026, 6, 19)  # 30 days after 2026-05-20
        assert [f.role for f in db.session.scalars(select(DocFile).where(DocFile.doc_id == pk))] == ["text"]
    # the deadline is shown on the document and on the unit's home page
    assert "2026-06-19" in unit.get(f"/normative/{pk}").get_data(as_text=True)
    home = unit.get("/").get_data(as_text=True)
    assert 'id="normative-due"' in home and "剩 9 天" in home
    # the office cannot take the unit's step, the unit cannot register its own
    step(office, pk, "submit", app)
    assert state(app, pk) == "draft"
    step(unit, pk, "submit", app)
    assert state(app, pk) == "submitted"
    step(unit, pk, "register", app)
    assert state(app, pk) == "submitted"
    # 不予登记 needs a reason, and tells the unit through a notice
    resp = step(office, pk, "reject", app)
    assert state(app, pk) == "submitted"
    assert "「不予登记理由」为必填项" in office.get(resp.headers["Location"]).get_data(as_text=True)
    step(office, pk, "reject", app, reason="缺少合法性审核意见")
    assert state(app, pk) == "rejected"
    home = unit.get("/").get_data(as_text=True)
    assert 'id="normative-returned"' in home and "缺少合法性审核意见" in home
    with app.app_context():
        notice = db.session.scalars(select(Notice)).one()
        assert "不予登记" in notice.title and [t.unit_id for t in notice.targets] == [units["dongcheng"]]
    # the unit files again (on time is judged on the first filing), the office registers and reviews
    step(unit, pk, "submit", app)
    step(office, pk, "register", app)
    resp = step(office, pk, "review", app, result="correct")  # 纠正 without an opinion: refused
    assert state(app, pk) == "registered"
    assert "「审查意见」为必填项" in office.get(resp.headers["Location"]).get_data(as_text=True)
    step(office, pk, "review", app, result="correct", opinion="第五条超越权限，应予纠正",
         opinion_file=(docx_bytes("审查意见书"), "意见书.docx"))
    with app.app_context():
        d = db.session.get(NormativeDoc, pk)
        assert d.state == "awaiting" and d.response_due == dt.date(2026, 7, 10)
        assert d.review_result == "correct"
    page = unit.get(f"/normative/{pk}").get_data(as_text=True)
    assert "2026-07-10" in page and "意见书.docx" in page
    assert 'id="normative-awaiting"' in unit.get("/").get_data(as_text=True)
    with time_machine.travel(dt.datetime(2026, 7, 15, 4, tzinfo=dt.UTC), tick=False):
        late = client_for("dongcheng_filler")  # a new session: the old one idled out in five days
        step(late, pk, "respond", app, response="已修改第五条")
        page = late.get(f"/normative/{pk}").get_data(as_text=True)
        assert 'id="response-status"' in page and "迟报" in page  # answered 5 days after its deadline
    office = client_for("reviewer")
    step(office, pk, "close", app)
    step(office, pk, "mark", app, validity="repealed")  # 废止 needs its date
    with app.app_context():
        assert db.session.get(NormativeDoc, pk).validity == "valid"
    step(office, pk, "mark", app, validity="repealed", validity_on="2026-12-31")
    with app.app_context():
        d = db.session.get(NormativeDoc, pk)
        assert (d.state, d.validity, d.validity_on) == ("closed", "repealed", dt.date(2026, 12, 31))
        actions = [a for (a,) in db.session.execute(select(AuditLog.action).where(
            AuditLog.action.like("normative.%")).order_by(AuditLog.id))]
        assert actions == ["normative.create", "normative.submit", "normative.reject", "normative.submit",
                           "normative.register", "normative.review", "normative.respond", "normative.close",
                           "normative.mark"]


@time_machine.travel(TODAY, tick=False)
def test_bad_files_and_fields_are_refused_with_nothing_saved(app, client_for, monkeypatch):
    unit = client_for("dongcheng_filler")
    cases = [
        ({"text_file": (b"MZ\x90\x00binary", "规定.pdf")}, "内容与扩展名不符"),
        ({"text_file": (b"hello, plain text", "规定.txt")}, "只接受 PDF 或 Word"),
        ({"text_file": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "规定.docx")}, "旧版 Office"),
        ({"text_file": (PDF, "规定.pdf"), "published_on": "2026-13-40"}, "「公布日期」应为日期"),
        ({"text_file": (PDF, "规定.pdf"), "doc_number": ""}, "「文号」为必填项"),
    ]
    for extra, message in cases:
        data = {**fields(), **extra}
        resp = post_multipart(unit, "/normative/new", data, "/normative/new")
        assert resp.status_code == 200 and message in resp.get_data(as_text=True), message
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    resp = post_multipart(unit, "/normative/new", {**fields(), "text_file": (PDF + b" " * 2048, "a.pdf")},
                          "/normative/new")
    assert "超过大小限制" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(NormativeDoc)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(DocFile)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(Blob).where(Blob.purpose == "docfile")) == 0
    # a draft without its text cannot be filed
    resp = post_multipart(unit, "/normative/new", fields(), "/normative/new")
    pk = created_id(resp, "normative")
    step(unit, pk, "submit", app)
    assert state(app, pk) == "draft"


@time_machine.travel(TODAY, tick=False)
def test_another_unit_never_sees_or_touches_the_document(app, client_for, units):
    dongcheng = client_for("dongcheng_filler")
    pk = file_doc(dongcheng)
    with app.app_context():
        fid = db.session.scalars(select(DocFile.id).where(DocFile.doc_id == pk)).one()
    gongan = client_for("gongan_filler")
    for path in (f"/normative/{pk}", f"/normative/{pk}/edit", f"/normative/{pk}/files/{fid}"):
        assert gongan.get(path).status_code == 404, path
    assert "关于加强行政执法监督" not in gongan.get("/normative/").get_data(as_text=True)
    assert "关于加强行政执法监督" not in gongan.get(f"/normative/?unit={units['dongcheng']}").get_data(as_text=True)
    wb = openpyxl.load_workbook(io.BytesIO(gongan.get("/normative/?format=xlsx").data))
    assert "东政发" not in str([c.value for row in wb.active.iter_rows() for c in row])
    stats = gongan.get("/normative/stats?year=2026").get_data(as_text=True)
    assert "东城区" not in stats
    # forged POSTs: a step on another unit's document, an edit, a create naming another unit
    resp = post_multipart(gongan, f"/normative/{pk}/act", {"step": "submit", "version": "1"}, "/normative/")
    assert resp.status_code == 404
    resp = post_multipart(gongan, f"/normative/{pk}/edit", fields(title="篡改"), "/normative/")
    assert resp.status_code == 404
    resp = post_multipart(gongan, "/normative/new", {**fields(), "unit_id": str(units["dongcheng"]),
                                                     "text_file": (PDF, "a.pdf")}, "/normative/new")
    other = created_id(resp, "normative")
    with app.app_context():
        assert db.session.get(NormativeDoc, other).unit_id == units["gongan"]
        assert db.session.get(NormativeDoc, pk).state == "draft" and db.session.get(NormativeDoc, pk).title != "篡改"
    # the API: list, get, step
    h = bearer(api_token(app, "gongan_filler"))
    c = app.test_client()
    ids = [r["id"] for r in c.get("/api/v1/normative-docs/", headers=h).get_json()["result"]]
    assert pk not in ids and other in ids
    assert c.get(f"/api/v1/normative-docs/{pk}", headers=h).status_code == 404
    assert c.post(f"/api/v1/normative-docs/{pk}/transition", headers=h,
                  json={"step": "submit", "version": 1}).status_code == 404
    # the leader reads everything and acts on nothing
    leader = client_for("leader")
    assert leader.get(f"/normative/{pk}").status_code == 200
    step(leader, pk, "submit", app)
    assert state(app, pk) == "draft"


@time_machine.travel(TODAY, tick=False)
def test_api_steps_need_version_and_follow_the_engine(app, units):
    c = app.test_client()
    unit = bearer(api_token(app, "dongcheng_filler"))
    body = {k: v for k, v in fields().items()}
    resp = c.post("/api/v1/normative-docs/", headers=unit, json={**body, "unit_id": units["gongan"]})
    assert resp.status_code == 200, resp.get_json()
    doc = resp.get_json()["result"]
    assert doc["unit_code"] == "0100" and doc["due_on"] == "2026-06-19"
    resp = c.post(f"/api/v1/normative-docs/{doc['id']}/transition", headers=unit, json={"step": "edit", **body})
    assert resp.status_code == 400 and "version" in resp.get_json()["message"]  # no version: nothing written
    resp = c.post(f"/api/v1/normative-docs/{doc['id']}/transition", headers=unit,
                  json={"step": "submit", "version": doc["version"]})
    assert resp.status_code == 400 and "文件文本" in resp.get_json()["message"]  # no text yet
    resp = c.post(f"/api/v1/normative-docs/{doc['id']}/transition", headers=unit,
                  json={"step": "edit", "version": doc["version"] + 5, **body})
    assert resp.status_code == 409


def make_docs(app, plan) -> None:
    """Documents filed and reviewed at the given times, through the domain's write path."""
    from app import normative
    from app.docflow import apply
    from app.models import PortalUser

    for n, (username, published, filed, review) in enumerate(plan):
        with app.test_request_context(), time_machine.travel(
                dt.datetime.fromisoformat(published + "T04:00:00+00:00"), tick=False):
            user = db.session.scalars(select(PortalUser).where(PortalUser.username == username)).one()
            office = db.session.scalars(select(PortalUser).where(PortalUser.username == "reviewer")).one()
            from app.notices.attachments import Checked

            doc = normative.create_doc(user, {**fields(published_on=published, doc_number=f"文号〔{n}〕",
                                                        title=f"文件{n}"),
                                              "text_file": Checked("a.pdf", "pdf", "application/pdf", PDF)})
            db.session.commit()
            if filed:
                with time_machine.travel(filed, tick=False):
                    apply(normative.KIND, doc, "submit", user)
                    if review:
                        apply(normative.KIND, doc, "register", office)
                        apply(normative.KIND, doc, "review", office, data={"result": review, "opinion": "意见"})


PLAN = [  # (user, published, filed at, review)
    ("dongcheng_filler", "2025-03-01", dt.datetime(2025, 3, 20, 4, tzinfo=dt.UTC), "ok"),      # on time
    ("dongcheng_filler", "2025-04-01", dt.datetime(2025, 5, 20, 4, tzinfo=dt.UTC), "revoke"),  # late, 纠错
    ("dongcheng_filler", "2025-05-01", None, None),                                           # missing
    ("gongan_filler", "2025-06-01", dt.datetime(2025, 6, 30, 4, tzinfo=dt.UTC), "correct"),   # day 29: on time
    ("gongan_filler", "2024-06-01", dt.datetime(2024, 6, 2, 4, tzinfo=dt.UTC), None),         # another year
]


def test_search_statistics_and_export_match_an_independent_count(app, client_for, units):
    make_docs(app, PLAN)
    with time_machine.travel(dt.datetime(2026, 1, 10, 4, tzinfo=dt.UTC), tick=False):
        with app.app_context():
            from app.normative.queries import year_stats

            s = year_stats(2025)
            d, g = s[units["dongcheng"]], s[units["gongan"]]
            assert (d.expected, d.filed, d.on_time, d.late, d.missing, d.corrected) == (3, 2, 1, 1, 1, 1)
            assert (g.expected, g.filed, g.on_time, g.late, g.missing, g.corrected) == (1, 1, 1, 0, 0, 1)
            assert d.score == 50.0 and g.score == 100.0  # (1 + 0.5 + 0) / 3
        office = client_for("reviewer")
        page = office.get("/normative/stats?year=2025").get_data(as_text=True)
        assert "东城区" in page and "市公安局" in page
        wb = openpyxl.load_workbook(io.BytesIO(office.get("/normative/stats?year=2025&format=xlsx").data))
        rows = {r[0]: r for r in wb.active.iter_rows(values_only=True) if r and r[0] in ("东城区", "市公安局")}
        assert rows["东城区"][1:6] == (3, 2, 1, 1, 1)
        # search by 文号, name, unit, status
        page = office.get("/normative/?number=〔1〕").get_data(as_text=True)
        assert "文件1" in page and "文件0" not in page
        page = office.get(f"/normative/?unit={units['gongan']}&state=passed").get_data(as_text=True)
        assert "文件3" not in page  # 纠正 awaits the unit's response
        page = office.get(f"/normative/?unit={units['gongan']}&state=awaiting").get_data(as_text=True)
        assert "文件3" in page and "文件4" not in page
        assert "文件2" in office.get("/normative/?title=文件2").get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(db.func.count()).select_from(AuditLog).where(
                AuditLog.action == "export.report")) == 1


def test_filing_limit_is_a_setting(app, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "NORMATIVE_FILING_DAYS", 15)
    with time_machine.travel(TODAY, tick=False):
        pk = file_doc(client_for("dongcheng_filler"))
    with app.app_context():
        assert db.session.get(NormativeDoc, pk).due_on == dt.date(2026, 6, 4)


def test_forms_post_without_csrf_are_refused(app, client_for):
    unit = client_for("dongcheng_filler")
    resp = unit.post("/normative/new", data=fields())
    assert resp.status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(NormativeDoc)) == 0


def test_office_home_counts(app, client_for):
    with time_machine.travel(TODAY, tick=False):
        unit = client_for("dongcheng_filler")
        pk = file_doc(unit)
        step(unit, pk, "submit", app)
    page = client_for("reviewer").get("/").get_data(as_text=True)
    assert 'id="docflow-office"' in page and '<span class="to-register">1</span>' in page


def test_the_office_never_takes_a_units_step_even_holding_a_unit_role(app, units):
    """A city-wide account that also holds the filler's role still files nothing: a unit's steps
    are its own staff's (app.docflow.engine.may), whatever roles an administrator combined."""
    from app import normative
    from app.docflow import apply
    from app.filing.errors import Forbidden
    from app.models import PortalUser
    from app.notices.attachments import Checked
    from app.security import FILLER, REVIEWER

    with app.test_request_context():
        sm = app.appbuilder.sm
        both = sm.add_user("office_filler", "市", "两用", "office_filler@example.org",
                           [sm.find_role(REVIEWER), sm.find_role(FILLER)], "DemoPass@2026!")
        both.unit_id = units["city"]
        db.session.commit()
        with pytest.raises(Forbidden):
            normative.create_doc(both, fields())
        db.session.rollback()
        filler = db.session.scalars(select(PortalUser).where(PortalUser.username == "dongcheng_filler")).one()
        doc = normative.create_doc(filler, {**fields(), "text_file": Checked("a.pdf", "pdf", "application/pdf", PDF)})
        db.session.commit()
        both = db.session.get(PortalUser, both.id)
        with pytest.raises(Forbidden):
            apply(normative.KIND, doc, "submit", both)
        assert db.session.get(NormativeDoc, doc.id).state == "draft"
