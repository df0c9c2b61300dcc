"""Benchmarks of the statistics layer and the exports at city scale (issue 6; the harness of issue 9).

    python bench/run.py            # 500 units × 20 years, every form, repeated 9×
    python bench/run.py --quick    # 500 units × 20 years of quarterly penalty filings, 5×; < 60 s
    python bench/run.py --database-url postgresql://postgres@127.0.0.1/portal_bench   # schema dropped!

Then (bench/pages_bench.py, issue 20) whole pages against the hand-written SQL for their figures at
500 and 5,000 units, on a database of their own (rebuilt): `pages_vs_sql` in the JSON line holds
each page's ratio at 500 and at 5,000 units and the growth (page time ratio / unit ratio).

Ratios (medians of interleaved runs, same machine, same data):
  report_vs_sql         the statistics layer (aggregate → rows with their figures) against the hand-
                        written SQL for the same numbers run through the bare driver: a city-wide
                        yearly report per unit over all 20 years (10,000 rows), and one year (500 rows)
  export_vs_xlsxwriter  the report's Excel export (styles, grouped headers, totals, widths) against
                        writing the same cells with bare XlsxWriter; and the streamed filings list
                        (constant_memory) against bare XlsxWriter in the same mode
  list_vs_bare_fab      the filing list page against a bare FAB ModelView (bench/list_bench.py)
On SQLite the ratios compare CPU time of this process (steady on a busy machine); on
PostgreSQL, wall-clock time. Page figures are wall-clock medians of whole requests.
The last line printed is one JSON object with the ratios (and the absolute figures).
"""

from __future__ import annotations

import argparse
import gc
import io
import itertools
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = 20
LAST_YEAR = 2024
UNITS = 500


