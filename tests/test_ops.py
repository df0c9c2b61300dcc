"""Issue 20, items 3 and 5: request ids, JSON logs, health checks, metrics, and large exports as
jobs off the request workers (RQ on the test Redis, run here by a burst worker in this process)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import AuditLog, ExportJob
from app.models.blob import Blob
from tests.engine_helpers import drive
from tests.helpers import penalty_values

REDIS_URL = "redis://127.0.0.1:6379/13"


# ---- request ids --------------------------------------------------------------------------------

def test_every_answer_carries_a_request_id_offered_by_the_proxy_or_made(app, client_for):
    c = client_for("dongcheng_filler")
    own = c.get("/filings/penalty/")
    assert len(own.headers["X-Request-Id"]) == 32
    offered = c.get("/filings/penalty/", headers={"X-Request-Id": "nginx-abcdef0123456789"})
    assert offered.headers["X-Request-Id"] == "nginx-abcdef0123456789"
    forged = c.get("/filings/penalty/", headers={"X-Request-Id": "<script>"})
    assert forged.headers["X-Request-Id"] != "<script>" and len(forged.headers["X-Request-Id"]) == 32


def test_the_request_id_is_on_the_error_page_in_json_errors_and_in_the_audit_row(app, client_for):
    c = client_for("dongcheng_filler")
    page = c.get("/filings/999999999", headers={"X-Request-Id": "req-0000000000000001"})
    assert page.status_code == 404 and "req-0000000000000001" in page.get_data(as_text=True)
    api = c.get("/api/v1/filings/999999999", headers={"X-Request-Id": "req-0000000000000002"})
    assert api.json.get("request_id") in ("req-0000000000000002", None) or api.status_code == 401
    with app.app_context():
        f = drive("penalty", "0100", "2026Q1", penalty_values(), "submitted")
        fid = f.id
    reviewer = client_for("reviewer")
    from tests.helpers import post_form

    resp = post_form(reviewer, f"/filings/{fid}/act", {"action": "accept"},
                     f"/filings/{fid}")
    rid = resp.headers["X-Request-Id"]
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.request_id == rid))
        assert entry is not None and entry.username == "reviewer" and entry.action == "filing.accept"
        from app.audit import verify_chain

        assert verify_chain().ok  # the request id is covered by the link
        db.session.execute(AuditLog.__table__.update().where(AuditLog.id == entry.id).values(request_id="x" * 16))
        db.session.commit()
        assert verify_chain().broken_at == entry.id


def test_log_lines_are_json_with_the_request_id(app, client_for, caplog):
    from app.ops import _RequestIdFilter

    c = client_for("dongcheng_filler")
    with caplog.at_level(logging.INFO, logger="portal.access"):
        c.get("/filings/penalty/", headers={"X-Request-Id": "req-0000000000000003"})
    records = [r for r in caplog.records if r.name == "portal.access"]
    assert records and records[-1].request_id == "req-0000000000000003"
    last = records[-1]
    assert (last.status, last.user, last.path) == (200, "dongcheng_filler", "/filings/penalty/")
    from pythonjsonlogger.json import JsonFormatter

    line = JsonFormatter("%(message)s %(request_id)s").format(records[-1])
    assert json.loads(line)["request_id"] == "req-0000000000000003"
    assert _RequestIdFilter().filter(logging.LogRecord("x", 20, "", 0, "m", None, None))


# ---- health -------------------------------------------------------------------------------------

def test_healthz_and_readyz(app, monkeypatch):
    c = app.test_client()
    assert c.get("/healthz").json == {"status": "ok"}
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok"}
    assert "Set-Cookie" not in ready.headers
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    down = c.get("/readyz")
    assert down.status_code == 503 and down.json["checks"]["redis"] != "ok"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    assert c.get("/readyz").json["checks"]["redis"] == "ok"
    real = db.session.execute

    def broken(statement, *args, **kwargs):
        if "SELECT 1" in str(statement):
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return real(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", broken)
    down = c.get("/readyz")
    assert down.status_code == 503 and down.json["checks"]["database"] == "OperationalError"


# ---- metrics ------------------------------------------------------------------------------------

def test_metrics_for_internal_addresses_only(app, client_for):
    client_for("dongcheng_filler").get("/filings/penalty/")
    c = app.test_client()
    body = c.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_data(as_text=True)
    assert "portal_http_request_duration_seconds" in body and 'endpoint="FilingView.index"' in body
    assert "portal_db_pool_checked_out" in body and "portal_job_queue_length" in body
    outside = c.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 404 and "portal_" not in outside.get_data(as_text=True)


# ---- large exports as jobs ----------------------------------------------------------------------

@pytest.fixture
def queue(app, monkeypatch):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()
    with app.app_context():
        db.session.execute(delete(ExportJob))
        db.session.execute(delete(Blob))
        db.session.commit()


def _sheet_cells(data: bytes) -> list[list]:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows()]


def test_a_large_export_runs_as_a_job_and_only_its_owner_downloads_it(app, client_for, queue, monkeypatch):
    from app import jobs

    with app.app_context():
        drive("penalty", "0100", "2026Q1", penalty_values(), "accepted")
        drive("penalty", "2300", "2026Q1", penalty_values(80), "accepted")
    path = "/reports/penalty/filings.xlsx?period=2026Q1"
    reviewer = client_for("reviewer")
    monkeypatch.setitem(app.config, "JOBS_ENABLED", False)
    inline = reviewer.get(path)
    assert inline.status_code == 200
    monkeypatch.setitem(app.config, "JOBS_ENABLED", True)

    resp = reviewer.get(path)
    assert resp.status_code == 302 and "/jobs/" in resp.headers["Location"]
    job_id = resp.headers["Location"].rstrip("/").split("/")[-1]
    page = reviewer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "排队中" in page and "job_progress.js" in page
    assert reviewer.get(f"/jobs/{job_id}/state").json["status"] == "queued"
    assert reviewer.get(f"/jobs/{job_id}/download").status_code == 404  # not ready yet

    with app.app_context():
        assert jobs.queue_length() == 1
        jobs.work(burst=True)
    state = reviewer.get(f"/jobs/{job_id}/state").json
    assert state["status"] == "done" and state["download"].endswith("/download")
    got = reviewer.get(state["download"])
    assert got.status_code == 200 and _sheet_cells(got.data) == _sheet_cells(inline.data)
    # the same audit row as an inline export, by the user, not by the worker
    with app.app_context():
        exports = db.session.scalars(select(AuditLog).where(AuditLog.action == "export.report")).all()
        assert [e.username for e in exports] == ["reviewer", "reviewer"]
    # nobody else sees or downloads it
    for other in ("leader", "dongcheng_filler"):
        c = client_for(other)
        assert c.get(f"/jobs/{job_id}").status_code == 404
        assert c.get(f"/jobs/{job_id}/download").status_code == 404
    assert app.test_client().get(f"/jobs/{job_id}/download").status_code in (302, 401)


def test_a_job_keeps_its_users_scope(app, client_for, queue):
    from app import jobs

    with app.app_context():
        drive("penalty", "0100", "2026Q1", penalty_values(), "accepted")
        drive("penalty", "2300", "2026Q1", penalty_values(80), "accepted")
    filler = client_for("dongcheng_filler")
    resp = filler.get("/reports/penalty/filings.xlsx?period=2026Q1&basis=accepted")
    assert resp.status_code == 302
    job_id = resp.headers["Location"].rstrip("/").split("/")[-1]
    with app.app_context():
        jobs.work(burst=True)
    data = filler.get(f"/jobs/{job_id}/download").data
    text = json.dumps(_sheet_cells(data), ensure_ascii=False)
    assert "东城" in text and "公安" not in text


def test_a_failed_job_says_so(app, client_for, queue, monkeypatch):
    from app import jobs

    reviewer = client_for("reviewer")
    resp = reviewer.get("/auditlogview/export/")
    assert resp.status_code in (302, 403)
    c = client_for("audit_admin")
    resp = c.get("/auditlogview/export/")
    assert resp.status_code == 302 and "/jobs/" in resp.headers["Location"]
    job_id = resp.headers["Location"].rstrip("/").split("/")[-1]
    with app.app_context():
        user = db.session.scalar(select(ExportJob.user_id).where(ExportJob.id == job_id))
        from app.models import PortalUser

        db.session.get(PortalUser, user).active = False  # the account was deactivated meanwhile
        db.session.commit()
        try:
            jobs.work(burst=True)
            assert db.session.get(ExportJob, job_id).status == "failed"
        finally:
            db.session.get(PortalUser, user).active = True
            db.session.commit()
