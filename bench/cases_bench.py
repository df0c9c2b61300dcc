"""The case registers at city scale (issue 17): 100,000 reconsideration cases a year × 5 years.

    python bench/cases_bench.py --database-url postgresql://postgres@127.0.0.1/portal_bench_i17   # schema DROPPED
    python bench/cases_bench.py --database-url … --reuse     # keep the loaded cases, time again

Loads the units, roles and demo accounts, then (COPY, in one transaction) 500,000 cases over
2021–2025 decided by the city office and the districts (one in ten against a 文号 shared with
other applicants, 1 % group applications, 14 % refused, 80 % decided within about 60 days),
about 650,000 applicants with valid citizen ids, their 案号 counters and a suit for 5 % of the
decided cases; then ANALYZE. Timed (server side: whole requests through the Flask test client,
no network; or the function in an app context), each the median of --runs interleaved runs:

- the register list, page 1 and a later page, city-wide (leader) and for a district (filler);
- searches by 案号, applicant name, citizen id, 文号 prefix and 被申请人;
- the API list;
- the derived half-yearly statistics (app.cases.stats.derived_figures), one district and city-wide;
- the 督办 list (every open case's limit) and the 热点 page over a half-year, city-wide.

Prints a table and one JSON line last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕红梅晓东晓明"
LEVELS = ["cg", "cd", "dg", "dd", "tw", "ot"]
DOMAINS = ["ps", "nr", "hc", "mk", "hr", "ev", "tr", "um", "hl", "ed", "ot"]
MATTERS = ["m_penalty", "m_enforcement", "m_levy", "m_licence", "m_ownership", "m_confirmation", "m_agreement",
           "m_compensation", "m_injury", "m_social", "m_expropriation", "m_information", "m_complaint",
           "m_inaction", "m_other"]
MATTERS_2015 = ["m_penalty", "m_enforcement", "m_levy", "m_licence", "m_ownership", "m_confirmation",
                "m_information", "m_complaint", "m_inaction", "m_other"]
OUTCOMES = ["o_dismissed", "o_upheld", "o_upheld", "o_upheld", "o_unlawful", "o_revoked", "o_varied", "o_ordered",
            "o_mediated", "o_settled", "o_terminated", "o_other"]
REASONS = ["r_no_party", "r_no_interest", "r_late", "r_remit", "r_no_request", "r_duplicate", "r_scope", "r_other"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

CASE_COLUMNS = ("id", "unit_id", "case_no", "case_year", "case_seq", "receipt_date", "receipt_channel", "group_size",
                "people", "org_applicants", "respondent_unit_id", "respondent_name", "respondent_level", "domain",
                "matter", "act_name", "act_number", "act_date", "amend_requested", "amend_received", "intake",
                "intake_date", "refusal_reason", "procedure", "hearing", "committee", "extension_days",
                "extension_reason", "extension_approver", "suspended_on", "resumed_on", "decided_on", "outcome",
                "opinion_issued", "suggestion_issued", "act_key", "version", "created_at", "updated_at")


def citizen_id(rnd: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 50))
    first = f"110{rnd.randrange(101, 120):03d}{birth:%Y%m%d}{rnd.randrange(1000):03d}"
    return first + CHECK[sum(int(c) * w for c, w in zip(first, WEIGHTS, strict=True)) % 11]


def _copy(cur, table: str, columns, rows) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(app, per_year: int, years: list[int], seed: int = 17) -> dict:
    """Write the cases with COPY (psycopg), in one transaction; returns what the timings need."""
    from sqlalchemy import select

    from app.cases.numbering import prefix_of
    from app.cases.repeats import normalise_number
    from app.cases.supervision import refresh_due_dates
    from app.extensions import db
    from app.models.unit import Unit

    rnd = random.Random(seed)
    with app.app_context():
        units = db.session.scalars(select(Unit)).all()
        deciders = [u for u in units if u.valid_to is None and (u.kind in ("district", "county")
                                                                or u.kind == "city_office")]
        respondents = [u for u in units if u.valid_to is None]
        prefixes = {u.id: prefix_of(u) for u in deciders}
        weights = [8 if u.kind == "city_office" else 1 for u in deciders]
        shared_acts = [(rnd.choice(respondents), f"京{rnd.choice('东西朝海丰')}罚〔{y}〕{n}号")
                       for y in years for n in range(1, 1500)]
        now = dt.datetime(2026, 1, 1)
        seq: dict[tuple[int, int], int] = {}
        cases, applicants, suits = [], [], []
        aid = cid = 0
        sample = {}
        for year in years:
            for _ in range(per_year):
                cid += 1
                unit = rnd.choices(deciders, weights)[0]
                receipt = dt.date(year, 1, 1) + dt.timedelta(days=rnd.randrange(365))
                key = (unit.id, year)
                seq[key] = seq.get(key, 0) + 1
                case_no = f"{prefixes[unit.id]}〔{year}〕{seq[key]}号"
                if rnd.random() < 0.1:
                    resp, act_number = rnd.choice(shared_acts)
                else:
                    resp, act_number = rnd.choice(respondents), f"京{rnd.randrange(10**6)}〔{year}〕{cid}号"
                named = rnd.random() < 0.6
                group = rnd.choice([6, 12, 35]) if rnd.random() < 0.01 else None
                n_app = 1 if rnd.random() < 0.85 else rnd.randrange(2, 4)
                orgs = 0
                for _j in range(n_app):
                    aid += 1
                    if rnd.random() < 0.2:
                        orgs += 1
                        company = f"北京{rnd.choice(SURNAMES)}{rnd.choice(GIVEN)}有限公司"
                        applicants.append((aid, cid, "法人或其他组织", company, None, None))
                    else:
                        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < .5
                                                                           else "")
                        applicants.append((aid, cid, "公民", name, citizen_id(rnd), f"139{rnd.randrange(10**8):08d}"))
                people = max(group or 0, n_app)
                roll = rnd.random()
                amend = receipt + dt.timedelta(days=2) if rnd.random() < 0.1 else None
                ready = amend + dt.timedelta(days=6) if amend else receipt
                intake = intake_date = reason = decided = outcome = None
                ext = susp = resumed = None
                matter = rnd.choice(MATTERS if year >= 2024 else MATTERS_2015)
                procedure = "简易程序" if rnd.random() < 0.3 else "普通程序"
                if roll < 0.1:
                    intake, intake_date, reason = "rejected", ready + dt.timedelta(days=4), rnd.choice(REASONS)
                elif roll < 0.14:
                    intake, intake_date = "other", ready + dt.timedelta(days=3)
                else:
                    intake, intake_date = "accepted", ready + dt.timedelta(days=rnd.randrange(0, 6))
                    if procedure == "普通程序" and rnd.random() < 0.15:
                        ext = rnd.randrange(10, 31)
                    if rnd.random() < 0.05:
                        susp = intake_date + dt.timedelta(days=20)
                        resumed = susp + dt.timedelta(days=rnd.randrange(10, 60))
                    span = (30 if procedure == "简易程序" else 60) + (ext or 0) + ((resumed - susp).days if susp else 0)
                    decided = intake_date + dt.timedelta(days=rnd.randrange(10, span + 8))
                    if decided >= dt.date(2026, 1, 1):
                        decided = None
                        if rnd.random() < 0.5:
                            susp = resumed = None
                    else:
                        outcome = rnd.choice(OUTCOMES)
                        if outcome == "o_dismissed" and year < 2024:
                            outcome = "o_upheld"
                cases.append((cid, unit.id, case_no, year, seq[key], receipt, "邮寄", group, people, orgs,
                              resp.id if named else None, resp.name if named else f"{resp.short_name}某执法队",
                              rnd.choice(LEVELS), rnd.choice(DOMAINS), matter, "行政决定书", act_number,
                              receipt - dt.timedelta(days=30), amend, ready if amend else None, intake, intake_date,
                              reason, procedure, rnd.random() < 0.05, rnd.random() < 0.02, ext,
                              "案情复杂" if ext else None, "主任" if ext else None, susp, resumed, decided, outcome,
                              rnd.random() < 0.03, rnd.random() < 0.01, normalise_number(act_number), 1, now, now))
                if decided and rnd.random() < 0.05:
                    suits.append((len(suits) + 1, resp.id, f"（{year}）京行初{cid}号", "北京市某人民法院", "一审",
                                  "申请人", "行政复议决定", "", "m_other", cid, True,
                                  min(decided + dt.timedelta(days=20), dt.date(2025, 12, 31)), False, 1, now, now))
                if cid == per_year * len(years) // 2:
                    sample = {"case_no": case_no, "id_number": applicants[-1][4] or citizen_id(rnd),
                              "name": applicants[-1][3][:2], "act": act_number[:6], "respondent": resp.name}
        conn = db.session.connection().connection.driver_connection
        with conn.cursor() as cur:
            _copy(cur, "recon_case", CASE_COLUMNS, cases)
            _copy(cur, "recon_applicant", ("id", "case_id", "kind", "name", "id_number", "phone"), applicants)
            _copy(cur, "litigation_case", ("id", "unit_id", "court_case_no", "court", "instance", "plaintiffs",
                                           "act_name", "act_number", "matter", "recon_case_id", "co_defendant",
                                           "complaint_received", "head_attended", "version", "created_at",
                                           "updated_at"), suits)
            _copy(cur, "case_counter", ("unit_id", "register", "year", "last"),
                  [(u, "recon", y, n) for (u, y), n in seq.items()])
            for table in ("recon_case", "recon_applicant", "litigation_case"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        db.session.commit()
        t = time.perf_counter()
        moved = refresh_due_dates()  # the open cases' stored limits, as after a holiday change
        db.session.commit()
        print(f"limits of {moved} open cases stored in {time.perf_counter() - t:.1f} s", flush=True)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
        print(f"loaded {len(cases)} cases, {len(applicants)} applicants, {len(suits)} suits", flush=True)
        return sample


def _median_ms(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/portal_bench_i17")
    parser.add_argument("--per-year", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="keep the database's cases (loaded before)")
    args = parser.parse_args(argv)
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)

    from sqlalchemy import create_engine, text

    from app import create_app
    from config import TestConfig

    years = list(range(2026 - args.years, 2026))
    sample_file = Path("/tmp/cases_bench_sample.json")
    if not args.reuse:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(TestConfig(url))
    if not args.reuse:
        with app.app_context():
            from flask_migrate import upgrade

            from app.demo import create_demo_accounts
            from app.security import sync_roles
            from app.unit_list import load_units

            upgrade()
            load_units()
            sync_roles()
            create_demo_accounts()
        t = time.perf_counter()
        sample = load(app, args.per_year, years)
        print(f"load: {time.perf_counter() - t:.0f} s", flush=True)
        sample_file.write_text(json.dumps(sample, ensure_ascii=False))
    else:
        sample = json.loads(sample_file.read_text())

    # SSD storage: random reads cost little more than sequential ones. With PostgreSQL's default (4)
    # the planner prefers a full scan to 5,000 primary-key lookups (a search by 被申请人).
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {engine.url.database} SET random_page_cost = 1.1")
    engine.dispose()
    app = create_app(TestConfig(url))  # new connections, with the setting

    # The register's clock: a working day early in the year after the five loaded years (cases
    # still open then are due or overdue as they would be, not all overdue by a year).
    import time_machine

    clock = time_machine.travel(dt.datetime(years[-1] + 1, 1, 6, 2, 0, tzinfo=dt.UTC), tick=True)
    clock.start()

    from tests.helpers import login

    leader = login(app.test_client(), "leader")
    filler = login(app.test_client(), "dongcheng_filler")

    def page(client, path):
        def run():
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)
        return run

    from app.cases.stats import derived_figures
    from app.filing.periods import Period
    from app.unit_list import unit_by_code

    def stats(unit_code):
        def run():
            with app.app_context():
                ids = None if unit_code is None else [unit_by_code(unit_code).id]
                figures = derived_figures(ids, Period.parse(f"{years[-1]}H1"))
                assert figures["new_applications"] > 0
        return run

    from urllib.parse import quote

    checks = [
        ("list: city-wide, page 1 (leader)", page(leader, "/cases/recon/")),
        ("list: city-wide, page 200", page(leader, "/cases/recon/?page=200")),
        ("list: city-wide, one year", page(leader, f"/cases/recon/?year={years[-1]}")),
        ("list: a district, page 1 (filler)", page(filler, "/cases/recon/")),
        ("search: 案号", page(leader, "/cases/recon/?q=" + quote(sample["case_no"]))),
        ("search: applicant name", page(leader, "/cases/recon/?q=" + quote(sample["name"]))),
        ("search: citizen id", page(leader, "/cases/recon/?q=" + quote(sample["id_number"]))),
        ("search: 文号 prefix", page(leader, "/cases/recon/?q=" + quote(sample["act"]))),
        ("search: 被申请人", page(leader, "/cases/recon/?q=" + quote(sample["respondent"]))),
        ("api: list, 50 a page", None),  # set below: the API takes a token
        ("statistics: a district, half-year", stats("0100")),
        ("statistics: city-wide, half-year", stats(None)),
        ("督办 list, city-wide", page(leader, "/cases/recon/supervise")),
        ("热点 page, city-wide half-year", page(leader, f"/cases/recon/hotspots?from={years[-1]}-01-01"
                                                   f"&to={years[-1]}-06-30")),
    ]
    # the API list needs a token
    api_headers = {}
    c = app.test_client()
    resp = c.post("/api/v1/security/login", json={"username": "leader", "password": "DemoPass@2026!",
                                                   "provider": "db"})
    api_headers["Authorization"] = f"Bearer {resp.json['access_token']}"

    def api_list():
        r = c.get("/api/v1/recon_cases/?page_size=50", headers=api_headers)
        assert r.status_code == 200
    checks[9] = ("api: list, 50 a page", api_list)

    results = {}
    for label, fn in checks:
        results[label] = round(_median_ms(fn, args.runs), 1)
        print(f"{label:45s} {results[label]:8.1f} ms", flush=True)
    out = {"cases": args.per_year * args.years, "runs": args.runs, "median_ms": results,
           "worst_core_ms": max(v for k, v in results.items() if not k.startswith(("督办", "热点")))}
    print(json.dumps(out, ensure_ascii=False))
    clock.stop()
    return out


if __name__ == "__main__":
    main()
    sys.exit(0)
