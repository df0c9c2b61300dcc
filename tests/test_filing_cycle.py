"""Issue 3 acceptance 1 and 2: the full cycle for 东城区 over HTTP, and every forbidden move."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, CorrectionRequest, Filing
from tests.engine_helpers import audit_actions, audit_count, drive, snapshot, user
from tests.helpers import penalty_values, post_form


def _fid(resp) -> int:
    return int(re.search(r"/filings/(\d+)", resp.headers["Location"]).group(1))


def _act(client, fid, action, **extra):
    page = client.get(f"/filings/{fid}").get_data(as_text=True)
    version = re.search(r'name="_version" value="(\d+)"', page).group(1)
    return post_form(client, f"/filings/{fid}/act", {"action": action, "_version": version, **extra},
                     f"/filings/{fid}")


def _state(app, fid):
    with app.app_context():
        return db.session.get(Filing, fid).state


def test_full_cycle_for_dongcheng(app, client_for):
    # Four accepted quarters of history, so that a jump raises the 3× warning.
    with app.app_context():
        for key in ("2025Q2", "2025Q3", "2025Q4", "2026Q1"):
            drive("penalty", "0100", key, penalty_values(100))
        db.session.commit()
    filler = client_for("dongcheng_filler")
    approver = client_for("dongcheng_approver")
    reviewer = client_for("reviewer")

    resp = post_form(filler, "/filings/penalty/open", {"period": "2026Q2"}, "/filings/penalty/")
    fid = _fid(resp)
    values = penalty_values(500)  # 5× the unit's average: a warning
    resp = post_form(filler, f"/filings/{fid}/edit", values, f"/filings/{fid}/edit")
    assert resp.status_code == 302
    page = filler.get(f"/filings/{fid}").get_data(as_text=True)
    assert "超过本单位前4期平均值" in page and "「处罚决定总数」" in page

    # Submitting without an explanation is refused; with one it goes to the approver.
    _act(filler, fid, "submit")
    assert _state(app, fid) == "draft"
    _act(filler, fid, "submit", _explanation="本季度开展专项整治，处罚数量大幅增加")
    assert _state(app, fid) == "pending"

    # The approver signs off; the reviewer returns it with a reason.
    _act(approver, fid, "sign_off")
    assert _state(app, fid) == "submitted"
    _act(reviewer, fid, "return")  # reason missing → refused
    assert _state(app, fid) == "submitted"
    _act(reviewer, fid, "return", comment="请核实罚款金额")
    assert _state(app, fid) == "returned"
    assert "请核实罚款金额" in filler.get("/").get_data(as_text=True)

    # The filler fixes the amount (the filing goes back to draft), resubmits, it is accepted.
    values["amount_fines"] = "61000.00"
    post_form(filler, f"/filings/{fid}/edit", values, f"/filings/{fid}/edit")
    assert _state(app, fid) == "draft"
    _act(filler, fid, "submit")
    _act(approver, fid, "sign_off")
    _act(reviewer, fid, "accept")
    assert _state(app, fid) == "accepted"

    # A correction request: old → new shown to the reviewer, approved → revision 2.
    values["k_other"], values["decisions_total"], values["proc_summary"] = "3", "503", "453"
    resp = post_form(filler, f"/filings/{fid}/correct", {**values, "_reason": "漏报3件"},
                     f"/filings/{fid}/correct")
    assert resp.status_code == 302
    page = reviewer.get(f"/filings/{fid}").get_data(as_text=True)
    assert "漏报3件" in page and "500" in page and "503" in page
    with app.app_context():
        cid = db.session.scalar(select(CorrectionRequest.id).where(CorrectionRequest.filing_id == fid))
    post_form(reviewer, f"/filings/corrections/{cid}/decide", {"decision": "approve"}, f"/filings/{fid}")

    with app.app_context():
        f = db.session.get(Filing, fid)
        from app.filing.values import current_values, revisions

        assert f.state == "accepted" and f.revision == 2
        assert [r for r, _ in revisions(f)] == [1, 2]
        assert revisions(f)[0][1]["decisions_total"] == 500
        assert current_values(f)["decisions_total"] == 503
        assert current_values(f)["amount_fines"] == 6_100_000
        steps = [(t.action, t.from_state, t.to_state, t.username) for t in f.transitions]
        assert steps == [
            ("submit", "draft", "pending", "dongcheng_filler"),
            ("sign_off", "pending", "submitted", "dongcheng_approver"),
            ("return", "submitted", "returned", "reviewer"),
            ("reopen", "returned", "draft", "dongcheng_filler"),
            ("submit", "draft", "pending", "dongcheng_filler"),
            ("sign_off", "pending", "submitted", "dongcheng_approver"),
            ("accept", "submitted", "accepted", "reviewer"),
        ]
        assert f.transitions[2].comment == "请核实罚款金额"
        assert f.explanation == "本季度开展专项整治，处罚数量大幅增加"
        assert audit_actions(fid) == [
            "filing.create", "filing.values", "filing.submit", "filing.sign_off", "filing.return",
            "filing.values", "filing.reopen", "filing.submit", "filing.sign_off", "filing.accept",
            "filing.values",
        ]
        changed = db.session.scalars(select(AuditLog).where(
            AuditLog.object_id == fid, AuditLog.action == "filing.values").order_by(AuditLog.id)).all()
        assert changed[1].detail["changes"]["amount_fines"] == [5_000_000, 6_100_000]
        assert changed[2].detail["changes"]["decisions_total"] == [500, 503]
        assert changed[2].detail["source"] == "correction"
        decided = db.session.scalar(select(AuditLog).where(AuditLog.action == "correction.approved"))
        assert decided.username == "reviewer"


ROLE_MOVES = [
    # (state the filing is in, action, who tries it) — each must be refused
    ("draft", "submit", "dongcheng_approver"),
    ("draft", "submit", "reviewer"),
    ("draft", "submit", "leader"),
    ("draft", "submit", "gongan_filler"),       # other unit
    ("draft", "sign_off", "dongcheng_approver"),  # wrong state
    ("draft", "accept", "reviewer"),
    ("pending", "sign_off", "dongcheng_filler"),
    ("pending", "sign_off", "gongan_approver"),
    ("pending", "sign_off", "reviewer"),
    ("pending", "accept", "reviewer"),
    ("pending", "submit", "dongcheng_filler"),  # double submit
    ("submitted", "accept", "dongcheng_approver"),
    ("submitted", "accept", "leader"),
    ("submitted", "return", "dongcheng_filler"),
    ("submitted", "sign_off", "dongcheng_approver"),  # double sign-off
    ("accepted", "return", "reviewer"),
    ("accepted", "accept", "reviewer"),
    ("accepted", "submit", "dongcheng_filler"),
    ("draft", "bogus", "dongcheng_filler"),
]


@pytest.mark.parametrize("state,action,who", ROLE_MOVES)
def test_forbidden_transition_changes_nothing(app, client_for, state, action, who):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q2", penalty_values(), state).id
        db.session.commit()
        before = snapshot(fid)
        n_audit = audit_count()
    client = client_for(who)
    page = client.get(f"/filings/{fid}")
    if who.startswith("gongan"):
        assert page.status_code == 404
    resp = post_form(client, f"/filings/{fid}/act",
                     {"action": action, "comment": "x", "_explanation": "x"}, "/")
    assert resp.status_code in (302, 403, 404)
    with app.app_context():
        assert snapshot(fid) == before
        assert audit_count() == n_audit


def test_engine_refuses_with_reasons(app):
    from app.filing import workflow
    from app.filing.errors import Conflict, Forbidden

    with app.app_context():
        f = drive("penalty", "0100", "2026Q2", penalty_values(), "pending")
        with pytest.raises(Forbidden):
            workflow.apply(f, "sign_off", user("gongan_approver"))
        with pytest.raises(Conflict, match="待单位审核"):
            workflow.apply(f, "submit", user("dongcheng_filler"))
        with pytest.raises(Conflict, match="刷新"):
            workflow.apply(f, "sign_off", user("dongcheng_approver"), expected_version=f.version - 1)


def test_double_submit_makes_one_transition(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q2", penalty_values(), "draft").id
        db.session.commit()
    c = client_for("dongcheng_filler")
    for _ in range(2):
        post_form(c, f"/filings/{fid}/act", {"action": "submit"}, "/")
    with app.app_context():
        f = db.session.get(Filing, fid)
        assert f.state == "pending" and [t.action for t in f.transitions] == ["submit"]


LOCKED = ["pending", "submitted", "accepted"]


@pytest.mark.parametrize("state", LOCKED)
def test_locked_filing_refuses_every_edit_path(app, client_for, state):
    from app.filing.errors import Conflict
    from app.filing.values import save_values

    with app.app_context():
        fid = drive("penalty", "0100", "2026Q2", penalty_values(), state).id
        db.session.commit()
        before = snapshot(fid)
    changed = penalty_values(100, fines_yuan="1.00")
    c = client_for("dongcheng_filler")
    # web form
    post_form(c, f"/filings/{fid}/edit", changed, "/")
    # API
    token = c.post("/api/v1/security/login", json={"username": "dongcheng_filler",
                                                    "password": "DemoPass@2026!", "provider": "db"}).json
    resp = c.put(f"/api/v1/filings/{fid}/values", json={"values": changed, "version": before[2]},
                 headers={"Authorization": f"Bearer {token['access_token']}"})
    assert resp.status_code == 409 and "修改申请" in resp.json["message"]
    # engine (what the import and any admin path call)
    with app.app_context():
        f = db.session.get(Filing, fid)
        with pytest.raises(Conflict):
            save_values(f, changed, user("dongcheng_filler"))
        db.session.rollback()
        # even an administrator cannot: admins hold no filling capability
        from app.filing.errors import Forbidden

        with pytest.raises(Forbidden):
            save_values(f, changed, user("admin"))
        db.session.rollback()
        assert snapshot(fid) == before
