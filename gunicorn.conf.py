"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (behind a reverse proxy).

Environment: PORT (default 8000), HOST (default 127.0.0.1: the proxy runs on the same host;
0.0.0.0 in a container), WEB_CONCURRENCY (workers; default 2 × cores + 1, at most 9),
GUNICORN_TIMEOUT (seconds, default 120: Excel imports and exports), FORWARDED_ALLOW_IPS (the
proxy's address, default 127.0.0.1, so X-Forwarded-Proto: https is believed from it only).
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{int(os.environ.get('PORT', '8000'))}"

# Synchronous workers: each request is short database work. Capped so a big machine does not
# open more PostgreSQL connections than the pool sizes allow (workers × pool size).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * _cores() + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that slow leaks never grow unbounded; rarely, because a new
# worker takes about a second of CPU to build the app, which shows in the slowest requests.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Never preload: each worker builds its own app and database pool after the fork.
preload_app = False

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "fazhi-portal"


def post_worker_init(worker):
    """Freeze what the worker has built (the app, its routes, templates, mappers: ~330,000 objects)
    out of the garbage collector's reach: a full collection then scans only what requests made
    (190 ms of CPU before, under 1 ms after; measured in issue 20), and heavy pages no longer pay
    for one every few requests."""
    import gc

    gc.collect()
    gc.freeze()
