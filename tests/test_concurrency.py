"""Issue 8, Reliability — concurrency: racing reviewers, two tabs on one draft, deadline day.

Every race runs real concurrent sessions: threads, each with its own test client (so its own
app context, session and database connection). A barrier placed inside the engine (after the
filing is loaded, before anything is written) makes the racers overlap for certain: both have
read the same version before either writes, so the version column — not luck — decides.
On PostgreSQL the loser's UPDATE blocks on the winner's row lock, then finds the version gone;
on SQLite the writers are serialised by the database lock and the outcome is the same.
"""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.filing import corrections, workflow
from app.filing import timeliness as timeliness_module
from app.filing import values as values_module
from app.filing.periods import Period
from app.models import AuditLog, CorrectionRequest, Filing, FilingTransition
from app.security import REVIEWER
from tests.concurrency_helpers import (
    add_account,
    add_fillers,
    filing_counts,
    jwt,
    meet_inside,
    run_together,
)
from tests.engine_helpers import drive, snapshot, user
from tests.helpers import csrf_token, penalty_values

CONFLICT_WORDS = ("已被他人", "刷新")


def _version_of(html: str) -> str:
    return re.search(r'name="_version" value="(\d+)"', html).group(1)


def _audits(fid: int) -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.object_type == "filing", AuditLog.object_id == fid).order_by(AuditLog.id)))


def _second_reviewer(app):
    with app.app_context():
        add_account("reviewer2", REVIEWER, "0000")


