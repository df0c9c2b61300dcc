"""Issue 20, item 4: more than one app server. Two gunicorn servers (separate processes, the
shipped gunicorn.conf.py) on the test database and Redis, behind Debian's nginx (round robin, as
production's reverse proxy would balance them): nothing a user depends on lives in one process or
on one disk.

- an attachment uploaded through one server downloads through the other;
- an import previewed on one is confirmed on the other;
- failed logins spread over both lock the account, and the login rate limit counts both;
- a logout on one ends the session on both;
- a filing saved on one is seen on the other at once;
- nginx passes its request id through, and both servers are ready (/readyz).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from app.demo import DEMO_PASSWORD
from tests.helpers import penalty_values
from tests.test_deadline_server import _free_port, _stop

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user's browser: a cookie jar shared by whichever server answers (same host)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, port: int, method: str, path: str, data: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def csrf(self, port: int, path: str = "/login/") -> str:
        _, _, body = self.request(port, "GET", path)
        m = CSRF.search(body.decode("utf-8", "replace"))
        assert m, f"no CSRF token on {path}"
        return m.group(1) or m.group(2)

    def post_form(self, port: int, path: str, fields: dict, token_from: str = "/") -> tuple[int, dict, bytes]:
        fields = {**fields, "csrf_token": self.csrf(port, token_from)}
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.request(port, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, port: int, path: str, fields: dict, name: str, data: bytes,
                  token_from: str, field: str = "file") -> tuple[int, dict, bytes]:
        fields = {**fields, "csrf_token": self.csrf(port, token_from)}
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(port, "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self, port: int, username: str, password: str = DEMO_PASSWORD) -> int | str:
        """"ok" when signed in; else the status (a refused login redirects back to /login/)."""
        status, headers, _ = self.post_form(port, "/login/", {"username": username, "password": password},
                                            "/login/")
        return "ok" if status == 302 and "/login" not in headers.get("Location", "") else status


def _path(location: str) -> str:
    """The path of a Location header, absolute or not."""
    return "/" + location.split("/", 3)[-1] if location.startswith("http") else location


def _start_server(app, tmp_path: Path, name: str, port: int, secret: str):
    log = tmp_path / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if k not in ("PROXY_FIX",)}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=secret,
               AUDIT_KEY=app.config["AUDIT_KEY"], PII_KEY=app.config["PII_KEY"], REDIS_URL=REDIS_URL,
               HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1",
               # each server its own instance folder: nothing may be shared through the disk
               PORTAL_INSTANCE_DIR=str(tmp_path / f"instance-{name}"), PYTHONUNBUFFERED="1")
    out = open(log, "w")  # noqa: SIM115 - closed when the server stops
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def _wait(port: int, procs, logs, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for proc, log in zip(procs, logs, strict=True):
            if proc.poll() is not None:
                raise AssertionError(f"{log.name} exited:\n" + log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"port {port} did not answer:\n" + "\n".join(log.read_text()[-2000:] for log in logs))


NGINX_CONF = """
worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream portal {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://portal;
            proxy_set_header Host $host;
            proxy_set_header X-Request-Id $request_id;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@pytest.fixture
def two_servers(app, tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the test's own Redis database: counters start at zero
    secret = secrets.token_hex(32)  # one SECRET_KEY for the site, as every server of it must have
    a, b, front = _free_port(), _free_port(), _free_port()
    servers = [_start_server(app, tmp_path, "a", a, secret), _start_server(app, tmp_path, "b", b, secret)]
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(prefix=prefix, a=a, b=b, port=front))
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        procs, logs = [p for p, _ in servers], [log for _, log in servers]
        _wait(a, procs, logs)
        _wait(b, procs, logs)
        _wait(front, procs, logs)
        yield {"a": a, "b": b, "front": front, "logs": logs}
    finally:
        if nginx.poll() is None:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(timeout=10)
        for proc, _ in servers:
            _stop(proc)
        redis.Redis.from_url(REDIS_URL).flushdb()
        _remove_notices(app)


def _remove_notices(app) -> None:
    """The notice the test published (the suite's cleanup keeps notices: tests/test_notices.py has its own)."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import Attachment, Notice, NoticeRead, NoticeTarget
    from app.models.blob import Blob

    with app.app_context():
        for model in (NoticeRead, NoticeTarget, Attachment, Notice, Blob):
            db.session.execute(delete(model))
        db.session.commit()


def test_two_servers_behind_nginx_share_everything_a_user_depends_on(app, two_servers):
    a, b, front = two_servers["a"], two_servers["b"], two_servers["front"]

    # ready, both, and the proxy's request id reaches the app and comes back
    for port in (a, b):
        status, _, body = Browser().request(port, "GET", "/readyz")
        assert status == 200 and b'"database":"ok"' in body.replace(b" ", b"") and b'"redis":"ok"' in body.replace(
            b" ", b"")
    seen = set()
    for _ in range(4):
        status, headers, _ = Browser().request(front, "GET", "/healthz")
        assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-Id"])
        seen.add(headers["X-Request-Id"])
    assert len(seen) == 4

    # an attachment uploaded through A downloads through B
    office = Browser()
    assert office.login(a, "reviewer") == "ok"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + secrets.token_bytes(2000)
    status, headers, _ = office.post_file(a, "/notices/new", {"title": "两台服务器", "body": "正文",
                                                               "audience": "all"}, "通知.pdf", pdf, "/notices/new",
                                          field="files")
    assert status == 302, status
    nid = int(re.search(r"/notices/(\d+)", headers["Location"]).group(1))
    _, _, page = office.request(b, "GET", f"/notices/{nid}")
    link = re.search(rb'href="(/notices/\d+/attachments/\d+)"', page).group(1).decode()
    status, _, data = office.request(b, "GET", link)
    assert status == 200 and data == pdf

    # an import previewed on A is confirmed on B
    with app.app_context():
        from tests.import_helpers import big_import

        sheet, _rows = big_import("2026Q1", "2026Q1", max_units=3, total=120)
    status, _, page = office.post_file(a, "/filings/penalty/import", {}, "data.xlsx", sheet, "/filings/penalty/import")
    assert "3 份报表将有变化" in page.decode(), page.decode()[-2000:]
    status, headers, _ = office.post_form(b, "/filings/penalty/import/confirm", {}, "/filings/penalty/import")
    assert status == 302
    _, _, page = office.request(b, "GET", _path(headers["Location"]))
    assert "导入完成：3份报表有变化" in page.decode()

    # a filing saved on A is seen on B at once
    filler = Browser()
    assert filler.login(a, "dongcheng_filler") == "ok"
    status, headers, _ = filler.post_form(a, "/filings/penalty/open", {"period": "2026Q2"}, "/filings/penalty/")
    assert status == 302, status
    edit = _path(headers["Location"])
    values = penalty_values(total=77)
    status, _, _ = filler.post_form(a, edit, values, edit)
    assert status == 302
    _, _, page = filler.request(b, "GET", edit)
    assert 'value="77"' in page.decode()

    # a logout on A ends the session on B
    assert filler.request(b, "GET", "/filings/penalty/")[0] == 200
    filler.request(a, "GET", "/logout/")
    status, headers, _ = filler.request(b, "GET", "/filings/penalty/")
    assert status == 302 and "/login" in headers["Location"]

    # failed logins spread over both servers lock the account (5 failures)
    victim = Browser()
    for i in range(5):
        victim.login(a if i % 2 else b, "gongan_filler", "wrong-password")
    assert victim.login(a, "gongan_filler") != "ok"  # the right password is refused now: locked
    with app.app_context():
        from app.extensions import db
        from app.models import PortalUser

        user = db.session.query(PortalUser).filter_by(username="gongan_filler").one()
        assert user.locked_until is not None
        user.locked_until, user.fail_login_count = None, 0
        db.session.commit()

    # the login rate limit (10 per 20 s per address) counts both servers' attempts (Redis): from a
    # fresh window (the logins above counted too), ten pass and the eleventh is refused
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    codes = [Browser().login(a if i % 2 else b, f"nobody{i}", "x") for i in range(11)]
    assert codes[-1] == 429 and 429 not in codes[:10], codes

    for log in two_servers["logs"]:
        text = log.read_text()
        assert "Traceback" not in text, text[-3000:]
