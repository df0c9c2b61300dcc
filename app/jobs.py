"""Long downloads off the request workers: RQ on the Redis the portal already uses.

A large export (the filing details over many periods, the whole audit log) would hold one of the
few synchronous gunicorn workers for its whole run. With REDIS_URL set, such a request is not
answered at once: it becomes an export job (table `export_job`, so every app server can show its
state), queued with RQ, and the user lands on a page that follows it (queue position, time spent)
and offers the file when it is ready. `flask portal worker` runs the jobs (RQ's SimpleWorker, in
the app's context; run it as its own service, one or more per site).

A job replays the user's own GET request inside the worker, signed in as that user: the same view
builds the same file under the same scope and permissions, and writes the same audit row — no
second copy of any export. The file is kept in the database (app/blobs.py) for JOB_RESULT_TTL and
only its owner may download it. Without REDIS_URL (the SQLite demo) exports are answered inline,
as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from flask import current_app, g, has_request_context, request
from sqlalchemy import select

from . import blobs
from .clock import utcnow
from .extensions import db
from .models.job import ExportJob

QUEUE = "portal-exports"
JOB_HEADER = "X-Portal-Export-Job"
log = logging.getLogger("portal.jobs")


def enabled() -> bool:
    """Whether exports go through the job queue (REDIS_URL set and JOBS_ENABLED not off)."""
    return bool(current_app.config.get("REDIS_URL")) and current_app.config.get("JOBS_ENABLED", True)


def in_job() -> bool:
    """Whether this request is a job's replay inside the worker (then: answer inline)."""
    return has_request_context() and bool(g.get("export_job_id"))


def _queue():
    import redis
    from rq import Queue

    return Queue(QUEUE, connection=redis.Redis.from_url(current_app.config["REDIS_URL"]))


def queue_length() -> int:
    """Jobs waiting (0 when there is no queue or Redis does not answer)."""
    if not current_app.config.get("REDIS_URL"):
        return 0
    try:
        return len(_queue())
    except Exception:  # metrics must not fail because Redis is away
        return 0


def should_queue() -> bool:
    """True when this export request should become a job rather than be answered now."""
    return enabled() and not in_job()


def submit(user, title: str) -> ExportJob:
    """Queue a replay of the current GET request as `user`'s export job; returns the job row."""
    job = ExportJob(id=secrets.token_hex(16), user_id=user.id, title=title[:200],
                    path=request.full_path if request.query_string else request.path, status="queued")
    db.session.add(job)
    db.session.commit()
    _queue().enqueue("app.jobs.run", job.id, job_id=job.id, job_timeout=int(
        current_app.config.get("JOB_TIMEOUT", 1800)), result_ttl=0, failure_ttl=86400)
    return job


def run(job_id: str) -> None:
    """The worker's side: replay the request as the job's user, keep the file, record the outcome."""
    from flask_login import login_user

    from .models import PortalUser

    app = current_app._get_current_object()
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    user = db.session.get(PortalUser, job.user_id)
    try:
        if user is None or not user.is_active:
            raise PermissionError("the job's user is gone or inactive")
        with app.test_request_context(job.path, method="GET"):
            g.export_job_id = job.id
            login_user(user)
            resp = app.full_dispatch_request()
            if resp.status_code != 200:
                raise RuntimeError(f"the export answered {resp.status_code}")
            resp.direct_passthrough = False
            data = resp.get_data()
            filename = _filename(resp) or f"{job.title}.xlsx"
            mimetype = resp.mimetype
        db.session.remove()
        job = db.session.get(ExportJob, job_id)
        ttl = dt.timedelta(hours=int(app.config.get("JOB_RESULT_HOURS", 24)))
        job.blob_key = blobs.put(data, "export", ttl)
        job.filename, job.mimetype, job.size = filename, mimetype, len(data)
        job.status, job.finished_at = "done", utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("export job %s failed", job_id)
        job = db.session.get(ExportJob, job_id)
        job.status, job.finished_at, job.error = "failed", utcnow(), type(exc).__name__
        db.session.commit()


def _filename(resp) -> str | None:
    from werkzeug.http import parse_options_header

    _, options = parse_options_header(resp.headers.get("Content-Disposition", ""))
    return options.get("filename*") or options.get("filename")


def position(job: ExportJob) -> int:
    """How many jobs were queued before this one and are still waiting (0 when it runs or ran)."""
    if job.status != "queued":
        return 0
    return db.session.scalar(select(db.func.count()).select_from(ExportJob).where(
        ExportJob.status == "queued", ExportJob.created_at < job.created_at)) or 0


def work(burst: bool = False) -> None:
    """Run jobs from the queue in this process until stopped (or, with burst, until it is empty)."""
    from rq import SimpleWorker

    queue = _queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=False)