def test_two_reviewers_at_once_api_one_wins_other_409(app, monkeypatch):
    _second_reviewer(app)
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "submitted").id
        steps_before = len(db.session.get(Filing, fid).transitions)
    clients = [app.test_client(), app.test_client()]
    heads = [jwt(clients[0], "reviewer"), jwt(clients[1], "reviewer2")]
    version = clients[0].get(f"/api/v1/filings/{fid}", headers=heads[0]).json["result"]["version"]
    assert clients[1].get(f"/api/v1/filings/{fid}", headers=heads[1]).json["result"]["version"] == version
    meet_inside(monkeypatch, workflow, "check_version", 2)

    bodies = [{"action": "accept", "version": version},
              {"action": "return", "comment": "请核实", "version": version}]
    results = run_together([
        (lambda i=i: clients[i].post(f"/api/v1/filings/{fid}/transition", json=bodies[i], headers=heads[i]))
        for i in range(2)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.get_data(as_text=True)[:200] for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.is_json and all(w in loser.json["message"] for w in CONFLICT_WORDS), loser.json
    winner = bodies[[r.status_code for r in results].index(200)]["action"]

    with app.app_context():
        f = db.session.get(Filing, fid)
        assert len(f.transitions) == steps_before + 1
        assert f.transitions[-1].action == winner
        assert f.state == {"accept": "accepted", "return": "returned"}[winner]
        assert f.version == version + 1
        moves = [a for a in _audits(fid) if a in ("filing.accept", "filing.return")]
        assert moves == [f"filing.{winner}"]


def test_two_reviewers_at_once_web_loser_sees_flash(app, client_for, monkeypatch):
    _second_reviewer(app)
    with app.app_context():
        fid = drive("penalty", "2300", "2026Q1", penalty_values(), "submitted").id
        steps_before = len(db.session.get(Filing, fid).transitions)
    a, b = client_for("reviewer"), client_for("reviewer2")
    forms = []
    for c, action in ((a, "accept"), (b, "return")):
        page = c.get(f"/filings/{fid}").get_data(as_text=True)
        forms.append({"action": action, "comment": "请核实", "_version": _version_of(page),
                      "csrf_token": csrf_token(c, f"/filings/{fid}")})
    assert forms[0]["_version"] == forms[1]["_version"]
    meet_inside(monkeypatch, workflow, "check_version", 2)

    results = run_together([lambda: a.post(f"/filings/{fid}/act", data=forms[0]),
                            lambda: b.post(f"/filings/{fid}/act", data=forms[1])])
    assert [r.status_code for r in results] == [302, 302]
    pages = [c.get(f"/filings/{fid}").get_data(as_text=True) for c in (a, b)]
    won = ["操作成功" in p for p in pages]
    assert sorted(won) == [False, True]
    loser_page = pages[won.index(False)]
    assert "该报表已被他人处理，请刷新后查看最新状态" in loser_page

    with app.app_context():
        f = db.session.get(Filing, fid)
        assert len(f.transitions) == steps_before + 1
        assert f.transitions[-1].action == forms[won.index(True)]["action"]


def _edit_form(client, fid):
    html = client.get(f"/filings/{fid}/edit").get_data(as_text=True)
    return {"_version": _version_of(html), "csrf_token": csrf_token(client, f"/filings/{fid}/edit")}


def test_two_tabs_second_save_refused_not_lost(app, client_for):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(100), "draft").id
    c = client_for("dongcheng_filler")
    tab1, tab2 = _edit_form(c, fid), _edit_form(c, fid)
    assert tab1["_version"] == tab2["_version"]

    first = c.post(f"/filings/{fid}/edit", data={**penalty_values(120), **tab1})
    assert first.status_code == 302
    with app.app_context():
        after_first = snapshot(fid)
    second = c.post(f"/filings/{fid}/edit", data={**penalty_values(130, "77777.00"), **tab2})
    html = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "该报表已被他人修改或处理，请刷新后重试" in html
    # The refused tab's typing is still on the page, to copy or re-apply; nothing was written.
    assert 'value="77777.00"' in html and 'value="130"' in html
    with app.app_context():
        assert snapshot(fid) == after_first
        from app.filing.values import current_values

        assert current_values(db.session.get(Filing, fid))["decisions_total"] == 120


def test_two_tabs_saving_at_the_same_instant(app, client_for, monkeypatch):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(100), "draft").id
        before = snapshot(fid)
    tabs = [client_for("dongcheng_filler"), client_for("dongcheng_filler")]
    forms = [_edit_form(t, fid) for t in tabs]
    meet_inside(monkeypatch, workflow, "check_version", 2)
    sent = [penalty_values(120), penalty_values(130)]

    results = run_together([
        (lambda i=i: tabs[i].post(f"/filings/{fid}/edit", data={**sent[i], **forms[i]})) for i in range(2)])
    codes = [r.status_code for r in results]
    assert sorted(codes) == [200, 302], codes
    refused = results[codes.index(200)].get_data(as_text=True)
    assert "该报表已被他人修改" in refused
    kept = sent[codes.index(302)]["decisions_total"]
    with app.app_context():
        from app.filing.values import current_values

        f = db.session.get(Filing, fid)
        assert current_values(f)["decisions_total"] == int(kept)
        assert f.version == before[2] + 1
        assert _audits(fid).count("filing.values") == 2  # the draft's first save + the winner


def test_open_filing_losing_the_race_keeps_the_transaction(app, monkeypatch):
    """An import saves unit A's figures, then opens unit B's filing, which another request has
    just created: losing that race must not roll back A's figures (it used to: rollback())."""
    with app.app_context():
        fid_a = drive("penalty", "0100", "2026Q1", penalty_values(100), "draft").id
        # The other request's filing for 2026Q2, committed after our lookup saw nothing.
        other = drive("penalty", "0100", "2026Q2", penalty_values(100), "draft").id
    real_find, calls = values_module._find, []

    def stale_find(*args):  # the first lookup ran before the other request committed
        calls.append(args)
        return None if len(calls) == 1 else real_find(*args)

    monkeypatch.setattr(values_module, "_find", stale_find)

    with app.app_context():
        filler = user("dongcheng_filler")
        fa = db.session.get(Filing, fid_a)
        values_module.save_values(fa, penalty_values(140), filler, source="import", commit=False)
        got = values_module.open_filing("penalty", Period.parse("2026Q2"), filler)
        assert got.id == other
        db.session.commit()
    with app.app_context():
        from app.filing.values import current_values

        assert current_values(db.session.get(Filing, fid_a))["decisions_total"] == 140
        assert db.session.scalar(select(func.count()).select_from(Filing)) == 2


