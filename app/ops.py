"""What a city IT department runs the portal with: request ids, JSON logs, health checks, metrics.

- **Request id.** Every request gets one: the reverse proxy's `X-Request-Id` when it is a plausible
  id (nginx: `proxy_set_header X-Request-Id $request_id;`), else a new one. It is answered in the
  `X-Request-Id` header, printed on error pages (and in JSON errors), written into every log line of
  the request and into every audit row the request writes (`audit_log.request_id`).
- **Logs.** One JSON object per line on stderr (python-json-logger): the app's own messages and one
  access line per request (method, path, status, milliseconds, user, address, request id).
  LOG_FORMAT=text gives plain lines for a developer's console.
- **Health.** `/healthz`: the process answers (liveness: restart it if not). `/readyz`: the database
  answers `SELECT 1` and Redis (when REDIS_URL is set) answers PING; 503 naming what failed
  (readiness: take the server out of the load balancer until it passes).
- **Metrics.** `/metrics` in Prometheus' text format (prometheus-flask-exporter): request latency
  by endpoint and status, the database pool (connections checked out, overflow), the export job
  queue's length; only from addresses in METRICS_ALLOW (CIDRs; default loopback and private
  networks), 404 for anyone else. Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, the workers'
  figures are added up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from sqlalchemy import text

from .extensions import db

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
DEFAULT_METRICS_ALLOW = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
access_log = logging.getLogger("portal.access")


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        offered = request.headers.get("X-Request-Id", "")
        rid = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        g.request_id = rid
    return rid


class _RequestIdFilter(logging.Filter):
    """Adds request_id (or "-") to every record, so every line of a request can be found."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            try:
                record.request_id = request_id() or "-"
            except RuntimeError:
                record.request_id = "-"
        return True


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr (LOG_FORMAT=json, the default) or plain text, each with its request id."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                           rename_fields={"asctime": "time", "levelname": "level"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(_RequestIdFilter())
    for name in ("app", "portal", app.logger.name):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def _allowed(addr: str | None, allow: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net.strip(), strict=False) for net in allow.split(",") if net.strip())


def readiness() -> tuple[bool, dict[str, str]]:
    """Whether this server can serve: the database and (when configured) Redis, each 'ok' or the error."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready
        checks["database"] = type(exc).__name__
    finally:
        db.session.rollback()
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = type(exc).__name__
    return all(v == "ok" for v in checks.values()), checks


_process_metrics: dict = {}


def _process_metric_objects() -> dict:
    """The exporter and the gauges, created once per process (several apps may be built in one,
    as the tests do; Prometheus' registry refuses a metric registered twice)."""
    if not _process_metrics:
        from prometheus_client import Gauge
        from prometheus_flask_exporter import PrometheusMetrics

        multi = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        if multi:
            from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics as Metrics
        else:
            Metrics = PrometheusMetrics
        # path=None: the exporter registers no route; ours checks the caller's address first
        _process_metrics.update(
            multi=multi,
            exporter=Metrics.for_app_factory(path=None, group_by="endpoint", defaults_prefix="portal",
                                             excluded_paths=["^/static/", "^/healthz$", "^/readyz$", "^/metrics$"]),
            pool_out=Gauge("portal_db_pool_checked_out", "Database connections in use (this worker)",
                           **({"multiprocess_mode": "livesum"} if multi else {})),
            pool_overflow=Gauge("portal_db_pool_overflow", "Connections beyond the pool size (this worker)",
                                **({"multiprocess_mode": "livesum"} if multi else {})),
            queue_len=Gauge("portal_job_queue_length", "Export jobs waiting in the queue",
                            **({"multiprocess_mode": "max"} if multi else {})))
    return _process_metrics


def _metrics(app: Flask) -> None:
    m = _process_metric_objects()
    m["exporter"].init_app(app)
    multi, pool_out, pool_overflow, queue_len = m["multi"], m["pool_out"], m["pool_overflow"], m["queue_len"]

    @app.after_request
    def _pool_figures(response):
        pool = db.engine.pool
        if hasattr(pool, "checkedout"):
            pool_out.set(pool.checkedout())
            pool_overflow.set(max(pool.overflow(), 0) if hasattr(pool, "overflow") else 0)
        return response

    @app.route("/metrics")
    def metrics_endpoint():
        if not _allowed(request.remote_addr, app.config.get("METRICS_ALLOW", DEFAULT_METRICS_ALLOW)):
            return Response("Not Found", status=404)
        from . import jobs

        queue_len.set(jobs.queue_length())
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

        if multi:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = REGISTRY
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.extensions["portal_metrics"] = m["exporter"]


def register_ops(app: Flask) -> None:
    """Request ids, logging, /healthz, /readyz and /metrics."""
    configure_logging(app)

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response):
        rid = request_id()
        response.headers["X-Request-Id"] = rid
        if request.path not in ("/healthz", "/readyz", "/metrics") and not request.path.startswith("/static/"):
            from .scope import acting_user

            try:
                user = getattr(acting_user(), "username", None)
            except Exception:  # the user lookup must never break the answer
                user = None
            access_log.info("request", extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
                "user": user, "ip": request.remote_addr})
        return response

    @app.route("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.route("/readyz")
    def readyz():
        ok, checks = readiness()
        return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503

    _metrics(app)
