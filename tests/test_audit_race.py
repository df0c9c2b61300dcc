"""The audit chain under concurrent appends, on SQLite and on PostgreSQL (TEST_DATABASE_URL).

Every appender is a thread with its own app context, so its own session and database connection.
The race is made certain: each appender, once it has read the chain's head, waits until every other
appender has read it too (a barrier placed in app.audit._head). Where appends are serialised the
other appenders cannot get there while the first holds the head, so the first one waits out the
barrier's short timeout alone and goes on; where they are not (the SQLite of before, or two first
records racing to create the head row), all of them read the same head before any writes and the
chain forks or the head is inserted twice. The chain is then checked with the verifier of
`flask portal audit-verify`.
"""

from __future__ import annotations

import threading

from sqlalchemy import delete, func, select

from app import audit
from app.audit import GENESIS, record, verify_chain
from app.extensions import db
from app.models import AuditLog
from app.models.audit import AuditChainHead
from tests.concurrency_helpers import run_together

APPENDERS = 6
MEET_TIMEOUT = 3  # seconds the head's holder waits for the others before going on alone


def _meet_after_reading_the_head(monkeypatch, parties: int) -> threading.Barrier:
    barrier = threading.Barrier(parties)
    original = audit._head

    def waiting():
        head = original()
        try:
            barrier.wait(timeout=MEET_TIMEOUT)
        except threading.BrokenBarrierError:  # the others are waiting for the head: serialised
            pass
        return head

    monkeypatch.setattr(audit, "_head", waiting)
    return barrier


def _appender(app, name: str, count: int = 1):
    def append():
        with app.app_context():
            for i in range(count):
                record("test.concurrent_append", "thread", None, {"appender": name, "i": i})
                db.session.commit()
        return name

    return append


def _assert_chain_intact(app, expected: int) -> None:
    with app.app_context():
        report = verify_chain()
        assert report.ok, f"chain broken at {report.broken_at}: {report.reason}"
        assert report.checked == expected
        rows = db.session.scalar(select(func.count()).select_from(AuditLog))
        assert rows == expected
        # one chain: no two entries share a predecessor
        forks = db.session.execute(select(AuditLog.prev_hash, func.count()).group_by(AuditLog.prev_hash)
                                   .having(func.count() > 1)).all()
        assert not forks, forks
        head = db.session.get(AuditChainHead, 1)
        assert head.last_id == db.session.scalar(select(func.max(AuditLog.id)))
    result = app.test_cli_runner().invoke(args=["portal", "audit-verify"])
    assert result.exit_code == 0 and f"intact: {expected} entries" in result.output, result.output


def _no_errors(results) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors


def test_first_records_on_an_empty_log_race_to_create_the_head(app, monkeypatch):
    with app.app_context():  # a new database's log (as the cleanup after each test leaves it)
        db.session.execute(delete(AuditLog))
        db.session.execute(delete(AuditChainHead))
        db.session.commit()
    _meet_after_reading_the_head(monkeypatch, APPENDERS)
    results = run_together([_appender(app, f"a{i}") for i in range(APPENDERS)])
    _no_errors(results)
    _assert_chain_intact(app, APPENDERS)
    with app.app_context():
        first = db.session.scalar(select(AuditLog).order_by(AuditLog.id).limit(1))
        assert first.prev_hash == GENESIS


def test_concurrent_appends_to_a_running_log_stay_one_chain(app, monkeypatch):
    with app.app_context():
        record("test.before", "thread", None, {})
        db.session.commit()
    _meet_after_reading_the_head(monkeypatch, APPENDERS)
    results = run_together([_appender(app, f"b{i}") for i in range(APPENDERS)])
    _no_errors(results)
    _assert_chain_intact(app, APPENDERS + 1)


def test_many_appenders_many_appends(app):
    """No barrier: eight appenders, ten appends each, as fast as they go."""
    results = run_together([_appender(app, f"c{i}", 10) for i in range(8)], timeout=120)
    _no_errors(results)
    _assert_chain_intact(app, 80)


def test_a_rolled_back_append_leaves_the_chain_as_it_was(app):
    with app.app_context():
        record("test.kept", "thread", None, {})
        db.session.commit()
        record("test.dropped", "thread", None, {})
        db.session.rollback()
        record("test.kept_too", "thread", None, {})
        record("test.same_transaction", "thread", None, {})
        db.session.commit()
        assert [a for a in db.session.scalars(select(AuditLog.action).order_by(AuditLog.id))] == [
            "test.kept", "test.kept_too", "test.same_transaction"]
    _assert_chain_intact(app, 3)
