"""导出任务: following one's own queued export and downloading its file (app/jobs.py)."""

from __future__ import annotations

import io

from flask import abort, jsonify, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import blobs, jobs
from ..clock import utcnow
from ..extensions import db
from ..models.job import ExportJob
from ..scope import acting_user

STATE_LABELS = {"queued": _l("排队中"), "running": _l("正在生成"), "done": _l("已完成"), "failed": _l("失败")}


def _own_job(job_id: str) -> ExportJob:
    """The caller's job, else 404 (another user's job is not found, not forbidden)."""
    job = db.session.get(ExportJob, job_id) if job_id.isalnum() else None
    if job is None or job.user_id != getattr(acting_user(), "id", None):
        abort(404)
    return job


def job_state(job: ExportJob) -> dict:
    """What the page and its script show: state, queue position, seconds spent, the download link."""
    since = job.started_at or job.created_at
    end = job.finished_at or utcnow()
    position, seconds = jobs.position(job), max(int((end - since).total_seconds()), 0)
    detail = (_("前面还有 %(n)s 个任务", n=position) if job.status == "queued"
              else _("已用 %(s)s 秒", s=seconds) if job.status == "running" else "")
    return {"id": job.id, "status": job.status, "label": str(STATE_LABELS[job.status]), "detail": detail,
            "position": position, "seconds": seconds,
            "download": url_for("ExportJobView.download", job_id=job.id) if job.status == "done" else None,
            "filename": job.filename, "size": job.size}


class ExportJobView(BaseView):
    """One's own export jobs: a page following the job, its state as JSON, and the file."""

    route_base = "/jobs"
    class_permission_name = "ExportJobs"
    method_permission_name = {"show": "read", "state": "read", "download": "read"}
    default_view = "show"

    @expose("/<job_id>")
    @has_access
    def show(self, job_id):
        job = _own_job(job_id)
        return self.render_template("jobs/show.html", job=job, state=job_state(job))

    @expose("/<job_id>/state")
    @has_access
    def state(self, job_id):
        return jsonify(job_state(_own_job(job_id)))

    @expose("/<job_id>/download")
    @has_access
    def download(self, job_id):
        job = _own_job(job_id)
        data = blobs.get(job.blob_key) if job.status == "done" else None
        if data is None:
            abort(404, _("文件已过期或尚未生成，请重新导出"))
        return send_file(io.BytesIO(data), mimetype=job.mimetype, as_attachment=True, download_name=job.filename,
                         max_age=0)