def make_app(url: str | None):
    """A migrated portal on a throwaway SQLite file (or the given database, schema reset)."""
    from app import create_app
    from config import TestConfig

    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='portal-bench-')}/bench.db"
    elif url.startswith("postgres"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(TestConfig(url))
    with app.app_context():
        from flask_migrate import upgrade

        from app.demo import create_demo_accounts
        from app.security import sync_roles
        from app.unit_list import load_units

        upgrade()
        load_units()
        sync_roles()
        create_demo_accounts()
    return app, url


def generate(app, quick: bool) -> dict:
    from app.filing.periods import Period
    from bench.scale import add_filings, add_staff, add_units

    with app.app_context():
        units = add_units(UNITS)
        first = LAST_YEAR - YEARS + 1
        counts = {"units": len(units), "penalty": add_filings(
            "penalty", units, Period(first, "quarter", 1), Period(LAST_YEAR, "quarter", 4))}
        if not quick:
            for code in ("reconsideration", "litigation"):
                counts[code] = add_filings(code, units, Period(first, "half", 1), Period(LAST_YEAR, "half", 2))
        counts.update(add_staff(units))
        from app.extensions import db

        db.session.execute(db.text("ANALYZE"))  # planner statistics, as a live database would have
        db.session.commit()
    return counts


# SQLite runs inside this process, so CPU time measures the work itself and stays steady on a
# busy machine; PostgreSQL works in its own processes, so it is measured by the wall clock.
CLOCK = {"name": "process_time", "fn": time.process_time}


def use_wall_clock() -> None:
    CLOCK.update(name="perf_counter", fn=time.perf_counter)


def _timed(fn) -> float:
    gc.collect()  # every run starts from a collected heap
    clock = CLOCK["fn"]
    t = clock()
    fn()
    return clock() - t


def median_pair(a, b, repeat: int, warm: bool = True) -> tuple[float, float]:
    """Medians of `a` and `b`, run alternately (a warm-up of each first, unless `warm` is off)."""
    if warm:
        a(), b()
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(_timed(a))
        tb.append(_timed(b))
    return statistics.median(ta), statistics.median(tb)


def median(fn, repeat: int) -> float:
    """Median wall-clock time of whole requests (what a user waits for)."""
    fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _penalty_spec(year: int):
    """The penalty form in force at the end of `year` (the layer reports that version's fields)."""
    from app.filing.periods import Period
    from app.forms import get_form

    return get_form("penalty", Period(year, "quarter", 4))


def raw_report_sql(first: int, last: int, by_year: bool) -> str:
    """The same figures as the layer, written by hand (every field summed, per unit and year)."""
    cols = ", ".join(f"SUM(v.{f.name})" for f in _penalty_spec(last).numeric_fields)
    year = ", f.year" if by_year else ""
    return (f"SELECT u.id, u.code, u.short_name{year}, COUNT(*), {cols} FROM filing f "
            f"JOIN values_penalty v ON v.filing_id = f.id AND v.revision = f.revision "
            f"JOIN unit u ON u.id = f.unit_id "
            f"WHERE f.form_code = 'penalty' AND f.state = 'accepted' AND f.year BETWEEN {first} AND {last} "
            f"GROUP BY u.id, u.code, u.short_name{year} ORDER BY u.code{year}")


def bench_report_vs_sql(app, repeat: int) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.filing.periods import Period
    from app.models import PortalUser
    from app.reporting.aggregate import StatsQuery, aggregate

    out = {}
    first = LAST_YEAR - YEARS + 1
    with app.test_request_context():
        admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "admin"))
        cases = {"all_years": (StatsQuery("penalty", Period(first, "year"), Period(LAST_YEAR, "year"), split=True),
                               raw_report_sql(first, LAST_YEAR, True)),
                 "one_year": (StatsQuery("penalty", Period(LAST_YEAR, "year")),
                              raw_report_sql(LAST_YEAR, LAST_YEAR, False))}
        fields = [f.name for f in _penalty_spec(LAST_YEAR).numeric_fields]
        for name, (q, sql) in cases.items():
            def layer(q=q):
                table = aggregate(q, admin)
                return [(r.key, r.period, r.filings, r.values) for r in table.rows]

            def raw(sql=sql):
                return db.session.connection().exec_driver_sql(sql).fetchall()

            mine, bare = layer(), raw()
            assert len(mine) == len(bare) and all(
                m[2] == b[4 if q.split else 3] and [m[3][f] for f in fields] == list(b[5 if q.split else 4:])
                for m, b in zip(mine, bare, strict=True)), f"{name}: the layer and the SQL disagree"
            # short queries get more repeats: one slow run of a busy machine must not decide the median
            t_layer, t_raw = median_pair(layer, raw, repeat if q.split else max(25, repeat * 3))
            out[name] = {"rows": len(mine), "layer_ms": round(t_layer * 1000, 1), "sql_ms": round(t_raw * 1000, 1),
                         "ratio": round(t_layer / t_raw, 3)}
    return out


def _bare_cell(ws, r, c, value, kind, money_div):
    if value is None:
        ws.write_string(r, c, "—")
    elif kind == "money":
        ws.write_number(r, c, value / money_div)
    elif kind in ("count", "rate"):
        ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value)
    else:
        ws.write_string(r, c, str(value))


