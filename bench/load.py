"""Deadline-day load test (issues 9 and 20): gunicorn + PostgreSQL on loopback, a realistic mix
that cannot flatter, and a count of the writes in the database afterwards.

    DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench python bench/load.py [--users 200]
    DATABASE_URL=… python bench/load.py --users 20 --run-time 60s --years 2 --driver threads   # smoke run

The database is reset (its public schema is DROPPED), migrated and initialised (`flask db upgrade`,
`flask portal init`, the demo accounts), then the city is built with bench/scale.py (executemany):
500 reporting units (--units) with 20 years (--years) of every case form, all accepted, every
tenth corrected once, up to the last complete period; the fillers' units stop DRAFTS quarters
earlier and get those quarters as drafts to fill. Then one account per virtual user — a filler
and an approver for each of the fillers' units, reviewers (each with a share of those units),
leaders — each with its own session minted through the login form (the form is rate-limited per
address, so the users do not log in during the run). gunicorn (`gunicorn.conf.py`) on 127.0.0.1 is
warmed up, then the users of bench/deadline.py run for --run-time under locust (bench/locustfile.py;
--driver threads: plain threads with requests, for a smoke run where locust is not installed).

Afterwards the database is asked what the users did: saves (audit rows filing.values), submissions,
sign-offs, unit returns, acceptances, returns and reopenings (filing transitions) by the bench
accounts, against what the users counted as done. Prints p50/p95/p99 per kind of request, the
errors, the writes verified, and one JSON line; exits 1 when a write is missing or extra.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import cpu  # noqa: E402

HOST = "127.0.0.1"
WEIGHTS = {"fillers": 3, "approvers": 3, "reviewers": 2, "leaders": 2}  # as in bench/locustfile.py
DRAFTS = 8  # quarters each filler's unit has to fill
PREFIX = {"fillers": "bench_f", "approvers": "bench_a", "reviewers": "bench_r", "leaders": "bench_l"}
DEMO_ROLE = {"fillers": "dongcheng_filler", "approvers": "dongcheng_approver", "reviewers": "reviewer",
             "leaders": "leader"}


def _mint(app, username: str, n: int, path: str) -> tuple[str, str]:
    """(session cookie, csrf token of `path`) of a fresh login through the login form."""
    from app.demo import DEMO_PASSWORD
    from tests.helpers import CSRF_RE

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"127.0.{n // 250}.{n % 250 + 2}"
    html = client.get("/login/").get_data(as_text=True)
    m = CSRF_RE.search(html)
    resp = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD,
                                        "csrf_token": m.group(1) or m.group(2) or m.group(3)})
    assert resp.status_code == 302 and "/login" not in resp.location, (username, resp.status_code)
    resp = client.get(path)
    assert resp.status_code == 200, (username, path, resp.status_code, resp.location)
    m = CSRF_RE.search(resp.get_data(as_text=True))
    return client.get_cookie("session").value, (m.group(1) or m.group(2) or m.group(3))


def refresh(app, sessions: dict) -> None:
    """New logins for the accounts of an earlier run (`--reuse`): their sessions have since
    ended by the portal's idle timeout (IDLE_TIMEOUT_MINUTES)."""
    k = 0
    for role, users in sessions.items():
        for s in users:
            path = "/filings/penalty/" if role != "leaders" else "/dashboard/"
            s["cookie"], s["csrf"] = _mint(app, s["user"], k, path)
            k += 1


