"""Issue 19 item 1: a unit prints its own filing — PDF and xlsx — in the official layout: the
heading (表号, 制表机关), 填报单位, 报告期, 计量单位 and the sign-off block (单位负责人, 统计负责人,
填表人, 联系电话, 报出日期) filled from the filing's transitions and the unit's record; a filing
not signed off carries a 草稿 watermark; nobody prints another unit's filing."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import PortalUser, Unit
from tests.cycle import act
from tests.helpers import post_form, reconsideration_values
from tests.print_helpers import (
    fonts,
    info,
    keep_sample,
    large_text,
    pages_text,
    paper_of,
    smallest_font_pt,
    soffice_pdf,
    squeeze,
)


def _open(client, form, period, values):
    resp = post_form(client, f"/filings/{form}/open", {"period": period}, f"/filings/{form}/")
    fid = int(re.search(r"/filings/(\d+)", resp.headers["Location"]).group(1))
    resp = post_form(client, f"/filings/{fid}/edit", values, f"/filings/{fid}/edit")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return fid


@pytest.fixture
def signed(app, client_for, units):
    """东城区's 2025H1 行政复议 filing, submitted by the filler and signed off by the approver; the
    unit's record names its 单位负责人 and phone (统计负责人 left empty: the signer stands in)."""
    with app.app_context():
        unit = db.session.get(Unit, units["dongcheng"])
        unit.head_name, unit.stats_head_name, unit.phone = "王建国", None, "010-64001234"
        for name, (last, first) in {"dongcheng_filler": ("李", "小红"), "dongcheng_approver": ("赵", "主任")}.items():
            user = db.session.query(PortalUser).filter_by(username=name).one()
            user.last_name, user.first_name = last, first
        db.session.commit()
    filler = client_for("dongcheng_filler")
    fid = _open(filler, "reconsideration", "2025H1", reconsideration_values())
    act(filler, fid, "submit")
    act(client_for("dongcheng_approver"), fid, "sign_off")
    yield fid
    with app.app_context():
        unit = db.session.get(Unit, units["dongcheng"])
        unit.head_name = unit.stats_head_name = unit.phone = None
        db.session.commit()


