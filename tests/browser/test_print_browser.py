"""Issue 19 in a real browser: a unit's filer opens the print view of her filing from the filing
page, as she would; the print view loads only the portal's own files, shows the official form
with its sign-off block, and Chromium's own print (page.pdf, the page's CSS paper size) gives
A4 pages with the page numbers. The analysis page draws the report's figures."""

from __future__ import annotations

import io

from pypdf import PdfReader

from app.extensions import db
from tests.browser.test_browser import login
from tests.engine_helpers import drive
from tests.helpers import reconsideration_values
from tests.print_helpers import pages_text, paper_of, squeeze


def test_filer_prints_her_filing_from_the_filing_page(app, live_server, page):
    with app.app_context():
        fid = drive("reconsideration", "0100", "2025H1", reconsideration_values(), "submitted").id
        db.session.commit()
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    login(page, live_server, "dongcheng_filler")
    page.goto(live_server.url(f"/filings/{fid}"))
    with page.expect_navigation():
        page.click("#print-links a:has-text('打印预览')")
    assert page.url.endswith(f"/filings/{fid}/print")
    assert page.locator("h1.doc-title").inner_text() == "行政复议案件情况统计表"
    assert "单位负责人" in page.locator(".signoff").inner_text()
    assert page.locator(".watermark").count() == 0  # signed off: no 草稿
    page.screenshot(path="/tmp/i19-print-view.png", full_page=False)
    assert not seen["errors"], seen["errors"]
    assert not [u for u in seen["requests"] if not live_server.is_own(u)], "requests left the portal"
    assert any(u.endswith("/static/print.css") for u in seen["requests"])
    # the browser's own print of the print view: the stylesheet's A4 pages and page numbers
    pdf = page.pdf(prefer_css_page_size=True)
    assert paper_of(pdf) == {"A4 portrait"}
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert "单位负责人" in squeeze("".join(pages_text(pdf)))