def test_deadline_day_in_process(app, monkeypatch):
    """20 clients at once: 16 units each open, fill and submit their own filing; two more
    units each have two clients racing to open, fill and submit the same filing."""
    period = "2026Q1"
    with app.app_context():
        solo = add_fillers(16, period)
    racers = [("dongcheng_filler", "0100"), ("dongcheng_filler", "0100"),
              ("gongan_filler", "2300"), ("gongan_filler", "2300")]
    clients = [(app.test_client(), name, code) for name, code in solo + racers]
    heads = [jwt(c, name) for c, name, _ in clients]
    with app.app_context():
        from app.unit_list import unit_by_code

        race_units = {unit_by_code("0100").id, unit_by_code("2300").id}
    # Both racers of a unit have looked for the filing and found none before either inserts.
    barriers = {uid: meet_inside(monkeypatch, timeliness_module, "is_expected", 2,
                                 when=lambda unit, *a, uid=uid, **k: unit.id == uid) for uid in race_units}
    assert len(barriers) == 2

    monkeypatch.setitem(app.config, "FAB_API_SHOW_STACKTRACE", True)  # a 500 says why
    problems = []

    def call(i, method, url, **kw):
        c, _, code = clients[i]
        r = getattr(c, method)(url, headers=heads[i], **kw)
        if r.status_code not in (200, 409):
            problems.append((code, method, url, r.status_code, r.get_data(as_text=True)[-2000:]))
        return r

    def one_unit(i):
        r = call(i, "post", "/api/v1/filings/", json={"form": "penalty", "period": period})
        codes = [r.status_code]
        if r.status_code != 200:
            return codes
        fid, version = r.json["result"]["id"], r.json["result"]["version"]
        r = call(i, "put", f"/api/v1/filings/{fid}/values", json={"values": penalty_values(), "version": version})
        codes.append(r.status_code)
        if r.status_code == 200:
            version = r.json["result"]["version"]
        r = call(i, "post", f"/api/v1/filings/{fid}/transition", json={"action": "submit", "version": version})
        codes.append(r.status_code)
        return codes

    # On SQLite writers queue for the file lock (config.engine_options: 30 s, not the driver's 5 s).
    results = run_together([lambda i=i: one_unit(i) for i in range(len(clients))], timeout=120)
    errors = [r for r in results if isinstance(r, Exception)] + problems
    for problem in problems:  # shown in full when the test fails
        print(*problem[:4], problem[4], sep="\n")
    assert not errors, errors
    assert all(r == [200, 200, 200] for r in results[:16]), results[:16]
    for pair in (results[16:18], results[18:20]):
        assert [200, 200, 200] in pair, pair  # one of each pair went all the way

    with app.app_context():
        got = filing_counts("penalty", period)
    expected_units = sorted([code for _, code in solo] + ["0100", "2300"])
    assert got["units"] == expected_units and not got["dupes"]
    assert set(got["states"].values()) == {"pending"}
    assert set(got["submits"].values()) == {1}
    assert set(got["creates"].values()) == {1}