def bench_export_vs_xlsxwriter(app, repeat: int, list_rows: int) -> dict:
    import xlsxwriter
    from sqlalchemy import select

    from app.exports.reports import detail_columns, detail_xlsx, report_xlsx
    from app.extensions import db
    from app.filing.periods import Period
    from app.models import PortalUser
    from app.reporting.aggregate import StatsQuery
    from app.reporting.detail import detail_rows
    from app.reporting.report import build_report

    out = {}
    with app.test_request_context():
        admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "admin"))
        report = build_report(StatsQuery("penalty", Period(LAST_YEAR, "year")), "全市", user=admin)
        columns = report.columns
        rows = [r.cells for r in report.rows]

        def bare_report():
            buf = io.BytesIO()
            wb = xlsxwriter.Workbook(buf, {"in_memory": True})
            ws = wb.add_worksheet()
            ws.write_string(0, 0, report.title)
            for i, (label, value) in enumerate(report.meta, start=1):
                ws.write_string(i, 0, f"{label}：{value}")
            r = len(report.meta) + 2
            for c, col in enumerate(columns):
                ws.write_string(r, c, col.group)
                ws.write_string(r + 1, c, col.label)
            r += 2
            for cells in [*rows, report.total.cells]:
                for c, col in enumerate(columns):
                    _bare_cell(ws, r, c, cells[c], col.kind, 1_000_000)
                r += 1
            wb.close()
            return buf.getvalue()

        t_mine, t_bare = median_pair(lambda: report_xlsx(report), bare_report, repeat)
        out["report"] = {"rows": len(rows), "cells": len(rows) * len(columns), "export_ms": round(t_mine * 1000, 1),
                         "bare_ms": round(t_bare * 1000, 1), "ratio": round(t_mine / t_bare, 3)}

        q = StatsQuery("penalty", Period(LAST_YEAR - YEARS + 1, "quarter", 1), Period(LAST_YEAR, "quarter", 4))
        fetched = list(detail_rows(q, admin))
        cols = detail_columns("penalty")
        kinds = [c.kind for c in cols]

        def stream():
            return itertools.islice(itertools.cycle(fetched), list_rows)

        def mine_list():
            with tempfile.TemporaryFile() as fh:
                detail_xlsx("penalty", "明细", [("统计范围", "全市")], stream(), "wan", target=fh)

        def bare_list():
            with tempfile.TemporaryFile() as fh:
                wb = xlsxwriter.Workbook(fh, {"constant_memory": True})
                ws = wb.add_worksheet()
                ws.write_string(0, 0, "明细")
                for c, col in enumerate(cols):
                    ws.write_string(3, c, col.group)
                    ws.write_string(4, c, col.label)
                r = 5
                for values in stream():
                    for c, kind in enumerate(kinds):
                        _bare_cell(ws, r, c, values[c], kind, 1_000_000)
                    r += 1
                wb.close()

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the first streamed export
        mine_list()
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        # long runs: that was the warm-up; two pairs are enough to see the overhead
        t_mine, t_bare = median_pair(mine_list, bare_list, 2 if list_rows > 20_000 else 3, warm=False)
        tracemalloc.start()  # peak of the writer itself, on a tenth of the rows (tracing is slow)
        with tempfile.TemporaryFile() as fh:
            detail_xlsx("penalty", "明细", [], itertools.islice(itertools.cycle(fetched), list_rows // 10), "wan",
                        target=fh)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out["list"] = {"rows": list_rows, "cells": list_rows * len(cols), "export_ms": round(t_mine * 1000, 1),
                       "bare_ms": round(t_bare * 1000, 1), "ratio": round(t_mine / t_bare, 3),
                       "traced_peak_mb_at_tenth": round(peak / 2**20, 1),
                       "max_rss_growth_mb": round(rss_growth / 1024, 1)}
    return out


def bench_list(app, repeat: int) -> dict | None:
    """list_vs_bare_fab from bench/list_bench.py (issue 9), when that module is there."""
    try:
        from bench.list_bench import list_vs_bare_fab
    except ImportError:
        return None
    return list_vs_bare_fab(app, repeat)


PAGES = {  # name: (who, path) — at city scale, whole requests
    "dashboard": ("leader", "/dashboard/"),
    "report_page": ("leader", f"/reports/penalty/?from={LAST_YEAR}"),
    "report_export": ("leader", f"/reports/penalty/export.xlsx?from={LAST_YEAR}"),
    "analysis_page": ("leader", f"/reports/analysis?period={LAST_YEAR}"),
    "filing_list": ("reviewer", "/filings/penalty/"),
    "staff_list": ("admin", "/staff/list/"),
    "audit_log": ("audit_admin", "/auditlogview/list/"),
}


def bench_pages(app, repeat: int) -> dict:
    """Absolute medians of whole requests (test client, no network), and of a filing save."""
    from tests.helpers import login

    clients = {}
    out = {}
    for name, (who, path) in PAGES.items():
        if who not in clients:
            clients[who] = app.test_client()
            login(clients[who], who)

        def get(client=clients[who], path=path):
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)

        out[name] = round(median(get, repeat) * 1000, 1)
    out["filing_save"] = bench_save(app, repeat)
    return out


