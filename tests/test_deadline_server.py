"""Issue 8, Reliability — deadline day against a real server: the shipped gunicorn.conf.py
(`gunicorn -c gunicorn.conf.py`), 2 sync workers on the PostgreSQL test database when
TEST_DATABASE_URL is set (1 worker on the test's SQLite file otherwise), and 24 concurrent
clients over real HTTP: 20 units each open, fill and submit their filing, and two of them have
a second client racing on the same filing. Bounded: every request times out, the server is
stopped in `finally`. Proves: no 5xx and no transport error, no lost or duplicated filing,
exactly one submit and one creation record per filing, no traceback in the server's log.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from app.demo import DEMO_PASSWORD
from tests.concurrency_helpers import add_fillers, filing_counts, run_together
from tests.helpers import penalty_values

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026Q1"
STARTUP_SECONDS = 45
REQUEST_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Http:
    """One client machine: its own loopback source address (so per-address login limits see
    different clients, as on the real network), a fresh connection per request."""

    def __init__(self, port: int, source: str | None, token: str | None = None):
        self.port, self.source, self.token = port, source, token

    def request(self, method: str, path: str, body=None) -> tuple[int, dict | str]:
        source = (self.source, 0) if self.source else None
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_SECONDS,
                                          source_address=source)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            resp = conn.getresponse()
            raw = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, raw


def _source(i: int) -> str | None:
    """127.0.0.(10+i) when this host routes the loopback /8 (Linux), else the default."""
    address = f"127.0.0.{10 + i}"
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return address
    except OSError:
        return None


def _wait_ready(proc, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("gunicorn exited:\n" + log.read_text()[-3000:])
        try:
            status, _ = Http(port, None).request("GET", "/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("gunicorn did not answer in time:\n" + log.read_text()[-3000:])


def _stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group: gunicorn and its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_deadline_day_on_gunicorn(app, tmp_path):
    started = time.monotonic()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = "2" if url.startswith("postgresql") else "1"
    with app.app_context():
        solo = add_fillers(20, PERIOD)
    racers = [("dongcheng_filler", "0100"), ("gongan_filler", "2300")]
    accounts = solo + racers

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PROXY_FIX")}
    env.update(DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), AUDIT_KEY=app.config["AUDIT_KEY"],
               PII_KEY=app.config["PII_KEY"],
               HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY=workers,
               PORTAL_INSTANCE_DIR=str(tmp_path / "instance"), GUNICORN_LOGLEVEL="info", PYTHONUNBUFFERED="1")
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(proc, port, log)
        ready = time.monotonic() - started

        def login(i, name):
            status, body = Http(port, _source(i)).request(
                "POST", "/api/v1/security/login", {"username": name, "password": DEMO_PASSWORD, "provider": "db"})
            assert status == 200, (name, status, body)
            return body["access_token"]

        tokens = dict(zip([n for n, _ in accounts], run_together(
            [lambda i=i, n=n: login(i, n) for i, (n, _) in enumerate(accounts)]), strict=True))
        bad_logins = {n: t for n, t in tokens.items() if isinstance(t, Exception)}
        assert not bad_logins, bad_logins

        problems = []

        def call(client, method, path, body=None):
            status, data = client.request(method, path, body)
            if status not in (200, 409):
                problems.append((method, path, status, str(data)[:500]))
            return status, data

        def one_unit(i, name):
            c = Http(port, _source(i), tokens[name])
            status, data = call(c, "POST", "/api/v1/filings/", {"form": "penalty", "period": PERIOD})
            codes = [status]
            if status != 200:
                return codes
            fid, version = data["result"]["id"], data["result"]["version"]
            status, data = call(c, "PUT", f"/api/v1/filings/{fid}/values",
                                {"values": penalty_values(), "version": version})
            codes.append(status)
            if status == 200:
                version = data["result"]["version"]
            status, _ = call(c, "POST", f"/api/v1/filings/{fid}/transition", {"action": "submit", "version": version})
            codes.append(status)
            status, _ = call(c, "GET", f"/api/v1/filings/?period={PERIOD}&form=penalty")
            codes.append(status)
            return codes

        clients = solo + racers + racers
        storm_started = time.monotonic()
        results = run_together([lambda i=i, n=n: one_unit(i, n) for i, (n, _) in enumerate(clients)], timeout=90)
        storm = time.monotonic() - storm_started
    finally:
        _stop(proc)

    crashed = [r for r in results if isinstance(r, Exception)]
    assert not crashed and not problems, (crashed, problems)
    assert all(r == [200, 200, 200, 200] for r in results[:20]), results[:20]
    by_unit = {}
    for (_, code), r in zip(clients[20:], results[20:], strict=True):
        by_unit.setdefault(code, []).append(r)
    for code, runs in by_unit.items():
        assert [200, 200, 200, 200] in runs, (code, runs)  # one of the racers went all the way

    with app.app_context():
        got = filing_counts("penalty", PERIOD)
    assert got["units"] == sorted([c for _, c in solo] + ["0100", "2300"]) and not got["dupes"]
    assert set(got["states"].values()) == {"pending"}
    assert set(got["submits"].values()) == {1} and set(got["creates"].values()) == {1}

    print(f"setup+startup {ready:.1f}s, storm {storm:.1f}s for {len(clients)} clients × 4 requests")
    text = log.read_text()
    assert "Traceback" not in text and '" 500 ' not in text, text[-3000:]
    assert time.monotonic() - started < 90, f"took {time.monotonic() - started:.0f}s (storm {storm:.1f}s)"
