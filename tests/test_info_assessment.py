"""Issue 21, items 2-4: 信息报送 end to end across roles and scope (sanitised bodies, attachments,
adoption, 领导批示, scores, ranking, the 简报 issue as docx and PDF), the leaders' dashboard cards,
and the annual assessment page checked against an independent count."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import DocFile, InfoItem, Notice
from tests.docflow_helpers import PDF, clean_docflow, created_id, post_multipart
from tests.scope_helpers import api_token, bearer

TODAY = dt.datetime(2026, 6, 10, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _tidy(app):
    yield
    clean_docflow(app)


def new_item(client, **extra) -> int:
    data = {"title": "东城区推行行政执法三项制度", "category": "practice",
            "body": '<p>全面推行<strong>公示</strong>制度。</p><script>alert(1)</script><p onclick="x()">第二段</p>',
            **extra}
    return created_id(post_multipart(client, "/info/new", data, "/info/new"), "info")


def step(client, pk, name, app, **data):
    with app.app_context():
        version = db.session.get(InfoItem, pk).version
    return post_multipart(client, f"/info/{pk}/act", {"step": name, "version": str(version), **data}, "/")


@time_machine.travel(TODAY, tick=False)
def test_submit_edit_adopt_instruct_score_and_scope(app, client_for, units, monkeypatch):
    unit, office = client_for("dongcheng_filler"), client_for("reviewer")
    pk = new_item(unit, files=(PDF, "材料.pdf"))
    with app.app_context():
        item = db.session.get(InfoItem, pk)
        assert "<script" not in item.body and "onclick" not in item.body and "<strong>公示</strong>" in item.body
        assert item.unit_id == units["dongcheng"]
        fid = db.session.scalars(select(DocFile.id).where(DocFile.kind == "info", DocFile.doc_id == pk)).one()
    assert unit.get(f"/info/{pk}/files/{fid}").data == PDF
    # a bad attachment is refused, nothing saved
    resp = post_multipart(unit, "/info/new", {"title": "x", "category": "news", "body": "正文",
                                              "files": (b"MZ\x90\x00", "a.png")}, "/info/new")
    assert resp.status_code == 200 and "内容与扩展名不符" in resp.get_data(as_text=True)
    step(unit, pk, "submit", app)
    # the office edits (sanitised again), then adopts as 专报 at 省级
    with app.app_context():
        version = str(db.session.get(InfoItem, pk).version)
    resp = post_multipart(office, f"/info/{pk}/edit", {"title": "东城区推行三项制度（编辑）", "category": "practice",
                                                       "body": "<p>编辑后<img src=x onerror=y></p>",
                                                       "version": version}, "/")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    step(office, pk, "adopt", app)  # no adoption type: refused
    with app.app_context():
        assert db.session.get(InfoItem, pk).state == "submitted"
    step(office, pk, "adopt", app, adoption="special", level="province")
    step(office, pk, "instruct", app, instruction="经验很好，请推广。——市长")
    with app.app_context():
        item = db.session.get(InfoItem, pk)
        assert item.title.endswith("（编辑）") and "onerror" not in item.body
        from app.info import points

        assert (item.state, item.adoption, item.level) == ("adopted", "special", "province")
        assert points(item) == 5 + 2 + 5
        assert db.session.scalar(select(db.func.count()).select_from(Notice)) == 2  # adopted, 批示
    with monkeypatch.context() as m:
        m.setitem(app.config, "INFO_SCORES", {"special": 8})
        page = office.get("/info/ranking?year=2026").get_data(as_text=True)
        assert "东城区" in page and ">15<" in page.replace(".0<", "<")
    # another unit: page, file, list, API, export, forged steps
    gongan = client_for("gongan_filler")
    assert gongan.get(f"/info/{pk}").status_code == 404
    assert gongan.get(f"/info/{pk}/files/{fid}").status_code == 404
    assert gongan.get(f"/info/{pk}/edit").status_code == 404
    assert "三项制度" not in gongan.get("/info/").get_data(as_text=True)
    assert "三项制度" not in gongan.get("/info/ranking?year=2026").get_data(as_text=True).replace("计分标准", "")
    wb = openpyxl.load_workbook(io.BytesIO(gongan.get("/info/?format=xlsx").data))
    assert "三项制度" not in str([c.value for r in wb.active.iter_rows() for c in r])
    assert post_multipart(gongan, f"/info/{pk}/act", {"step": "instruct", "version": "1"}, "/").status_code == 404
    h = bearer(api_token(app, "gongan_filler"))
    c = app.test_client()
    assert c.get(f"/api/v1/info-items/{pk}", headers=h).status_code == 404
    assert pk not in [r["id"] for r in c.get("/api/v1/info-items/", headers=h).get_json()["result"]]
    assert gongan.get("/info/briefs").status_code == 404  # an issue holds other units' items
    # the unit cannot adopt its own item through the API either
    hu = bearer(api_token(app, "dongcheng_filler"))
    pk2 = c.post("/api/v1/info-items/", headers=hu, json={"title": "第二条", "category": "news",
                                                          "body": "正文"}).get_json()["result"]["id"]
    r = c.post(f"/api/v1/info-items/{pk2}/transition", headers=hu, json={"step": "submit", "version": 1})
    assert r.status_code == 200 and r.get_json()["result"]["state"] == "submitted"
    r = c.post(f"/api/v1/info-items/{pk2}/transition", headers=hu,
               json={"step": "adopt", "version": r.get_json()["result"]["version"], "adoption": "special",
                     "level": "national"})
    assert r.status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_decline_needs_a_reason_and_shows_on_the_units_home(app, client_for):
    unit, office = client_for("dongcheng_filler"), client_for("reviewer")
    pk = new_item(unit)
    step(unit, pk, "submit", app)
    step(office, pk, "decline", app)
    with app.app_context():
        assert db.session.get(InfoItem, pk).state == "submitted"
    step(office, pk, "decline", app, reason="内容与上期重复")
    home = unit.get("/").get_data(as_text=True)
    assert 'id="info-declined"' in home and "内容与上期重复" in home


@time_machine.travel(TODAY, tick=False)
def test_brief_issue_as_docx_and_pdf(app, client_for):
    from docx import Document

    unit, office = client_for("dongcheng_filler"), client_for("reviewer")
    ids = []
    for n in range(2):
        pk = new_item(unit, title=f"信息{n}")
        step(unit, pk, "submit", app)
        step(office, pk, "adopt", app, adoption="brief", level="city")
        ids.append(pk)
    resp = post_multipart(office, "/info/briefs", {"items": str(ids[0]), "title": ""}, "/info/briefs")
    assert resp.status_code == 302
    with app.app_context():
        from app.models import InfoBrief

        brief = db.session.scalars(select(InfoBrief)).one()
        assert (brief.year, brief.number, [i.id for i in brief.items]) == (2026, 1, [ids[0]])
        bid = brief.id
    # an item already in an issue cannot go into another one
    post_multipart(office, "/info/briefs", {"items": str(ids[0])}, "/info/briefs")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(InfoBrief)) == 1
    data = office.get(f"/info/briefs/{bid}.docx").data
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "法治信息简报" in text and "2026年第1期" in text and "信息0" in text and "信息1" not in text
    assert "alert" not in text and "全面推行公示制度。" in text
    section = doc.sections[0]
    assert abs(section.page_width.cm - 21) < 0.1 and abs(section.page_height.cm - 29.7) < 0.1
    pdf = office.get(f"/info/briefs/{bid}.pdf").data
    assert pdf.startswith(b"%PDF-")
    assert client_for("dongcheng_filler").get(f"/info/briefs/{bid}.docx").status_code == 404


def test_assessment_matches_an_independent_count(app, client_for, units, monkeypatch):
    """The page's figures against a count made here from the rows themselves."""
    from tests.test_normative import PLAN, make_docs

    make_docs(app, PLAN)
    from app.docflow import apply
    from app.info import KIND as INFO_KIND
    from app.info import create_item
    from app.models import PortalUser

    with app.test_request_context(), time_machine.travel(dt.datetime(2025, 9, 1, 4, tzinfo=dt.UTC), tick=False):
        def user(name):
            return db.session.scalars(select(PortalUser).where(PortalUser.username == name)).one()

        for name, adoption, instruction in (("dongcheng_filler", "special", "好"), ("dongcheng_filler", "brief", None),
                                            ("gongan_filler", "brief", None)):
            item = create_item(user(name), {"title": "t", "body": "b", "category": "news"})
            apply(INFO_KIND, item, "submit", user(name))
            apply(INFO_KIND, item, "adopt", user("reviewer"),
                  data={"adoption": adoption, "level": "city", "instruction": instruction})
    monkeypatch.setitem(app.config, "ASSESSMENT_WEIGHTS", {"filing": 0, "normative": 50, "quality": 30, "info": 20})
    with time_machine.travel(dt.datetime(2026, 1, 10, 4, tzinfo=dt.UTC), tick=False):
        leader = client_for("leader")
        wb = openpyxl.load_workbook(io.BytesIO(leader.get("/assessment/?year=2025&format=xlsx").data))
        page = leader.get("/assessment/?year=2025").get_data(as_text=True)
    rows = {r[1]: r for r in wb.active.iter_rows(values_only=True) if r and r[1] in ("东城区", "市公安局")}
    # independent count: 东城区 filed 3 due (on time, late, missing) → (1 + .5 + 0)/3; reviewed 2? no: 1 ok + 1
    # revoke → quality 50; info 5 + 5 (批示) + 2 = 12 of 20 → 60.  市公安局: 1 on time → 100; 1 correct → 0;
    # info 2 → 10.
    d_parts = (50.0, 50.0, 60.0)
    g_parts = (100.0, 0.0, 10.0)
    weights = (50, 30, 20)

    def total(parts):
        return round(sum(w * p for w, p in zip(weights, parts, strict=True)) / sum(weights), 1)

    assert rows["东城区"][3:6] == d_parts and rows["东城区"][6] == total(d_parts)
    assert rows["市公安局"][3:6] == g_parts and rows["市公安局"][6] == total(g_parts)
    assert total(d_parts) == total(g_parts) == 52.0 and rows["东城区"][0] == rows["市公安局"][0] == 1  # a tie
    assert "东城区" in page and str(total(d_parts)) in page
    # units do not reach the assessment; the leader's dashboard carries both cards
    assert client_for("dongcheng_filler").get("/assessment/").status_code in (302, 403)
    with time_machine.travel(dt.datetime(2025, 12, 1, 4, tzinfo=dt.UTC), tick=False):
        dash = client_for("leader").get("/").get_data(as_text=True)
    assert 'id="card-normative"' in dash and 'id="card-info"' in dash
    assert '<strong data-k="expected">4</strong>' in dash and '<strong data-k="adopted">3</strong>' in dash