def reset_database(url: str) -> None:
    """Drop the public schema, then migrate and initialise (the CLI, as an operator would)."""
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                    "DROP SCHEMA public CASCADE; CREATE SCHEMA public"], check=True)
    for args in (["db", "upgrade"], ["portal", "init"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "run.py", *args], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def counts_for(users: int) -> dict[str, int]:
    """Accounts per role for `users` virtual users (locust splits them by weight; one spare each)."""
    total = sum(WEIGHTS.values())
    n = {role: math.ceil(users * w / total) + 1 for role, w in WEIGHTS.items()}
    n["fillers"] = n["approvers"] = max(n["fillers"], n["approvers"])  # a filler and an approver a unit
    return n


def build_city(app, units: int, years: int, load_units: int) -> dict:
    """The city (bench/scale.py); returns the fillers' unit ids and what was built."""
    from app.clock import today
    from app.demo import create_demo_accounts
    from app.extensions import db
    from app.filing.periods import YEAR, Period, last_complete
    from app.forms import FORMS
    from bench.scale import add_filings, add_staff, add_units

    with app.app_context():
        create_demo_accounts()
        ids = add_units(units)
        city, mine = ids[:-load_units], ids[-load_units:]
        built = {"units": len(ids), "years": years}
        for code, spec in FORMS.items():
            kind = spec.period_kind
            last = last_complete(kind, today())
            first = Period(last_complete(YEAR, today()).year - years + 1, kind, 1)
            built[code] = add_filings(code, city, first, last)
            if code == "penalty":
                for _i in range(DRAFTS):
                    last = last.previous()  # the fillers' units: their last DRAFTS quarters are to fill
            built[code] += add_filings(code, mine, first, last)
        built.update(add_staff(ids))
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return {"load_units": mine, "built": built}


def prepare(app, n: dict[str, int], load_units: list[int]) -> dict:
    """Accounts, draft filings and sessions for every virtual user."""
    from sqlalchemy import select

    from app.clock import today
    from app.demo import DEMO_PASSWORD
    from app.extensions import db
    from app.filing.periods import HALF, QUARTER, YEAR, last_complete, periods_between
    from app.filing.values import open_filing
    from app.models import PortalUser
    from tests.helpers import penalty_values

    sessions: dict[str, list] = {role: [] for role in WEIGHTS}
    with app.app_context():
        sm = app.appbuilder.sm
        last = last_complete(QUARTER, today())
        first = last
        for _i in range(DRAFTS - 1):
            first = first.previous()
        drafts = periods_between(QUARTER, first, last)
        year, half = last_complete(YEAR, today()).key, last_complete(HALF, today()).key
        accounts = []
        for role, count in n.items():
            demo = sm.find_user(username=DEMO_ROLE[role])
            for i in range(count):
                name = f"{PREFIX[role]}_{i:03d}"
                unit_id = load_units[i] if role in ("fillers", "approvers") else demo.unit_id
                user = sm.add_user(name, "压测", name, f"{name}@bench.local", list(demo.roles), DEMO_PASSWORD)
                assert user, name
                user.unit_id = unit_id
                accounts.append((role, i, name))
        db.session.commit()
        fids = {}
        for i in range(n["fillers"]):
            filler = db.session.scalar(select(PortalUser).where(PortalUser.username == f"bench_f_{i:03d}"))
            fids[i] = [open_filing("penalty", p, filler, commit=False).id for p in drafts]
        db.session.commit()
    values = penalty_values()
    reviewers = n["reviewers"]
    for k, (role, i, name) in enumerate(accounts):
        path = "/filings/penalty/" if role != "leaders" else "/dashboard/"
        cookie, csrf = _mint(app, name, k, path)
        s = {"user": name, "cookie": cookie, "csrf": csrf, "seed": k}
        if role == "fillers":
            s.update(fids=fids[i], values=values, serial=i)
        elif role == "reviewers":
            s.update(units=load_units[i::reviewers] or load_units[:1])
        elif role == "leaders":
            s.update(year=year, half=half)
        sessions[role].append(s)
    return sessions


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


def warm_up(base: str, sessions: dict, workers: int) -> None:
    """A server that has been up for a while: every worker has built its pages' templates (with a
    spare leader account: the users' own sessions are not touched before the run)."""
    import requests

    leader = sessions["leaders"][-1]
    filler = sessions["fillers"][-1]
    pages = [(leader, "/dashboard/"), (leader, f"/reports/penalty/?from={leader['year']}"),
             (leader, f"/reports/analysis?period={leader['half']}"), (filler, "/filings/penalty/"),
             (filler, f"/filings/{filler['fids'][0]}")]
    for _ in range(workers * 2):
        for s, path in pages:
            requests.get(base + path, cookies={"session": s["cookie"]}, timeout=120)


# --- the threads driver (a smoke run without locust) -------------------------------------------------


class _ThreadClient:
    def __init__(self, base: str, cookie: str, stats):
        import requests

        self.base, self.stats = base, stats
        self.http = requests.Session()
        self.http.cookies.set("session", cookie, domain=HOST, path="/")  # as the server sets it (see locustfile)

    def call(self, method, path, name, data=None, check=None, fail=None):
        from bench.deadline import StepFailed

        if fail is not None:
            self.stats(name, 0.0, fail)
            return None
        t = time.perf_counter()
        try:
            r = self.http.request(method, self.base + path, data=data, timeout=120)
            out, error = check(r), None
        except StepFailed as exc:
            out, error = None, str(exc)
        except OSError as exc:
            out, error = None, type(exc).__name__
        self.stats(name, (time.perf_counter() - t) * 1000, error)
        return None if error else (True if out is None else out)


def run_threads(base: str, sessions: dict, n: dict[str, int], users: int, seconds: float, wait) -> dict:
    """`users` threads split by WEIGHTS, each a deadline.Flow on its own session, for `seconds`."""
    from bench import deadline

    times: dict[str, list] = defaultdict(list)
    fails: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def stats(name, ms, error):
        with lock:
            times[name].append(ms)
            if error:
                fails[name] += 1
                reasons[f"{name}: {error}"] += 1

    total = sum(WEIGHTS.values())
    plan = [role for role, w in WEIGHTS.items() for _i in range(round(users * w / total))]
    end = time.time() + seconds
    taken = defaultdict(int)

    def user(role, session):
        flow = deadline.ROLES[role](_ThreadClient(base, session["cookie"], stats), session)
        rng = random.Random(session["seed"])
        time.sleep(rng.uniform(0, wait[1]))  # users arrive over the first think time
        while time.time() < end:
            flow.step()
            time.sleep(rng.uniform(*wait))

    threads = []
    for role in plan:
        s = sessions[role][taken[role]]
        taken[role] += 1
        threads.append(threading.Thread(target=user, args=(role, s), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 180)
    per = {}
    for name, ts in sorted(times.items()):
        qs = statistics.quantiles(ts, n=100) if len(ts) > 1 else ts * 99
        per[name] = {"n": len(ts), "fail": fails[name], "p50": f"{qs[49]:.0f}", "p95": f"{qs[94]:.0f}",
                     "p99": f"{qs[98]:.0f}"}
    every = [t for ts in times.values() for t in ts]
    qs = statistics.quantiles(every, n=100) if len(every) > 1 else [0.0] * 99
    return {"requests": len(every), "errors": sum(fails.values()), "p50_ms": round(qs[49]),
            "p95_ms": round(qs[94]), "p99_ms": round(qs[98]), "per_request": per,
            "failures": dict(reasons), "done": dict(deadline.DONE)}


def summarize(prefix: str) -> dict:
    """Locust's CSV: totals and per kind of request."""
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    per = {r["Name"]: {"n": int(r["Request Count"]), "fail": int(r["Failure Count"]),
                       "p50": r["50%"], "p95": r["95%"], "p99": r["99%"]} for r in rows}
    total = per.pop("Aggregated")
    failures = {}
    if Path(f"{prefix}_failures.csv").exists():
        for r in csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")):
            failures[f"{r['Name']}: {r['Error']}"] = int(r["Occurrences"])
    return {"requests": total["n"], "errors": total["fail"], "p50_ms": float(total["p50"]),
            "p95_ms": float(total["p95"]), "p99_ms": float(total["p99"]), "per_request": per, "failures": failures}


# --- what the database holds afterwards --------------------------------------------------------------


def verify(app, done: dict, since) -> dict:
    """The writes in the database by the bench accounts since the run began (`since`, naive UTC as
    stored), against what the users counted as done."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import FilingTransition
    from app.models.audit import AuditLog

    who = {"save": "bench_f_%", "submit": "bench_f_%", "reopen": "bench_f_%", "sign_off": "bench_a_%",
           "unit_return": "bench_a_%", "accept": "bench_r_%", "return": "bench_r_%"}
    found = {}
    with app.app_context():
        found["save"] = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "filing.values", AuditLog.username.like("bench_f_%"), AuditLog.at >= since))
        for action, pattern in who.items():
            if action != "save":
                found[action] = db.session.scalar(select(func.count()).select_from(FilingTransition).where(
                    FilingTransition.action == action, FilingTransition.username.like(pattern),
                    FilingTransition.at >= since))
    rows = {k: {"done": done.get(k, 0), "in_database": found[k]} for k in who}
    return {"writes": rows, "intended": sum(done.get(k, 0) for k in who),
            "verified": sum(min(done.get(k, 0), found[k]) for k in who),
            "match": all(done.get(k, 0) == found[k] for k in who)}


def _generator_cpu(driver: str) -> float:
    """CPU seconds of the load generator so far: locust runs as a child (counted once it has
    ended), the thread driver in this process."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN if driver == "locust" else resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def cpu_use(spent: dict, generator_s: float, wall_s: float, requests: int) -> dict:
    """The run's CPU: the portal's (gunicorn workers and PostgreSQL) per request, and the rate at
    which that need alone fills every core of this machine — above it no server setting helps."""
    cores = os.cpu_count() or 1
    portal_s = spent["server_s"] + spent["postgres_s"]
    per_request = portal_s / max(requests, 1)
    return dict(spent, load_generator_s=round(generator_s, 1), wall_s=round(wall_s, 1), cores=cores,
                machine_busy_share=round(spent["machine_busy_s"] / (wall_s * cores), 2),
                portal_cpu_ms_per_request=round(per_request * 1000, 1),
                achieved_rps=round(requests / wall_s, 1),
                cpu_bound_rps=round(cores / per_request, 1) if per_request else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", default="120s")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=500, help="reporting units of the city (default 500)")
    parser.add_argument("--years", type=int, default=20, help="years of accepted filings (default 20)")
    parser.add_argument("--wait", default="2,6", help="think time between a user's steps, min,max seconds")
    parser.add_argument("--driver", choices=("locust", "threads"), default="locust")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11"),
                        help="the portal's Redis, as in production (rate limits, shared chart images); "
                        "flushed before a fresh run; '' for none")
    parser.add_argument("--reuse", metavar="DIR", help="run again on the city and sessions of an earlier run "
                        "(its work directory, printed as `work`): no reset, no build")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if args.redis_url:  # the app in this process and gunicorn's both read it from the environment
        os.environ["REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    if not url.startswith("postgresql://postgres@127.0.0.1/"):
        raise SystemExit("DATABASE_URL must be postgresql://postgres@127.0.0.1/<db> (loopback only)")
    seconds = float(args.run_time.rstrip("s")) if args.run_time.endswith("s") else float(args.run_time) * 60
    wait = tuple(float(x) for x in args.wait.split(","))
    started = time.time()
    n = counts_for(args.users)
    if args.reuse:
        from app import create_app

        app = create_app()
        work = Path(args.reuse)
        sessions = json.loads((work / "sessions.json").read_text(encoding="utf-8"))
        city = json.loads((work / "city.json").read_text(encoding="utf-8"))
        n = {role: len(v) for role, v in sessions.items()}
        refresh(app, sessions)
        (work / "sessions.json").write_text(json.dumps(sessions), encoding="utf-8")
    else:
        reset_database(url)
        if args.redis_url:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
        from app import create_app

        app = create_app()
        city = build_city(app, args.units, args.years, n["fillers"])
        print(f"city: {city['built']} in {time.time() - started:.0f}s", file=sys.stderr)
        sessions = prepare(app, n, city["load_units"])
        print(f"accounts and sessions: {n} ({time.time() - started:.0f}s)", file=sys.stderr)
        work = Path(tempfile.mkdtemp(prefix="portal-load-"))
        (work / "sessions.json").write_text(json.dumps(sessions), encoding="utf-8")
        (work / "city.json").write_text(json.dumps(city), encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, HOST=HOST, PORT=str(port), GUNICORN_LOGLEVEL="warning",
               LOAD_SESSIONS=str(work / "sessions.json"), LOAD_COUNTS=str(work / "done.json"),
               LOAD_MAX_REQUESTS=str(args.max_requests), LOAD_WAIT=args.wait)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "--access-logfile", "/dev/null"], cwd=ROOT, env=env,
                              stderr=open(work / "gunicorn.log", "w"))
    base = f"http://{HOST}:{port}"
    try:
        _wait_port(port, time.time() + 60)
        warm_up(base, sessions, workers=int(env.get("WEB_CONCURRENCY", "5")))
        from app.clock import utcnow

        run_began = utcnow()
        cpu_before, gen_before, wall_began = cpu.snapshot(server.pid), _generator_cpu(args.driver), time.time()
        if args.driver == "locust":
            subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                            "--headless", "--only-summary", "-u", str(args.users), "-r", str(args.spawn_rate),
                            "--run-time", args.run_time, "--stop-timeout", "30", "--host", base,
                            "--csv", str(work / "load")], cwd=ROOT, env=env, timeout=seconds + 900, check=False)
            result = summarize(str(work / "load"))
            result["done"] = json.loads((work / "done.json").read_text(encoding="utf-8"))
        else:
            result = run_threads(base, sessions, n, args.users, seconds, wait)
        result["cpu"] = cpu_use(cpu.spent(cpu_before, cpu.snapshot(server.pid)),
                                _generator_cpu(args.driver) - gen_before, time.time() - wall_began,
                                result["requests"])
    finally:
        server.terminate()
        server.wait(timeout=60)
    result["verify"] = verify(app, result["done"], run_began)
    result.update(users=args.users, driver=args.driver, wait_s=args.wait, accounts=n, city=city["built"],
                  cores=os.cpu_count(), redis=bool(args.redis_url), work=str(work),
                  seconds=round(time.time() - started, 1))
    for name, r in sorted(result["per_request"].items()):
        print(f"{name:28s} n={r['n']:6d} fail={r['fail']:4d} p50={r['p50']:>6s} p95={r['p95']:>6s} p99={r['p99']:>6s}")
    for reason, count in sorted(result["failures"].items()):
        print(f"failed: {reason} ×{count}")
    v = result["verify"]
    for kind, row in v["writes"].items():
        print(f"writes {kind:12s} done {row['done']:6d}  in the database {row['in_database']:6d}")
    print(f"writes verified: {v['verified']} of {v['intended']} ({'all there' if v['match'] else 'MISMATCH'})")
    print(json.dumps({k: v for k, v in result.items() if k not in ("per_request", "failures")}, ensure_ascii=False))
    sys.exit(0 if v["match"] else 1)


if __name__ == "__main__":
    main()