def bench_save(app, repeat: int) -> float:
    """Median of one save of the penalty form (POST of every field, validated, a new value row
    version, audited) by a unit's filler, through the test client."""
    from app.clock import today
    from app.extensions import db
    from app.filing.periods import last_complete
    from app.filing.values import open_filing
    from app.models import Filing, PortalUser
    from tests.helpers import csrf_token, login, penalty_values

    client = app.test_client()
    login(client, "dongcheng_filler")
    with app.app_context():
        filler = db.session.scalar(db.select(PortalUser).where(PortalUser.username == "dongcheng_filler"))
        fid = open_filing("penalty", last_complete("quarter", today()), filler).id
        db.session.commit()
    token = csrf_token(client, f"/filings/{fid}/edit")
    times = []
    for _ in range(repeat + 1):
        with app.app_context():
            version = db.session.get(Filing, fid).version
        data = {**penalty_values(fines_yuan=f"{50_000 + version}.00"), "_version": str(version), "csrf_token": token}
        gc.collect()
        t = time.perf_counter()
        resp = client.post(f"/filings/{fid}/edit", data=data)
        times.append(time.perf_counter() - t)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return round(statistics.median(times[1:]) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="penalty filings only, fewer repeats (< 60 s)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL (its public schema is DROPPED); default: a temporary SQLite file")
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args()
    repeat = args.repeat or (7 if args.quick else 9)
    started = time.perf_counter()
    app, url = make_app(args.database_url)
    if not url.startswith("sqlite"):
        use_wall_clock()
    counts = generate(app, args.quick)
    print(f"data: {counts} on {url.split('://')[0]} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    report = bench_report_vs_sql(app, repeat)
    print(f"report_vs_sql: {report}", file=sys.stderr)
    export = bench_export_vs_xlsxwriter(app, repeat, 5_000 if args.quick else 100_000)
    print(f"export_vs_xlsxwriter: {export}", file=sys.stderr)
    listing = bench_list(app, repeat)
    if listing:
        print(f"list_vs_bare_fab: {listing}", file=sys.stderr)
    pages = {} if args.quick else bench_pages(app, repeat)
    if pages:
        print(f"pages (ms): {pages}", file=sys.stderr)
    # whole pages against their SQL at 500 and 5,000 units: a database of their own (issue 20)
    from bench.pages_bench import run as pages_vs_sql

    page_app, _url = make_app(args.database_url)
    vs_sql = pages_vs_sql(page_app, args.quick, max(3, repeat - 2) if args.quick else repeat)
    result = {
        "report_vs_sql": max(r["ratio"] for r in report.values()),
        "export_vs_xlsxwriter": max(e["ratio"] for e in export.values()),
        "list_vs_bare_fab": listing["list_vs_bare_fab"] if listing else None,
        "pages_vs_sql": {"ratio_500": vs_sql["ratio_500"], "ratio_5000": vs_sql["ratio_5000"],
                         "growth": vs_sql["growth"], "years": vs_sql["years"],
                         "500": vs_sql["500"], "5000": vs_sql["5000"], "frame_ms": vs_sql["frame_ms"]},
        "report": report, "export": export, "list": listing, "pages_ms": pages, "data": counts,
        "database": url.split("://")[0], "clock": CLOCK["name"],
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
