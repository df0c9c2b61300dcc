"""The engine's full cycle over HTTP, for any form: every module's test calls this."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import CorrectionRequest, Filing
from tests.engine_helpers import audit_actions
from tests.helpers import post_form

USERS = {"0100": ("dongcheng_filler", "dongcheng_approver"), "2300": ("gongan_filler", "gongan_approver")}


def act(client, fid, action, **extra):
    page = client.get(f"/filings/{fid}").get_data(as_text=True)
    version = re.search(r'name="_version" value="(\d+)"', page).group(1)
    return post_form(client, f"/filings/{fid}/act", {"action": action, "_version": version, **extra},
                     f"/filings/{fid}")


def state(app, fid):
    with app.app_context():
        return db.session.get(Filing, fid).state


def full_cycle(app, client_for, form: str, period_key: str, values: dict, fix: dict, correction: dict,
               unit_code: str = "0100") -> int:
    """Fill, submit, sign off, return, fix, resubmit, accept, request a correction, approve it.

    `fix` changes applied after the return; `correction` the changes requested afterwards.
    Returns the filing id after asserting states, transitions, audit rows and revisions.
    """
    filler_name, approver_name = USERS[unit_code]
    filler, approver, reviewer = client_for(filler_name), client_for(approver_name), client_for("reviewer")
    resp = post_form(filler, f"/filings/{form}/open", {"period": period_key}, f"/filings/{form}/")
    fid = int(re.search(r"/filings/(\d+)", resp.headers["Location"]).group(1))
    resp = post_form(filler, f"/filings/{fid}/edit", values, f"/filings/{fid}/edit")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    act(filler, fid, "submit")
    assert state(app, fid) == "pending"
    act(approver, fid, "sign_off")
    assert state(app, fid) == "submitted"
    act(reviewer, fid, "return", comment="数据需核实")
    assert state(app, fid) == "returned"
    resp = post_form(filler, f"/filings/{fid}/edit", {**values, **fix}, f"/filings/{fid}/edit")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    for who, action in ((filler, "submit"), (approver, "sign_off"), (reviewer, "accept")):
        act(who, fid, action)
    assert state(app, fid) == "accepted"
    resp = post_form(filler, f"/filings/{fid}/correct", {**values, **fix, **correction, "_reason": "更正"},
                     f"/filings/{fid}/correct")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    with app.app_context():
        cid = db.session.scalar(select(CorrectionRequest.id).where(CorrectionRequest.filing_id == fid))
    page = reviewer.get(f"/filings/{fid}").get_data(as_text=True)
    assert "更正" in page and "pending-correction" in page
    post_form(reviewer, f"/filings/corrections/{cid}/decide", {"decision": "approve"}, f"/filings/{fid}")
    with app.app_context():
        from app.filing.values import current_values, revisions

        f = db.session.get(Filing, fid)
        assert (f.state, f.revision) == ("accepted", 2)
        assert [r for r, _ in revisions(f)] == [1, 2]
        spec_values = current_values(f)
        for name, typed in correction.items():
            assert str(spec_values[name]) == typed
        assert [t.action for t in f.transitions] == [
            "submit", "sign_off", "return", "reopen", "submit", "sign_off", "accept"]
        assert audit_actions(fid) == [
            "filing.create", "filing.values", "filing.submit", "filing.sign_off", "filing.return",
            "filing.values", "filing.reopen", "filing.submit", "filing.sign_off", "filing.accept",
            "filing.values"]
    return fid
