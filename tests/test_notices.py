"""Issue 10: notices with read receipts and addressing, feedback, contacts, attachments.

Pattern: data set up and inspected inside ``with app.app_context():``, HTTP requests outside.
Notices and feedback are made through the real pages (multipart POSTs with the CSRF token).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    Attachment,
    Contact,
    Division,
    Feedback,
    FeedbackReply,
    Notice,
    NoticeRead,
    NoticeTarget,
    Unit,
)
from app.models.blob import Blob
from app.notices import audience
from tests.helpers import csrf_token, post_form
from tests.scope_helpers import refused, table_counts

# --- files ---------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT = "各单位：请按时报送。\n联系电话 83970026\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 40
HTML = b"<html><script>alert(1)</script></html>"


def docx_bytes() -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("填报说明")
    d.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "单位"
    wb.save(buf)
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    return buf.getvalue()


def macro_xlsx() -> bytes:
    """An .xlsx package that carries a VBA project."""
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        zf.writestr("xl/vbaProject.bin", b"\x00" * 100)
    return buf.getvalue()


# --- fixtures and helpers ------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _clean_notices(app):
    yield
    with app.app_context():
        db.session.rollback()
        for model in (NoticeRead, NoticeTarget, Attachment, FeedbackReply, Feedback, Notice, Contact, Division):
            db.session.execute(delete(model))
        db.session.commit()
        db.session.execute(delete(Blob))
        db.session.commit()


def stored_files(app) -> list[str]:
    """The keys of the attachment bytes the database holds (app/blobs.py)."""
    with app.app_context():
        return list(db.session.scalars(select(Blob.key).where(Blob.purpose == "attachment")))


def post_files(client, path: str, data: dict, files: list[tuple[bytes, str]] = (), token_from: str = "/"):
    """A multipart POST with the session's CSRF token and (content, filename) files."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, token_from)
    payload["files"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(path, data=payload, content_type="multipart/form-data")


def publish(client, title: str, body: str = "请按时报送。", audience_: str = "all", groups=(), units=(),
            files=()) -> int:
    resp = post_files(client, "/notices/new", {"title": title, "body": body, "audience": audience_,
                                               "groups": list(groups), "units": [str(u) for u in units]}, files)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def file_feedback(client, title: str, category: str = "software", files=(), **extra) -> int:
    resp = post_files(client, "/feedback/new", {"category": category, "title": title,
                                                "description": "页面打不开，提示错误。", **extra}, files)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def attachment_ids(app, **owner) -> list[int]:
    with app.app_context():
        key, value = next(iter(owner.items()))
        return list(db.session.scalars(select(Attachment.id).where(getattr(Attachment, key) == value)
                                       .order_by(Attachment.id)))


def expected_units(app, kinds=None) -> set[str]:
    """Codes of the units that exist today and are not the office (optionally of some kinds)."""
    with app.app_context():
        from app.clock import today

        return {u.code for u in db.session.scalars(select(Unit)) if u.kind != "city_office"
                and u.active_on(today()) and (kinds is None or u.kind in kinds)}


def section(html: str, element_id: str) -> str:
    """The HTML from the element with `element_id` to the end of its block (next 3000 chars)."""
    start = html.index(f'id="{element_id}"')
    return html[start:start + 3000]


def notice_body(html: str) -> str:
    start = html.index('id="notice-body"')
    return html[start:html.index("</div>", start)]


# --- read receipts -------------------------------------------------------------------------------

def test_read_receipts_exact(app, client_for, units):
    reviewer = client_for("reviewer")
    first = publish(reviewer, "关于报送第三季度行政处罚统计数据的通知")
    second = publish(reviewer, "关于核对人员名册的通知")
    everyone = expected_units(app)
    assert {"0100", "2300", "1701"} <= everyone and not {"0000", "0300", "1700"} & everyone  # closed units out

    dc_filler, dc_approver = client_for("dongcheng_filler"), client_for("dongcheng_approver")
    # unread first on the unit's list (newest first within each group), then reading one
    rows = re.findall(r'data-notice="(\d+)"', dc_filler.get("/notices/").get_data(as_text=True))
    assert rows == [str(second), str(first)]
    assert dc_filler.get(f"/notices/{first}").status_code == 200
    assert dc_filler.get(f"/notices/{first}").status_code == 200  # twice: still one receipt
    assert dc_approver.get(f"/notices/{first}").status_code == 200
    html = dc_filler.get("/notices/").get_data(as_text=True)
    assert re.findall(r'data-notice="(\d+)"', html) == [str(second), str(first)]
    assert re.search(rf'class="notice-row unread" data-notice="{second}"', html)
    assert re.search(rf'class="notice-row" data-notice="{first}"', html)
    # the office and leaders reading leave no receipt
    assert reviewer.get(f"/notices/{first}").status_code == 200
    assert client_for("leader").get(f"/notices/{second}").status_code == 200

    with app.app_context():
        rows = db.session.execute(select(NoticeRead.notice_id, NoticeRead.username)).all()
        assert sorted(rows) == [(first, "dongcheng_approver"), (first, "dongcheng_filler")]
        n1, n2 = db.session.get(Notice, first), db.session.get(Notice, second)
        r1 = audience.receipts(n1)
        assert [r.unit.code for r in r1.read] == ["0100"]
        assert [x.username for x in r1.read[0].readers] == ["dongcheng_filler", "dongcheng_approver"]
        assert {u.code for u in r1.unread} == everyone - {"0100"}
        r2 = audience.receipts(n2)
        assert r2.read == [] and {u.code for u in r2.unread} == everyone
        assert audience.read_counts([n1, n2]) == {first: (1, len(everyone)), second: (0, len(everyone))}

    # the office sees it per notice: list counts, and the read / unread units on the notice
    listing = reviewer.get("/notices/").get_data(as_text=True)
    assert f"1 / {len(everyone)}" in listing and f"0 / {len(everyone)}" in listing
    page = reviewer.get(f"/notices/{first}").get_data(as_text=True)
    read_part, unread_part = section(page, "read-units"), page[page.index('id="unread-units"'):]
    assert re.findall(r'data-unit="(\d+)"', read_part.split("</table>")[0]) == ["0100"]
    with app.test_request_context():  # readers by 姓名（单位）, never by login name (app.people)
        from app.people import person

        readers = f"{person('dongcheng_filler')}、{person('dongcheng_approver')}"
    assert readers in read_part and "（东城区）" in readers and "dongcheng_filler" not in read_part
    unread_codes = set(re.findall(r'data-unit="(\d+)"', unread_part.split("</ul>")[0]))
    assert unread_codes == everyone - {"0100"} and "市公安局" in unread_part
    # a unit's user sees no receipts
    assert 'id="read-units"' not in dc_filler.get(f"/notices/{first}").get_data(as_text=True)


def test_addressing_by_kind_and_by_unit(app, client_for, units):
    reviewer = client_for("reviewer")
    districts = publish(reviewer, "区县通知", audience_="kinds", groups=["district_county"])
    departments = publish(reviewer, "部门通知", audience_="kinds", groups=["department"])
    chosen = publish(reviewer, "指定单位通知", audience_="units", units=[units["gongan"]])
    with app.app_context():
        got = {nid: {u.code for u in audience.addressed_units(db.session.get(Notice, nid))}
               for nid in (districts, departments, chosen)}
    assert got[districts] == expected_units(app, {"district", "county"}) and "0100" in got[districts]
    assert got[departments] == expected_units(app, {"department"}) and "2300" in got[departments]
    assert got[chosen] == {"2300"}
    seen = {u: set(map(int, re.findall(r'data-notice="(\d+)"', client_for(u).get("/notices/").get_data(as_text=True))))
            for u in ("dongcheng_filler", "gongan_filler", "reviewer", "leader")}
    assert seen["dongcheng_filler"] == {districts}
    assert seen["gongan_filler"] == {departments, chosen}
    assert seen["reviewer"] == seen["leader"] == {districts, departments, chosen}
    # a unit's user is never told which other units a notice went to
    assert "指定单位" in client_for("gongan_filler").get(f"/notices/{chosen}").get_data(as_text=True)
    assert "市公安局" in reviewer.get(f"/notices/{chosen}").get_data(as_text=True)


def test_bad_addressing_refused_and_nothing_written(app, client_for, units):
    reviewer = client_for("reviewer")
    counts = table_counts(app)
    for data, words in (({"audience": "kinds"}, "请至少选择一种单位类型"),
                        ({"audience": "units"}, "请至少选择一个单位"),
                        ({"audience": "units", "units": [str(units["city"])]}, "所选单位不存在或不能接收通知"),
                        ({"audience": "kinds", "groups": ["nonsense"]}, "未知的单位类型"),
                        ({"audience": ""}, "请选择接收范围"),
                        ({"audience": "all", "title": ""}, "「标题」为必填项"),
                        ({"audience": "all", "body": "<script>x</script>"}, "「正文」为必填项")):
        payload = {"title": "通知", "body": "正文", **data}
        resp = post_files(reviewer, "/notices/new", payload)
        assert resp.status_code == 200 and words in resp.get_data(as_text=True), words
    assert table_counts(app) == counts


# --- a notice to 区县 is not 市公安局's --------------------------------------------------------------

def test_district_notice_not_shown_to_gongan_anywhere(app, client_for, units):
    reviewer = client_for("reviewer")
    title = "关于区县法制办人员信息核对的通知"
    nid = publish(reviewer, title, audience_="kinds", groups=["district_county"], files=[(PDF, "核对表.pdf")])
    public = publish(reviewer, "致全部单位的通知", files=[(TEXT, "说明.txt")])
    (aid,) = attachment_ids(app, notice_id=nid)
    (public_aid,) = attachment_ids(app, notice_id=public)

    for username in ("gongan_filler", "gongan_approver"):
        g = client_for(username)
        for path in ("/notices/", "/"):
            html = g.get(path).get_data(as_text=True)
            assert title not in html and f"/notices/{nid}" not in html, (username, path)
        assert "致全部单位的通知" in g.get("/").get_data(as_text=True)  # control: its own notice is there
        for path in (f"/notices/{nid}", f"/notices/{nid}/attachments/{aid}",
                     f"/notices/{public}/attachments/{aid}",  # forged: a visible notice, another's file
                     f"/notices/{nid}/edit"):
            resp = g.get(path)
            assert refused(resp), (username, path, resp.status_code)
            assert title not in resp.get_data(as_text=True) and PDF not in resp.get_data()
        assert g.get(f"/notices/{public}/attachments/{public_aid}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(NoticeRead.id).where(NoticeRead.notice_id == nid)) is None

    # 东城区 is addressed: list, home page (unread block), show, download
    d = client_for("dongcheng_filler")
    home = d.get("/").get_data(as_text=True)
    assert title in section(home, "unread-notices")
    assert title in d.get("/notices/").get_data(as_text=True)
    resp = d.get(f"/notices/{nid}/attachments/{aid}")
    assert resp.status_code == 200 and resp.get_data() == PDF
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%A0%B8%E5%AF%B9%E8%A1%A8.pdf" in resp.headers["Content-Disposition"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    d.get(f"/notices/{nid}")  # once read, it leaves the home page's unread block
    home = d.get("/").get_data(as_text=True)
    assert title not in home and "致全部单位的通知" in section(home, "unread-notices")
    txt = d.get(f"/notices/{public}/attachments/{public_aid}")
    assert txt.headers["Content-Type"] == "text/plain; charset=utf-8" and txt.get_data() == TEXT


def test_unit_users_cannot_publish_or_edit(app, client_for):
    nid = publish(client_for("reviewer"), "原标题")
    counts = table_counts(app)
    for username in ("dongcheng_filler", "dongcheng_approver", "leader"):
        c = client_for(username)
        assert refused(c.get("/notices/new"))
        assert refused(post_files(c, "/notices/new", {"title": "伪造通知", "body": "x", "audience": "all"}))
        assert refused(post_files(c, f"/notices/{nid}/edit", {"title": "篡改", "body": "x", "audience": "all"}))
    assert table_counts(app) == counts
    with app.app_context():
        assert db.session.get(Notice, nid).title == "原标题"


def test_office_edits_notice_and_removes_attachment(app, client_for, units):
    reviewer = client_for("reviewer")
    nid = publish(reviewer, "原标题", files=[(PNG, "a.png"), (JPEG, "b.jpg")])
    a, _b = attachment_ids(app, notice_id=nid)
    resp = post_files(reviewer, f"/notices/{nid}/edit", {"title": "新标题", "body": "新正文", "audience": "units",
                                                          "units": [str(units["dongcheng"])]},
                      [(xlsx_bytes(), "统计表.xlsx")], f"/notices/{nid}/edit")
    assert resp.status_code == 302
    resp = post_form(reviewer, f"/notices/{nid}/attachments/{a}/delete", {}, f"/notices/{nid}/edit")
    assert resp.status_code == 302
    with app.app_context():
        n = db.session.get(Notice, nid)
        assert (n.title, n.audience, audience.target_unit_ids(n)) == ("新标题", "units", [units["dongcheng"]])
        assert [(x.filename, x.content_type) for x in n.attachments] == [
            ("b.jpg", "image/jpeg"),
            ("统计表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
        keys = {x.storage_key for x in n.attachments}
    assert set(stored_files(app)) == keys  # the removed file's bytes are gone with its row
    assert refused(client_for("gongan_filler").get(f"/notices/{nid}"))


# --- feedback is the unit's own ------------------------------------------------------------------

def test_dongcheng_cannot_reach_gongan_feedback_on_any_path(app, client_for, units):
    g = client_for("gongan_filler")
    title = "公安局报表无法上报"
    fid = file_feedback(g, title, "filing", files=[(PNG, "截图.png")])
    (aid,) = attachment_ids(app, feedback_id=fid)
    own = file_feedback(client_for("dongcheng_filler"), "东城区的问题", "network", files=[(TEXT, "日志.txt")])
    (own_aid,) = attachment_ids(app, feedback_id=own)
    visible_notice = publish(client_for("reviewer"), "致全部单位")
    with app.app_context():
        before = (db.session.get(Feedback, fid).state, db.session.get(Feedback, fid).updated_at)

    for username in ("dongcheng_filler", "dongcheng_approver"):
        d = client_for(username)
        counts = table_counts(app)
        for q in ("", "?state=open", "?category=filing", f"?unit={units['gongan']}", "?page=1"):
            html = d.get("/feedback/" + q).get_data(as_text=True)
            assert title not in html and f"/feedback/{fid}" not in html and "市公安局" not in html, q
        assert "东城区的问题" in d.get("/feedback/").get_data(as_text=True)  # control: its own report
        for path in (f"/feedback/{fid}", f"/feedback/{fid}/attachments/{aid}",
                     f"/feedback/{own}/attachments/{aid}",            # forged: own report, other's file
                     f"/notices/{visible_notice}/attachments/{aid}",  # forged: through a notice
                     f"/feedback/{fid}/attachments/{own_aid}"):
            resp = d.get(path)
            assert refused(resp), (username, path, resp.status_code)
            assert title not in resp.get_data(as_text=True) and PNG not in resp.get_data(), path
        token = csrf_token(d, "/feedback/")
        for path, data in ((f"/feedback/{fid}/reply", {"body": "越权回复"}),
                           (f"/feedback/{fid}/reply", {"body": "越权", "state": "resolved"}),
                           (f"/feedback/{fid}/status", {"state": "resolved"}),
                           (f"/feedback/{fid}/status", {"state": "in_progress", "body": "x"})):
            resp = d.post(path, data={**data, "csrf_token": token})
            assert refused(resp), (username, path, resp.status_code)
            assert title not in resp.get_data(as_text=True)
        assert table_counts(app) == counts
        with app.app_context():
            fb = db.session.get(Feedback, fid)
            assert (fb.state, fb.updated_at) == before and fb.replies == []

    # control: 市公安局 and the office do see and download it
    assert g.get(f"/feedback/{fid}/attachments/{aid}").get_data() == PNG
    resp = client_for("reviewer").get(f"/feedback/{fid}/attachments/{aid}")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/png"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert title in client_for("reviewer").get("/feedback/").get_data(as_text=True)


def test_feedback_takes_unit_from_account_and_leaders_have_none(app, client_for, units):
    fid = file_feedback(client_for("dongcheng_filler"), "伪造单位", unit=str(units["gongan"]),
                        unit_id=str(units["gongan"]))
    with app.app_context():
        assert db.session.get(Feedback, fid).unit_id == units["dongcheng"]
    counts = table_counts(app)
    for username in ("reviewer", "admin"):  # the office answers; it files nothing
        resp = post_files(client_for(username), "/feedback/new", {"category": "other", "title": "x",
                                                                  "description": "y"})
        assert refused(resp)
    leader = client_for("leader")
    assert refused(leader.get("/feedback/")) and refused(leader.get(f"/feedback/{fid}"))
    assert table_counts(app) == counts


def test_feedback_state_machine_and_counts(app, client_for):
    unit, office = client_for("gongan_filler"), client_for("reviewer")
    fid = file_feedback(unit, "网络中断", "network")
    other = file_feedback(client_for("dongcheng_filler"), "数据如何修改", "filing")

    def state():
        with app.app_context():
            return db.session.get(Feedback, fid).state

    assert state() == "open"
    page = f"/feedback/{fid}"
    # a unit cannot move the state, even by forging the field
    post_form(unit, f"{page}/reply", {"body": "补充", "state": "resolved"}, page)
    assert state() == "open"
    assert "只有市司法局可以更改处理状态" in unit.get(page).get_data(as_text=True)
    post_form(office, f"{page}/reply", {"body": "正在排查"}, page)       # answering takes it in hand
    assert state() == "in_progress"
    resp = post_form(office, f"{page}/status", {"state": "open"}, page)  # no way back to open
    assert state() == "in_progress"
    assert "不能从「处理中」改为「待处理」" in office.get(resp.headers["Location"]).get_data(as_text=True)
    post_form(office, f"{page}/status", {"state": "resolved"}, page)
    assert state() == "resolved"
    post_form(unit, f"{page}/reply", {"body": "问题仍然存在"}, page)      # the unit's follow-up reopens
    assert state() == "in_progress"
    post_form(office, f"{page}/reply", {"body": "已修复", "state": "resolved"}, page)
    assert state() == "resolved"
    with app.app_context():
        trail = [(r.author, r.from_office, r.from_state, r.to_state) for r in db.session.get(Feedback, fid).replies]
    assert trail == [("reviewer", True, "open", "in_progress"), ("reviewer", True, "in_progress", "resolved"),
                     ("gongan_filler", False, "resolved", "in_progress"),
                     ("reviewer", True, "in_progress", "resolved")]
    html = unit.get(page).get_data(as_text=True)
    assert "已修复" in html and "已解决" in html

    listing = office.get("/feedback/").get_data(as_text=True)
    counts = section(listing, "feedback-counts")
    net = re.search(r'data-category="network">(.*?)</tr>', counts, re.S).group(1)
    filing = re.search(r'data-category="filing">(.*?)</tr>', counts, re.S).group(1)
    cells = lambda row: re.findall(r'data-state="(\w+)"><a[^>]*>(\d+)</a>', row)  # noqa: E731
    assert cells(net) == [("open", "0"), ("in_progress", "0"), ("resolved", "1")]
    assert cells(filing) == [("open", "1"), ("in_progress", "0"), ("resolved", "0")]
    assert "<strong>2</strong>" in section(listing, "feedback-total")
    assert 'id="feedback-counts"' not in unit.get("/feedback/").get_data(as_text=True)
    assert other


# --- attachments are checked by content ----------------------------------------------------------

BAD_FILES = [
    (PNG, "报表.pdf", "内容与扩展名不符：扩展名为 .pdf，但内容是PNG 图片"),
    (TEXT, "截图.png", "内容与扩展名不符：扩展名为 .png，但内容是纯文本"),
    (EXE, "说明.docx", "扩展名为 .docx，但内容不是Word 文档（.docx）"),
    (plain_zip(), "统计.xlsx", "扩展名为 .xlsx，但内容不是Excel 工作簿（.xlsx）"),
    (docx_bytes(), "统计.xlsx", "扩展名为 .xlsx，但内容是Word 文档（.docx）"),
    (macro_xlsx(), "宏.xlsx", "含有宏，已拒绝"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版.xls", "类型（.xls）不允许上传"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "加密.docx", "已加密或为旧版 Office 格式"),
    (HTML, "页面.html", "类型（.html）不允许上传"),
    (HTML.replace(b"<", b"\x00<"), "伪装.txt", "扩展名为 .txt，但内容不是纯文本"),
    (b"", "空.txt", "是空文件"),
    (PDF, "无扩展名", "类型（无扩展名）不允许上传"),
]


@pytest.mark.parametrize("content,name,words", BAD_FILES, ids=[n for _, n, _ in BAD_FILES])
def test_attachment_refused_by_content_with_message(app, client_for, content, name, words):
    counts = table_counts(app)
    resp = post_files(client_for("reviewer"), "/notices/new",
                      {"title": "带附件的通知", "body": "正文", "audience": "all"},
                      [(TEXT, "好的.txt"), (content, name)])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and words in html and f"附件「{name}」" in html, html[:3000]
    assert "带附件的通知" in html  # the form keeps what was typed
    resp = post_files(client_for("gongan_filler"), "/feedback/new",
                      {"category": "other", "title": "带截图的反馈", "description": "x"}, [(content, name)])
    assert resp.status_code == 200 and words in resp.get_data(as_text=True)
    assert table_counts(app) == counts and stored_files(app) == []


def test_attachment_over_the_limit_refused(app, client_for):
    limit = app.config["ATTACHMENT_MAX_BYTES"]
    counts = table_counts(app)
    big = b"%PDF-1.4\n" + b"0" * (limit - 8)
    assert len(big) == limit + 1
    resp = post_files(client_for("dongcheng_filler"), "/feedback/new",
                      {"category": "other", "title": "大文件", "description": "x"}, [(big, "扫描件.pdf")])
    assert "附件「扫描件.pdf」超过大小限制（5 MB），未上传" in resp.get_data(as_text=True)
    assert table_counts(app) == counts and stored_files(app) == []
    # exactly at the limit is accepted
    fid = file_feedback(client_for("dongcheng_filler"), "大文件", files=[(big[:-1], "扫描件.pdf")])
    with app.app_context():
        (att,) = db.session.get(Feedback, fid).attachments
        assert (att.size, att.content_type) == (limit, "application/pdf")
    (key,) = stored_files(app)
    with app.app_context():
        assert db.session.get(Blob, key).data == big[:-1]


def test_good_attachments_stored_in_the_database_by_random_name(app, client_for):
    files = [(PNG, "../../static/x.png"), (JPEG, "照片.JPG"), (PDF, "文件.pdf"), (docx_bytes(), "说明.docx"),
             (xlsx_bytes(), "表.xlsx")]
    nid = publish(client_for("reviewer"), "五个附件", files=files)
    with app.app_context():
        got = [(a.filename, a.content_type) for a in db.session.get(Notice, nid).attachments]
    assert got == [("x.png", "image/png"), ("照片.JPG", "image/jpeg"), ("文件.pdf", "application/pdf"),
                   ("说明.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                   ("表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    keys = stored_files(app)
    static = Path(app.static_folder).resolve()
    assert len(keys) == 5 and all(re.fullmatch(r"[0-9a-f]{40}", k) for k in keys)
    assert not (static / "x.png").exists()
    too_many = post_files(client_for("reviewer"), "/notices/new", {"title": "六个", "body": "x", "audience": "all"},
                          files + [(TEXT, "6.txt")])
    assert "一次最多上传 5 个附件" in too_many.get_data(as_text=True)


# --- HTML in a notice body cannot run script ----------------------------------------------------

def test_notice_html_cannot_run_script(app, client_for):
    body = ('<p onclick="alert(1)" style="color:red">正文<strong>加粗</strong></p>'
            '<script>alert("x")</script><img src=x onerror="alert(2)">'
            '<a href="javascript:alert(3)">坏链接</a><a href="JaVaScRiPt:alert(4)">坏链接2</a>'
            '<a href="&#106;avascript:alert(5)">坏链接3</a>'
            '<a href="https://www.beijing.gov.cn/">好链接</a>'
            '<iframe src="https://evil.example"></iframe><svg onload="alert(6)"></svg>'
            '<style>body{display:none}</style><form action="https://evil.example"><input name="p"></form>'
            '<ul><li>第一条</li></ul>')
    nid = publish(client_for("reviewer"), "<script>alert('标题')</script>格式测试", body=body)
    with app.app_context():
        stored = db.session.get(Notice, nid).body
    for page_user in ("dongcheng_filler", "reviewer"):
        html = client_for(page_user).get(f"/notices/{nid}").get_data(as_text=True)
        shown = notice_body(html)
        low = shown.lower()
        for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "<img",
                    "<style", "style=", "<form", "<input", "alert("):
            assert bad not in low, (bad, shown)
            assert bad not in stored.lower(), (bad, stored)
        assert "<strong>加粗</strong>" in shown and "<li>第一条</li>" in shown
        assert 'href="https://www.beijing.gov.cn/"' in shown and 'rel="noopener noreferrer nofollow"' in shown
        assert "&lt;script&gt;alert(&#39;标题&#39;)&lt;/script&gt;格式测试" in html
        assert "<script>alert('标题')" not in html
    for path in ("/", "/notices/"):  # the approver has not read it: it is in the home page's unread block
        html = client_for("dongcheng_approver").get(path).get_data(as_text=True)
        assert "<script>alert('标题')" not in html and "&lt;script&gt;alert(" in html


def test_plain_text_body_keeps_paragraphs():
    from app.notices.html import clean

    assert clean("第一段\n第二行\n\n<第二段> & x") == "<p>第一段<br>第二行</p><p>&lt;第二段&gt; &amp; x</p>"


# --- contacts ------------------------------------------------------------------------------------

def test_contacts_shown_to_every_role_and_kept_by_admin(app, client_for):
    from app.demo.notices import DIVISIONS

    with app.app_context():
        for i, (name, duties, people) in enumerate(DIVISIONS):
            d = Division(name=name, duties=duties, sort_order=i)
            d.contacts = [Contact(post=p, name=n, phone=ph) for p, n, ph in people]
            db.session.add(d)
        db.session.commit()
        division = db.session.scalar(select(Division.id).where(Division.name == "秘书处"))
    for username in ("admin", "reviewer", "leader", "dongcheng_filler", "dongcheng_approver", "gongan_filler"):
        html = client_for(username).get("/contacts/").get_data(as_text=True)
        for words in ("秘书处", "监督指导处", "复议应诉指导处", "魏力", "83970021", "尚宝华", "83970062",
                      "张培莉", "65193447", "张澍", "行政处罚情况统计"):
            assert words in html, (username, words)
    counts = table_counts(app)
    d = client_for("dongcheng_filler")
    assert refused(d.get("/contactpeople/list/")) and refused(d.get("/divisions/add"))
    assert refused(post_form(d, "/contactpeople/add", {"division": str(division), "name": "冒充", "phone": "1"}))
    assert table_counts(app) == counts
    resp = post_form(client_for("admin"), "/contactpeople/add",
                     {"division": str(division), "post": "工程师", "name": "王工", "phone": "83970099",
                      "sort_order": "9"}, "/contactpeople/add")
    assert resp.status_code == 302
    assert "83970099" in client_for("leader").get("/contacts/").get_data(as_text=True)


def test_menus_follow_the_roles(app, client_for):
    from tests.scope_helpers import menu_links

    def links(username):
        return set(menu_links(client_for(username).get("/").get_data(as_text=True)))

    assert {"/notices/", "/feedback/", "/contacts/", "/notices/new"} <= links("reviewer")
    unit = links("dongcheng_filler")
    assert {"/notices/", "/feedback/", "/contacts/"} <= unit and "/notices/new" not in unit
    leader = links("leader")
    assert {"/notices/", "/contacts/"} <= leader and "/feedback/" not in leader
    assert {"/divisions/list/", "/contactpeople/list/"} <= links("admin")


# --- demo ----------------------------------------------------------------------------------------

def test_demo_notices_feedback_and_contacts(app, client_for):
    from app.demo.notices import load_notices_demo

    with app.app_context():
        result = load_notices_demo()
        assert result["divisions"] == 3 and result["feedback"] >= 3
        assert {f.state for f in db.session.scalars(select(Feedback))} == {"open", "in_progress", "resolved"}
        people = {(c.division.name, c.name, c.phone) for c in db.session.scalars(select(Contact))}
        assert ("秘书处", "尤睿", "83970026") in people and ("复议应诉指导处", "李浩", "65193445") in people
        assert ("监督指导处", "程行仑", "83970060") in people
        titles = [n.title for n in db.session.scalars(select(Notice))]
        assert any("行政处罚" in t for t in titles) and any("行政复议" in t for t in titles)
        assert load_notices_demo() == {"notices": 0}  # a second run adds nothing
    # the demo's 区县 notice is 东城区's, not 市公安局's
    assert "关于区县政府法制机构人员信息核对的通知" in client_for("dongcheng_filler").get("/notices/").get_data(
        as_text=True)
    assert "关于区县政府法制机构人员信息核对的通知" not in client_for("gongan_filler").get("/notices/").get_data(
        as_text=True)
    assert len(stored_files(app)) == 2