def test_two_reviewers_deciding_one_correction_at_once(app, monkeypatch):
    """One approves while the other rejects: exactly one decision stands, and the figures match it."""
    _second_reviewer(app)
    with app.app_context():
        f = drive("penalty", "0100", "2026Q1", penalty_values(100), "accepted")
        fid = f.id
        changed = dict(penalty_values(100), k_other="3", decisions_total="103", proc_summary="53")
        cid = corrections.request_correction(f, changed, "漏报3件", user("dongcheng_filler")).id
    barrier = threading.Barrier(2, timeout=30)

    def decide(name, approve):
        with app.app_context():
            req = db.session.get(CorrectionRequest, cid)
            assert req.state == "pending" and req.filing.revision == 1  # both read it undecided
            barrier.wait()
            try:
                corrections.decide(req, approve, None if approve else "不同意", user(name))
                return "ok"
            except corrections.Conflict as exc:
                return exc.message

    results = run_together([lambda: decide("reviewer", True), lambda: decide("reviewer2", False)])
    assert results.count("ok") == 1, results
    assert any("已被他人处理" in r for r in results if r != "ok"), results
    with app.app_context():
        req = db.session.get(CorrectionRequest, cid)
        f = db.session.get(Filing, fid)
        assert (req.state, f.revision) in (("approved", 2), ("rejected", 1))
        decisions = db.session.scalars(select(AuditLog.action).where(
            AuditLog.object_type == "correction_request", AuditLog.object_id == cid,
            AuditLog.action.in_(["correction.approved", "correction.rejected"]))).all()
        assert decisions == [f"correction.{req.state}"]


def test_two_correction_requests_at_once_leave_one_pending(app, monkeypatch):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(100), "accepted").id
    barrier = threading.Barrier(2, timeout=30)
    real_pending = corrections.pending_request

    def pending_then_wait(filing):  # both have seen "no pending request" before either writes
        found = real_pending(filing)
        barrier.wait()
        return found

    monkeypatch.setattr(corrections, "pending_request", pending_then_wait)

    def ask(total):
        with app.app_context():
            f = db.session.get(Filing, fid)
            raw = dict(penalty_values(100), k_other=str(total - 100), decisions_total=str(total),
                       proc_summary=str(total - 50))
            try:
                corrections.request_correction(f, raw, "补报", user("dongcheng_filler"))
                return "ok"
            except corrections.Conflict as exc:
                return exc.message

    results = run_together([lambda: ask(103), lambda: ask(104)])
    assert results.count("ok") == 1, results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CorrectionRequest).where(
            CorrectionRequest.filing_id == fid, CorrectionRequest.state == "pending")) == 1
        assert db.session.scalar(select(func.count()).select_from(FilingTransition).where(
            FilingTransition.filing_id == fid)) == 3


def test_two_filings_of_one_unit_moved_at_once_both_go_through(app, monkeypatch):
    """The reviewer returns 东城区's first quarter while its approver signs off the second, at the
    same instant. Each transition then recounts the stored warnings of the unit's other open
    filings (app.filing.values.recount_neighbours), after its own commit: the return recounts the
    second quarter (its ten-fold figures are no longer set against a filed first quarter) while the
    sign-off holds that filing's row. Both go through and the count is the one of the final state.
    A barrier inside the recount makes the overlap certain; where writes are serialised (SQLite)
    the first waits out a short timeout alone."""
    from app.models import PortalUser

    with app.app_context():
        q1 = drive("penalty", "0100", "2026Q1", penalty_values(total=100, fines_yuan="1000.00"), "submitted").id
        q2 = drive("penalty", "0100", "2026Q2", penalty_values(total=1000, fines_yuan="10000.00"), "pending",
                   explanation="本季度专项整治").id
        assert db.session.get(Filing, q2).warning_count == 2
    meet = threading.Barrier(2, timeout=3)
    original = values_module.recount_neighbours

    def recount_together(filing, commit=False):
        try:
            meet.wait()
        except threading.BrokenBarrierError:
            pass  # the other one cannot get here while this one holds the database (SQLite)
        return original(filing, commit=commit)

    monkeypatch.setattr(values_module, "recount_neighbours", recount_together)

    def move(fid, action, username, **kw):
        with app.app_context():
            who = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
            return workflow.apply(db.session.get(Filing, fid), action, who, **kw).to_state

    results = run_together([lambda: move(q1, "return", "reviewer", comment="请核对罚款金额"),
                            lambda: move(q2, "sign_off", "dongcheng_approver")])
    assert results == ["returned", "submitted"], results
    with app.app_context():
        assert [db.session.get(Filing, f).state for f in (q1, q2)] == ["returned", "submitted"]
        assert db.session.get(Filing, q2).warning_count == 0  # nothing filed before it to compare with
