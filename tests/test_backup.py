"""Issue 8, Reliability — backup and restore: `flask portal backup PATH` then, after the data
was damaged, `flask portal restore PATH` brings back every filing, every revision, every
transition and correction, and every audit row with its hash chain intact. On SQLite through the
online backup API; on PostgreSQL (TEST_DATABASE_URL) through pg_dump / pg_restore into the test
database itself."""

from __future__ import annotations

import os
import stat

from sqlalchemy import delete, select, update

from app.audit import record, verify_chain
from app.extensions import db
from app.filing import corrections
from app.models import VALUE_MODELS, AuditLog, CorrectionRequest, Filing, FilingTransition
from tests.engine_helpers import drive, user
from tests.helpers import penalty_values, reconsideration_values

TABLES = (Filing, FilingTransition, CorrectionRequest, AuditLog, *VALUE_MODELS.values())


def _everything() -> dict[str, list[tuple]]:
    db.session.expire_all()
    return {m.__tablename__: [tuple(r) for r in db.session.execute(
        select(m.__table__).order_by(m.__table__.c.id))] for m in TABLES}


def _make_history() -> dict:
    f = drive("penalty", "0100", "2026Q1", penalty_values(100), "accepted")
    changed = dict(penalty_values(100), k_other="3", decisions_total="103", proc_summary="53")
    req = corrections.request_correction(f, changed, "漏报3件", user("dongcheng_filler"))
    corrections.decide(req, True, None, user("reviewer"))
    g = drive("penalty", "2300", "2026Q1", penalty_values(), "submitted")
    h = drive("reconsideration", "0100", "2025H2", reconsideration_values(), "pending")
    assert db.session.get(Filing, f.id).revision == 2
    return {"corrected": f.id, "submitted": g.id, "pending": h.id}


def test_backup_then_restore_finds_every_row_again(app, tmp_path):
    with app.app_context():
        ids = _make_history()
        before = _everything()
    assert before["filing"] and before["filing_transition"] and before["correction_request"]
    assert len(before["values_penalty"]) == 3 and before["audit_log"]
    runner = app.test_cli_runner()
    path = tmp_path / "portal.backup"

    result = runner.invoke(args=["backup", str(path)])  # `flask backup`, also `flask portal backup`
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not path.with_name(path.name + ".part").exists()

    # Damage: a filing deleted with its rows, another one changed, audit rows removed.
    with app.app_context():
        gone, changed = ids["submitted"], ids["corrected"]
        for model in (FilingTransition, *VALUE_MODELS.values()):
            db.session.execute(delete(model).where(model.filing_id == gone))
        db.session.execute(delete(Filing).where(Filing.id == gone))
        db.session.execute(update(Filing).where(Filing.id == changed).values(state="draft", revision=1))
        db.session.execute(delete(AuditLog).where(AuditLog.object_id == changed))
        record("test.after_backup", "filing", changed)
        db.session.commit()
        assert _everything() != before

    result = runner.invoke(args=["portal", "restore", str(path)], input="n\n")
    assert result.exit_code != 0  # not confirmed: nothing done
    result = runner.invoke(args=["restore", str(path), "--yes"])  # `flask restore`
    assert result.exit_code == 0, result.output

    with app.app_context():
        after = _everything()
        audit_after = after.pop("audit_log")
        audit_before = before.pop("audit_log")
        assert after == before  # every filing, revision, transition and correction
        actions = {c.name: i for i, c in enumerate(AuditLog.__table__.columns)}
        assert audit_after[:-1] == audit_before  # every audit row, hashes included
        assert audit_after[-1][actions["action"]] == "system.restore"
        assert not any(r[actions["action"]] == "test.after_backup" for r in audit_after)
        report = verify_chain()
        assert report.ok, report
        f = db.session.get(Filing, ids["corrected"])
        assert f.state == "accepted" and f.revision == 2
        from app.filing.values import current_values, revisions

        assert [r for r, _ in revisions(f)] == [1, 2] and current_values(f)["decisions_total"] == 103


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "draft").id
        before = _everything()
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = app.test_cli_runner().invoke(args=["portal", "restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "Error" in result.output
    with app.app_context():
        assert _everything() == before and db.session.get(Filing, fid) is not None
