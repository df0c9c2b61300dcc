"""Deadline-day load test (issue 9): gunicorn + PostgreSQL on loopback, locust headless.

    DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench python bench/load.py [--users 200]

The database is reset first (its public schema is DROPPED), then `flask db upgrade`, `flask portal
init` and `flask portal demo` fill it. Setup: one filler and one approver account (bench_f_NNN /
bench_a_NNN) per unit that has not filed the last complete quarter (synthetic bureaus are added
when the demo has too few), each with its draft penalty filing; sessions are minted through
the test client (the login form is rate-limited per address, so the users do not log in during
the run). Then `gunicorn -c gunicorn.conf.py` on 127.0.0.1 and locust (bench/locustfile.py) with
--users, bounded by --run-time and LOAD_MAX_REQUESTS. Prints p50/p95/p99 (ms) and the error count.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
FILLER_WEIGHT, TOTAL_WEIGHT = 5, 10  # as in bench/locustfile.py: fillers 5, reviewers 3, leaders 2


def _mint(app, username: str, n: int, path: str) -> tuple[str, str]:
    """(session cookie, csrf token of `path`) of a fresh login through the test client."""
    from app.demo import DEMO_PASSWORD
    from tests.helpers import CSRF_RE

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"127.0.{n // 250}.{n % 250 + 2}"
    html = client.get("/login/").get_data(as_text=True)
    m = CSRF_RE.search(html)
    resp = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD,
                                        "csrf_token": m.group(1) or m.group(2) or m.group(3)})
    assert resp.status_code == 302, (username, resp.status_code)
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html)
    cookie = client.get_cookie("session").value
    return cookie, (m.group(1) or m.group(2) or m.group(3))


def reset_database(url: str) -> None:
    """Drop the public schema, then migrate and load the demo data (the CLI, as an operator would)."""
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                    "DROP SCHEMA public CASCADE; CREATE SCHEMA public"], check=True)
    for args in (["db", "upgrade"], ["portal", "init"], ["portal", "demo"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "run.py", *args], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prepare(fillers: int) -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from app.clock import today
    from app.demo import DEMO_PASSWORD
    from app.extensions import db
    from app.filing.periods import last_complete
    from app.filing.timeliness import is_expected
    from app.filing.values import open_filing
    from app.models import Filing, PortalUser, Unit
    from bench.scale import add_units
    from tests.helpers import penalty_values

    app = create_app()
    out = {"fillers": [], "reviewers": [], "leaders": []}
    with app.app_context():
        sm = app.appbuilder.sm
        filler_role = sm.find_user(username="dongcheng_filler").roles[0]
        approver_role = sm.find_user(username="dongcheng_approver").roles[0]
        period = last_complete("quarter", today())
        filed = set(db.session.scalars(select(Filing.unit_id).where(
            Filing.form_code == "penalty", Filing.period_key == period.key)))
        def unfiled():
            return [u for u in db.session.scalars(select(Unit).order_by(Unit.id))
                    if u.code != "0000" and u.id not in filed and is_expected(u, "penalty", period)]

        units = unfiled()
        if len(units) < fillers:  # one unit (and draft) per filler: synthetic bureaus make up the rest
            have = db.session.scalar(select(func.count()).select_from(Unit)) - 1
            add_units(have + fillers - len(units))
            units = unfiled()
        pairs = []
        for i, u in enumerate(units[:fillers]):
            names = (f"bench_f_{i:03d}", f"bench_a_{i:03d}")
            for name, role in zip(names, (filler_role, approver_role), strict=True):
                if not sm.find_user(username=name):
                    user = sm.add_user(name, "压测", name, f"{name}@bench.local", [role], DEMO_PASSWORD)
                    user.unit_id = u.id
            db.session.commit()
            filler = db.session.scalar(select(PortalUser).where(PortalUser.username == names[0]))
            filing = open_filing("penalty", period, filler)
            db.session.commit()
            pairs.append((names, filing.id))
    values = penalty_values()
    n = 0
    for (fname, aname), fid in pairs:
        cookie, csrf = _mint(app, fname, n, f"/filings/{fid}/edit")
        acookie, acsrf = _mint(app, aname, n + 1, f"/filings/{fid}")
        n += 2
        out["fillers"].append({"cookie": cookie, "csrf": csrf, "fid": fid, "values": values,
                               "approver_cookie": acookie, "approver_csrf": acsrf})
    for key, name in (("reviewers", "reviewer"), ("leaders", "leader")):
        cookie, csrf = _mint(app, name, n, "/")
        n += 1
        out[key].append({"cookie": cookie, "csrf": csrf})
    if not re.match(r"postgres", app.config["SQLALCHEMY_DATABASE_URI"]):
        print("warning: not PostgreSQL", file=sys.stderr)
    return out


def _wait_port(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def warm_up(port: int, sessions: dict, workers: int) -> None:
    """A server that has been up for a while: every worker has built its pages' templates."""
    import urllib.request

    pages = [("leaders", "/dashboard/"), ("leaders", "/reports/penalty/"), ("reviewers", "/filings/penalty/"),
             ("reviewers", "/timeliness/")]
    filler = sessions["fillers"][0]
    for _ in range(workers * 3):
        for who, path in [*pages, ("filler", f"/filings/{filler['fid']}/edit")]:
            cookie = filler["cookie"] if who == "filler" else sessions[who][0]["cookie"]
            req = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"Cookie": f"session={cookie}"})
            with urllib.request.urlopen(req, timeout=60) as resp:
                resp.read()


