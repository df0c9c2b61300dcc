"""The register's pages in Chromium: list, a case with its deadline, the form, 督办, 热点 — no
console errors (CSP), no 5xx; screenshots written to the test's tmp folder."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.cases.recon import create_recon_case
from app.extensions import db
from app.models.cases import ReconCase
from tests.browser.test_browser import login
from tests.case_helpers import case_data, user
from tests.staff_helpers import make_id


def test_register_pages_render_without_console_errors(app, live_server, context, tmp_path):
    on = dt.date.today()
    with app.app_context():
        f = user("dongcheng_filler")
        for i in range(3):
            create_recon_case(case_data((on - dt.timedelta(days=3 + i)).isoformat(), act_number="京东城管罚〔2026〕7号",
                                        applicants=[{"kind": "公民", "name": f"申请人{i}",
                                                     "id_number": make_id("19800101", f"{i:03d}")}]), f)
        db.session.commit()
        cid = db.session.scalar(select(ReconCase.id).order_by(ReconCase.id))
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, "dongcheng_filler")
    for path, marker in (("/cases/recon/", "#cases"), (f"/cases/recon/{cid}", "#deadline"),
                         ("/cases/recon/add", "#case-form"), ("/cases/recon/supervise", "#supervise-overdue"),
                         ("/cases/recon/hotspots", "#repeated-acts"), ("/", "#home-cases")):
        resp = page.goto(live_server.url(path))
        assert resp.status < 400, path
        assert page.locator(marker).count() == 1, path
        page.screenshot(path=str(tmp_path / (path.strip("/").replace("/", "_") or "home")) + ".png", full_page=True)
    assert errors == []
    page.goto(live_server.url("/cases/recon/hotspots"))
    assert "京东城管罚〔2026〕7号" in page.locator("#repeated-acts").inner_text()
    print("screenshots:", tmp_path)
