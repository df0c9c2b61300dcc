"""Issue 8, Reliability — faults: the database connection dying between requests, and a failure
in the middle of a transition or a save. The next request must succeed (pool_pre_ping), nothing
may be half-written, and the user sees a plain error page or JSON, never a traceback."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.filing import values as values_module
from app.filing import workflow
from app.models import FilingTransition
from tests.concurrency_helpers import jwt
from tests.engine_helpers import audit_count, drive, snapshot
from tests.helpers import csrf_token, penalty_values


def _is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def test_connection_dies_between_requests_next_request_succeeds(app, client_for):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is True
    web = client_for("reviewer")
    api = app.test_client()
    h = jwt(api, "reviewer")
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "submitted").id
        engine = db.engine
        assert engine.pool._pre_ping
    engine.dispose()  # from here on every pooled connection is new: we learn each one's server pid
    pids: list[int] = []

    def remember(dbapi_conn, _record):
        if _is_postgres(app):
            pids.append(dbapi_conn.info.backend_pid)

    event.listen(engine, "connect", remember)
    try:
        assert api.get(f"/api/v1/filings/{fid}", headers=h).status_code == 200
        assert web.get(f"/filings/{fid}").status_code == 200
        if _is_postgres(app):
            assert pids
            # The database "restarts" for this app: another session terminates its connections.
            killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
            with killer.begin() as conn:
                killed = conn.execute(text("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM "
                                           "pg_stat_activity WHERE pid = ANY(:pids)) t"),
                                      {"pids": pids}).scalar()
            killer.dispose()
            assert killed == len(set(pids))
        else:
            engine.dispose()  # SQLite has no server to lose; the pool is rebuilt all the same
        # The next requests, web and API, succeed: the pool pings, drops the dead connections
        # and opens new ones instead of failing the user's request.
        resp = api.get(f"/api/v1/filings/{fid}", headers=h)
        assert resp.status_code == 200 and resp.json["result"]["state"] == "submitted"
        assert web.get(f"/filings/{fid}").status_code == 200
        page = web.get(f"/filings/{fid}").get_data(as_text=True)
        version = re.search(r'name="_version" value="(\d+)"', page).group(1)
        resp = web.post(f"/filings/{fid}/act", data={"action": "accept", "_version": version,
                                                    "csrf_token": csrf_token(web, f"/filings/{fid}")})
        assert resp.status_code == 302
    finally:
        event.remove(engine, "connect", remember)
    with app.app_context():
        assert snapshot(fid)[0] == "accepted"


class Boom(RuntimeError):
    pass


def _fail(*_args, **_kwargs):
    raise Boom("simulated failure after the state was changed")


@pytest.fixture
def submitted(app):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(), "submitted").id
        return fid, snapshot(fid), audit_count()


def _unchanged(app, fid, before, audits):
    with app.app_context():
        assert snapshot(fid) == before
        assert audit_count() == audits


def _assert_error_page(resp):
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500 and resp.mimetype == "text/html"
    assert "操作未完成" in html and "均未保存" in html and re.search(r"错误编号 [0-9a-f]{12}", html)
    assert "Traceback" not in html and "Boom" not in html and "simulated" not in html


def _act(client, fid, action="accept"):
    page = client.get(f"/filings/{fid}").get_data(as_text=True)
    version = re.search(r'name="_version" value="(\d+)"', page).group(1)
    return client.post(f"/filings/{fid}/act", data={"action": action, "_version": version,
                                                     "csrf_token": csrf_token(client, f"/filings/{fid}")})


def test_audit_failure_mid_transition_web_writes_nothing(app, client_for, submitted, monkeypatch):
    fid, before, audits = submitted
    c = client_for("reviewer")
    monkeypatch.setattr(workflow, "record", _fail)  # state changed and flushed, then the audit fails
    _assert_error_page(_act(c, fid))
    _unchanged(app, fid, before, audits)
    monkeypatch.undo()
    # The session is usable again: the same reviewer can retry and succeed.
    assert _act(c, fid).status_code == 302
    with app.app_context():
        assert snapshot(fid)[0] == "accepted"


def test_transition_insert_failure_writes_nothing(app, client_for, submitted):
    fid, before, audits = submitted
    c = client_for("reviewer")
    event.listen(FilingTransition, "before_insert", _fail)
    try:
        _assert_error_page(_act(c, fid))
    finally:
        event.remove(FilingTransition, "before_insert", _fail)
    _unchanged(app, fid, before, audits)


def test_audit_failure_mid_transition_api_answers_json(app, submitted, monkeypatch):
    fid, before, audits = submitted
    c = app.test_client()
    h = jwt(c, "reviewer")
    monkeypatch.setattr(workflow, "record", _fail)
    resp = c.post(f"/api/v1/filings/{fid}/transition", json={"action": "accept", "version": before[2]}, headers=h)
    assert resp.status_code == 500 and resp.is_json
    assert "操作未完成" in resp.json["message"] and "Traceback" not in resp.get_data(as_text=True)
    _unchanged(app, fid, before, audits)


def test_audit_failure_mid_save_writes_nothing(app, client_for, monkeypatch):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(100), "draft").id
        before, audits = snapshot(fid), audit_count()
    c = client_for("dongcheng_filler")
    monkeypatch.setattr(values_module, "record", _fail)
    resp = c.post(f"/filings/{fid}/edit", data={**penalty_values(120),
                                                "csrf_token": csrf_token(c, f"/filings/{fid}/edit")})
    _assert_error_page(resp)
    _unchanged(app, fid, before, audits)


def test_stale_write_outside_the_engine_is_409_not_500(app, client_for, submitted, monkeypatch):
    fid, before, audits = submitted

    def stale(*_a, **_k):
        raise StaleDataError("UPDATE statement on table 'filing' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(workflow, "apply", stale)
    resp = _act(client_for("reviewer"), fid)
    assert resp.status_code == 409 and "已被他人修改或处理" in resp.get_data(as_text=True)
    _unchanged(app, fid, before, audits)


def _locked(*_a, **_k):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    raise OperationalError("INSERT INTO audit_log …", {}, sqlite3.OperationalError("database is locked"))


def test_busy_database_is_503_retry_later_and_writes_nothing(app, client_for, submitted, monkeypatch):
    """SQLite's lock wait running out, or a PostgreSQL deadlock: the database rolled the request
    back; the user is told to retry (503 + Retry-After), not shown an error number."""
    fid, before, audits = submitted
    web = client_for("reviewer")
    api = app.test_client()
    h = jwt(api, "reviewer")
    monkeypatch.setattr(workflow, "record", _locked)
    resp = _act(web, fid)
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert "系统繁忙" in resp.get_data(as_text=True)
    resp = api.post(f"/api/v1/filings/{fid}/transition", json={"action": "accept", "version": before[2]}, headers=h)
    assert resp.status_code == 503 and resp.is_json and "稍后重试" in resp.json["message"]
    _unchanged(app, fid, before, audits)


def test_engine_options_pool_from_environment_and_sqlite_lock_wait(monkeypatch):
    """PostgreSQL pools are sized from the environment (workers × pool < max_connections);
    SQLite writers wait 30 s for the file lock instead of failing after the driver's 5 s."""
    from config import engine_options

    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
    pg = engine_options("postgresql+psycopg://u@h/db")
    assert (pg["pool_size"], pg["max_overflow"], pg["pool_pre_ping"]) == (3, 2, True)
    lite = engine_options("sqlite:////tmp/x.db")
    assert lite["connect_args"] == {"timeout": 30} and "pool_size" not in lite


def test_sqlite_writer_waits_for_the_lock_instead_of_failing(tmp_path):
    """On an engine built with the portal's SQLite options, a writer blocked for longer than the
    driver's default 5 s still succeeds (whatever database the suite runs on)."""
    import threading
    import time

    from sqlalchemy import create_engine

    from config import engine_options

    url = f"sqlite:///{tmp_path / 'lock.db'}"
    engine = create_engine(url, **engine_options(url))
    holder = engine.raw_connection()
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(6, holder.rollback)
    released.start()
    started = time.monotonic()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE lock_probe (x INTEGER)")
    released.join()
    holder.close()
    engine.dispose()
    assert time.monotonic() - started >= 5.5