def summarize(prefix: str) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    per = {r["Name"]: {"n": int(r["Request Count"]), "fail": int(r["Failure Count"]),
                       "p50": r["50%"], "p95": r["95%"], "p99": r["99%"]} for r in rows}
    total = per.pop("Aggregated")
    return {"requests": total["n"], "errors": total["fail"], "p50_ms": float(total["p50"]),
            "p95_ms": float(total["p95"]), "p99_ms": float(total["p99"]), "per_request": per}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", default="90s")
    parser.add_argument("--max-requests", type=int, default=30000)
    parser.add_argument("--fillers", type=int, default=None,
                        help="filler accounts, one unit and draft filing each (default: one per filler user)")
    parser.add_argument("--wait", default="2,6", help="think time between a user's requests, min,max seconds")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql://postgres@127.0.0.1/"):
        raise SystemExit("DATABASE_URL must be postgresql://postgres@127.0.0.1/<db> (loopback only)")
    started = time.time()
    reset_database(url)
    fillers = args.fillers or -(-args.users * FILLER_WEIGHT // TOTAL_WEIGHT)
    sessions = prepare(fillers)
    work = Path(tempfile.mkdtemp(prefix="portal-load-"))
    (work / "sessions.json").write_text(json.dumps(sessions), encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, HOST=HOST, PORT=str(port), GUNICORN_LOGLEVEL="warning",
               LOAD_SESSIONS=str(work / "sessions.json"), LOAD_MAX_REQUESTS=str(args.max_requests), LOAD_WAIT=args.wait)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "--access-logfile", "/dev/null"], cwd=ROOT, env=env)
    try:
        _wait_port(port, time.time() + 60)
        warm_up(port, sessions, workers=int(env.get("WEB_CONCURRENCY", "5")))
        subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                        "--headless", "--only-summary", "-u", str(args.users), "-r", str(args.spawn_rate),
                        "--run-time", args.run_time, "--stop-timeout", "10", "--host", f"http://{HOST}:{port}",
                        "--csv", str(work / "load"), "--csv-full-history"], cwd=ROOT, env=env, timeout=900, check=False)
    finally:
        server.terminate()
        server.wait(timeout=60)
    result = summarize(str(work / "load"))
    result.update(users=args.users, wait_s=args.wait, fillers=len(sessions["fillers"]), cores=os.cpu_count(),
                  csv=str(work),
                  seconds=round(time.time() - started, 1))
    for name, r in sorted(result["per_request"].items()):
        print(f"{name:28s} n={r['n']:6d} fail={r['fail']:4d} p50={r['p50']:>6s} p95={r['p95']:>6s} p99={r['p99']:>6s}")
    print(json.dumps({k: v for k, v in result.items() if k != "per_request"}))


if __name__ == "__main__":
    main()