def test_signed_filing_pdf_has_the_official_layout_on_a4(app, client_for, signed):
    resp = client_for("dongcheng_filler").get(f"/filings/{signed}/print.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = resp.get_data()
    keep_sample("filing.pdf", pdf)
    assert paper_of(pdf) == {"A4 portrait"}
    pages = pages_text(pdf)
    n = len(pages)
    assert n == int(info(pdf)["Pages"]) >= 2  # the 2024 reconsideration form is long
    for i, page in enumerate(pages, 1):
        flat = squeeze(page)
        assert "行政复议案件情况统计表·" in flat and "表号：法统2表" in flat, f"page {i} header"
        assert f"第{i}页共{n}页" in flat, f"page {i} footer"
    text = squeeze("".join(pages))
    for expected in ("制表机关：北京市人民政府法制办公室", "填报单位（盖章）：", "报告期：2025年上半年",
                     "计量单位：件、人", "单位负责人：王建国", "统计负责人：赵主任", "填表人：李小红",
                     "联系电话：010-64001234"):
        assert expected in text, expected
    assert re.search(r"报出日期：\d{4}年\d{1,2}月\d{1,2}日", text)
    assert "草稿" not in text and not any(large_text(pdf, 60))
    # every font embedded (a CJK font, from the local files), nothing printed under 8 pt
    rows = fonts(pdf)
    assert rows and all(r["emb"] == "yes" for r in rows), rows
    # the @font-face fonts, loaded from the local Noto CJK files (a fallback system font would
    # carry its own name)
    assert {r["name"].split("+")[1] for r in rows} <= {"PortalSans", "PortalSans-Bold", "PortalSerif",
                                                       "PortalSerif-Bold"}, rows
    assert smallest_font_pt(pdf) >= 8


def test_unsigned_filing_prints_with_a_draft_watermark(app, client_for, units):
    filler = client_for("dongcheng_filler")
    fid = _open(filler, "reconsideration", "2025H1", reconsideration_values())
    pdf = filler.get(f"/filings/{fid}/print.pdf").get_data()
    keep_sample("filing-draft.pdf", pdf)
    marks = large_text(pdf, 60)  # the watermark: 草稿 in 110 pt on every page
    assert len(marks) > 1 and all(sorted(m) == sorted("草稿") for m in marks), marks
    pages = pages_text(pdf)
    text = squeeze("".join(pages))
    assert "报出日期：" in text and not re.search(r"报出日期：\d{4}年", text)
    book = load_workbook(io.BytesIO(filler.get(f"/filings/{fid}/print.xlsx").get_data()))
    assert "草稿" in book.active.oddHeader.center.text
    assert any("（草稿）" in str(c.value) for row in book.active.iter_rows(max_row=6) for c in row if c.value)


def test_signed_filing_xlsx_prints_the_same_form(app, client_for, signed):
    resp = client_for("dongcheng_filler").get(f"/filings/{signed}/print.xlsx")
    assert resp.status_code == 200
    data = resp.get_data()
    ws = load_workbook(io.BytesIO(data)).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    joined = squeeze("".join(cells))
    for expected in ("表号：法统2表", "填报单位（盖章）：东城区人民政府法制办公室", "单位负责人：王建国",
                     "填表人：李小红", "联系电话：010-64001234"):
        assert expected in joined, expected
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert "草稿" not in (ws.oddHeader.center.text or "")
    pdf = soffice_pdf(data, ".xlsx")  # as LibreOffice prints it
    keep_sample("filing-xlsx.pdf", pdf)
    assert paper_of(pdf) == {"A4 portrait"}
    pages = pages_text(pdf)
    assert all(f"第{i}页共{len(pages)}页" in squeeze(p) for i, p in enumerate(pages, 1))
    assert "单位负责人：王建国" in squeeze("".join(pages))
    assert smallest_font_pt(pdf) >= 8
    # one page width: every line prints with its value (10 carried over), the corner in full
    assert re.search(r"上期结转\s+1\s+件\s+10\s", pages[0]) and re.search(r"行政赔偿金额\s+\d+\s+元\s+12,000.00",
                                                                         "".join(pages))
    assert "制表机关：北京市人民政府法制办公室" in squeeze(pages[0])


def test_print_view_is_the_same_template(client_for, signed):
    page = client_for("dongcheng_filler").get(f"/filings/{signed}/print").get_data(as_text=True)
    assert "法统2表" in page and "王建国" in page and 'class="watermark"' not in page
    show = client_for("dongcheng_filler").get(f"/filings/{signed}").get_data(as_text=True)
    assert f"/filings/{signed}/print.pdf" in show and f"/filings/{signed}/print.xlsx" in show


@pytest.mark.parametrize("path", ["print", "print.pdf", "print.xlsx"])
def test_no_one_prints_another_units_filing(client_for, signed, path):
    other = client_for("gongan_filler")  # 市公安局: not 东城区
    resp = other.get(f"/filings/{signed}/{path}")
    assert resp.status_code == 404
    assert "王建国".encode() not in resp.get_data()
    # a forged POST is refused the same way, and an unknown id is a 404, not a 500
    assert other.post(f"/filings/{signed}/{path}").status_code in (400, 404, 405)
    assert client_for("dongcheng_filler").get(f"/filings/999999/{path}").status_code == 404
    # the city office sees every unit's filings: it may print this one
    assert client_for("reviewer").get(f"/filings/{signed}/{path}").status_code == 200


def test_download_is_audited(app, client_for, signed):
    from sqlalchemy import select

    from app.models import AuditLog

    client_for("dongcheng_filler").get(f"/filings/{signed}/print.pdf")
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "export.filing")).all()
        assert [(r.object_id, r.detail["format"]) for r in rows] == [(signed, "pdf")]


def test_contacts_come_from_the_units_institution_filing_when_its_record_has_none(app, client_for, units):
    """No 单位负责人 or phone on the unit record: the unit's latest reported 法制机构和人员 filing
    gives them (机构负责人, 联系电话); each line carries its own 计量单位."""
    from tests.test_reporting import put

    with app.app_context():
        put("institution", "0100", "2024", {"setup_form": "standalone", "authorised_posts": 3, "headcount": 2,
                                            "head_name": "张处长", "phone": "010-87654321"}, state="accepted")
        db.session.commit()
    filler = client_for("dongcheng_filler")
    fid = _open(filler, "reconsideration", "2025H1", reconsideration_values())
    ws = load_workbook(io.BytesIO(filler.get(f"/filings/{fid}/print.xlsx").get_data())).active
    joined = squeeze("".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None))
    assert "单位负责人：张处长" in joined and "联系电话：010-87654321" in joined
    units_by_label = {row[0].value: row[2].value for row in ws.iter_rows() if row[1].value is not None}
    assert units_by_label["上期结转"] == "件" and units_by_label["申请人总数"] == "人"
    assert units_by_label["法人或其他组织"] == "个" and units_by_label["行政赔偿金额"] == "元"


def test_heading_settings_per_form_version(app, client_for, units, monkeypatch):
    """批准文号 and 有效期 are printed where set: here for the 2024 version only, not for a filing
    of the 2015 version (2023H2)."""
    monkeypatch.setitem(app.config, "FORM_HEADINGS", {
        "reconsideration@2024": {"approval": "京统函〔2024〕12号", "valid_until": "2027年12月"},
        "reconsideration": {"number": "法统2-1表"}})
    filler = client_for("dongcheng_filler")
    new = _open(filler, "reconsideration", "2025H1", reconsideration_values())
    old = _open(filler, "reconsideration", "2023H2", reconsideration_values(version="2015"))
    page = filler.get(f"/filings/{new}/print").get_data(as_text=True)
    assert "批准文号：京统函〔2024〕12号" in page and "有效期至：2027年12月" in page and "表号：法统2-1表" in page
    page = filler.get(f"/filings/{old}/print").get_data(as_text=True)
    assert "表号：法统2-1表" in page and "批准文号" not in page and "有效期至" not in page


def test_api_prints_only_the_callers_filings(app, signed):
    """GET /api/v1/filings/<id>/document: the same printed form for the unit's own filing (PDF or
    xlsx), 404 for another unit's, 400 for an unknown format; the spec declares each answer."""
    from tests.openapi_helpers import SpecValidator
    from tests.test_api import token

    c = app.test_client()
    spec = SpecValidator(c.get("/api/v1/_openapi", headers=token(c, "admin")).json)
    own, other = token(c, "dongcheng_filler"), token(c, "gongan_filler")
    path = "/api/v1/filings/{pk}/document"
    resp = c.get(f"/api/v1/filings/{signed}/document", headers=own)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    spec.validate(resp, path, "get")
    assert "单位负责人：王建国" in squeeze("".join(pages_text(resp.get_data())))
    resp = c.get(f"/api/v1/filings/{signed}/document?format=xlsx", headers=own)
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    for url, status in ((f"/api/v1/filings/{signed}/document", 404),
                        (f"/api/v1/filings/{signed}/document?format=xlsx", 404),
                        (f"/api/v1/filings/{signed}/document?format=doc", 400),
                        ("/api/v1/filings/999999/document", 404)):
        resp = c.get(url, headers=other)
        assert resp.status_code == status, url
        spec.validate(resp, path, "get")
        assert "王建国" not in resp.get_data(as_text=True)
    assert c.post(f"/api/v1/filings/{signed}/document", headers=own).status_code == 405
    assert c.get(f"/api/v1/filings/{signed}/document").status_code == 401
