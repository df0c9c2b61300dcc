"""Whole pages against the hand-written SQL for the figures they show, at 500 and 5,000 units (issue 20).

    python bench/pages_bench.py --database-url postgresql://postgres@127.0.0.1/portal_bench   # schema DROPPED
    python bench/pages_bench.py --quick        # fewer years, fewer repeats (SQLite unless a URL is given)

`bench/run.py` runs the same at its end and puts the figures in its JSON line.

The data (`bench/scale.py`, executemany): 500 units with `years` years of every case form —
quarterly penalty, half-yearly reconsideration and litigation, yearly institution — ending at the
last complete period (so the dashboard's "latest reviewed" periods hold figures), all accepted,
every tenth corrected once; then 4,500 more units with the same years (5,000 in all). Full run: 5
years (with this year's periods: 25,000 filings at 500 units, 250,000 at 5,000); `--quick`: 2 years
(11,500 and 115,000). Building 5,000 units × 20 years (1.1 million filings with their transitions
and audit rows) would take most of an hour on two cores; the pages that show one period do not
depend on the years, and the list's deep page is its last page whatever their number.

Each page is a whole request through the test client, logged in as the city leader (`leader`,
city-wide scope). Its baseline is the SQL a developer would write by hand for the same figures,
sent through the bare driver (`exec_driver_sql(...).fetchall()`), no ORM and no Python beyond
fetching: per page the statements listed in `BASELINES`. Pairs run alternately after a
warm-up, each run after a garbage collection; the figure is the median (wall clock: what a
user waits for). `growth` is (page time at 5,000 / at 500) / (5,000 / 500): ≤ 1 is no worse than
linear in the number of units.

The report's xlsx is measured twice: `report_xlsx` as leaders get it while the figures stay the
same (the workbook kept by its content, app.content_cache: the figures are still read and
compared on every download), `report_xlsx_built` as the first download of new figures makes it.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (500, 5_000)
PAGE_SIZE = 50


# --- the data ---------------------------------------------------------------------------------------


def build(app, units: int, years: int, existing: list[int]) -> tuple[list[int], dict]:
    """Top the units up to `units` and give the new ones `years` years of every case form up to
    the last complete period; returns (all unit ids, counts added)."""
    from app.clock import today
    from app.extensions import db
    from app.filing.periods import YEAR, Period, last_complete
    from app.forms import FORMS
    from bench.scale import add_filings, add_staff, add_units

    with app.app_context():
        ids = add_units(units)
        new = [u for u in ids if u not in set(existing)]
        counts = {}
        for code, spec in FORMS.items():
            kind = spec.period_kind
            last = last_complete(kind, today())  # `years` whole years up to last year, and this year's periods
            first = Period(last_complete(YEAR, today()).year - years + 1, kind, 1)
            counts[code] = add_filings(code, new, first, last)
        counts.update(add_staff(new, total=20 * len(new)))  # 20 staff a unit: the dashboard's breakdowns
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return ids, counts


# --- the pages and their SQL ------------------------------------------------------------------------


def _periods(app):
    """The periods the pages default to (today's last complete ones) and the dashboard's."""
    from app.clock import today
    from app.filing.periods import HALF, QUARTER, YEAR, last_complete

    with app.app_context():
        t = today()
        return {QUARTER: last_complete(QUARTER, t), HALF: last_complete(HALF, t), YEAR: last_complete(YEAR, t)}


def pages(app, total: int) -> dict[str, str]:
    """name → path; `total` filings of the penalty form (for the deep page: the last one)."""
    from app.filing.periods import HALF, YEAR

    p = _periods(app)
    year, half = p[YEAR].key, p[HALF].key
    last_page = max((total - 1) // PAGE_SIZE + 1, 1)
    return {
        "dashboard": "/dashboard/",
        "report": f"/reports/penalty/?from={year}",
        "comparison": "/reports/penalty/compare",
        "analysis_page": f"/reports/analysis?period={half}",
        "analysis_docx": f"/reports/analysis.docx?period={half}",
        "report_xlsx": f"/reports/penalty/export.xlsx?from={year}",
        "report_xlsx_built": f"/reports/penalty/export.xlsx?from={year}",  # its workbook built each time
        "list_first": "/filings/penalty/",
        "list_deep": f"/filings/penalty/?page={last_page}",
    }


def _sum_exprs(spec, names) -> list[str]:
    """SQL sums of the value columns behind the figures `names` (derived ones through their parts)."""
    from app.forms.base import Rate
    from app.reporting.measures import CHOICE_COUNT, derived, measures

    by_name = {m.name: m for m in measures(spec)}
    out: list[str] = []

    def add(name):
        if name in by_name:
            m = by_name[name]
            expr = (f"SUM(CASE WHEN v.{m.column} = '{m.choice}' THEN 1 ELSE 0 END)" if m.how == CHOICE_COUNT
                    else f"SUM(v.{m.column})")
            if expr not in out:
                out.append(expr)
            return
        item = derived(spec)[name]
        for part in (item.numerator + item.denominator) if isinstance(item, Rate) else item.parts:
            add(part)

    for n in names:
        add(n)
    return out


def _keys(periods) -> str:
    return ", ".join(f"'{p.key}'" for p in periods)


def _sums_sql(spec, names, periods, by_unit: bool) -> str:
    """Figures `names` of `spec` summed per period (and unit) over `periods`, accepted filings."""
    group = "f.unit_id, u.code, u.short_name, f.period_key" if by_unit else "f.period_key"
    join = "JOIN unit u ON u.id = f.unit_id " if by_unit else ""
    return (f"SELECT {group}, COUNT(*), {', '.join(_sum_exprs(spec, names))} FROM filing f "
            f"JOIN values_{spec.code} v ON v.filing_id = f.id AND v.revision = f.revision {join}"
            f"WHERE f.form_code = '{spec.code}' AND f.state = 'accepted' AND f.period_key IN ({_keys(periods)}) "
            f"GROUP BY {group}")


def _completion_sql(code: str, periods, dues, stamp: str) -> str:
    """Per period: filings reported by the deadline, late, and the units expected (all open units)."""
    cases = " ".join(f"WHEN '{p.key}' THEN {stamp}'{dues[p.key].isoformat()} 16:00:00'" for p in periods)
    return (f"SELECT f.period_key, SUM(CASE WHEN f.first_reported_at < CASE f.period_key {cases} END "
            f"THEN 1 ELSE 0 END), COUNT(f.first_reported_at), "
            f"(SELECT COUNT(*) FROM unit WHERE valid_to IS NULL) FROM filing f "
            f"WHERE f.form_code = '{code}' AND f.period_key IN ({_keys(periods)}) GROUP BY f.period_key")


def _all_sums_sql(spec, year) -> str:
    from app.reporting.measures import measures

    return _sums_sql(spec, [m.name for m in measures(spec)], [year], True).replace(
        f"f.period_key IN ('{year.key}')", f"f.year = {year.year}")


def baselines(app) -> dict[str, list[str]]:
    """name → the statements that fetch the same figures the page shows."""
    from app.clock import today
    from app.extensions import db
    from app.filing.deadlines import deadlines_for
    from app.filing.periods import HALF, QUARTER, YEAR, Period, periods_between
    from app.forms import FORMS, get_form
    from app.reporting.analysis import headline_names
    from app.reporting.dashboard import FIGURES, trend_names

    p = _periods(app)
    with app.app_context():
        t = today()
        stamp = "" if db.engine.dialect.name == "sqlite" else "TIMESTAMP "  # a typed literal on PostgreSQL
        pen, rec, lit = (get_form(c) for c in ("penalty", "reconsideration", "litigation"))
        q, h, y = p[QUARTER], p[HALF], p[YEAR]

        def back(period, n):
            for _ in range(n):
                period = period.previous()
            return period

        def completion(code, periods):
            return _completion_sql(code, periods, deadlines_for(code, periods), stamp)

        # the dashboard: the latest reviewed period of each form (states per period), the trends
        # of what its charts draw (12 quarters, 8 halves: the figures of app.reporting.dashboard's
        # trend_names — kinds and outcomes included), each form's figures per unit in the period
        # and its 同比/环比 bases (the matched comparison), the coverage of the 8 periods the
        # selector offers per form (and the institution form's current one), the staff breakdowns
        def review_state(code, kind, last):
            ps = periods_between(kind, back(last, 7), last)
            return (f"SELECT period_key, SUM(CASE WHEN state = 'accepted' THEN 1 ELSE 0 END), "
                    f"SUM(CASE WHEN state = 'submitted' THEN 1 ELSE 0 END) FROM filing "
                    f"WHERE form_code = '{code}' AND period_key IN ({_keys(ps)}) GROUP BY period_key")

        def bases_too(period):
            return [period.same_last_year(), period.previous(), period]

        dashboard = [
            review_state("penalty", QUARTER, q), review_state("reconsideration", HALF, h),
            review_state("litigation", HALF, h),
            _sums_sql(pen, sorted(trend_names("penalty", pen)), periods_between(QUARTER, back(q, 11), q), False),
            _sums_sql(rec, sorted(trend_names("reconsideration", rec)), periods_between(HALF, back(h, 7), h), False),
            _sums_sql(lit, sorted(trend_names("litigation", lit)), periods_between(HALF, back(h, 7), h), False),
            *[_sums_sql(spec, FIGURES[spec.code], bases_too(p[spec.period_kind]), True) for spec in (pen, rec, lit)],
            *[completion(s.code, periods_between(s.period_kind, back(p[s.period_kind], 7), p[s.period_kind]))
              for s in (pen, rec, lit)],
            completion("institution", [y]),
            "SELECT education, COUNT(*) FROM staff_member WHERE status = '在职' GROUP BY education",
            f"SELECT ({t.year} - CAST(SUBSTR(CAST(birth_date AS TEXT), 1, 4) AS INTEGER)) / 10, COUNT(*) "
            "FROM staff_member WHERE status = '在职' GROUP BY 1",
        ]
        report = [_all_sums_sql(pen, y)]
        metric = headline_names(pen)[0][0]
        # the comparison: the figure per unit in the period and both bases, and the coverage of
        # the three periods it states (accepted / expected units)
        compared = [q.same_last_year(), q.previous(), q]
        comparison = [_sums_sql(pen, [metric], compared, True), completion("penalty", compared)]
        # the analysis: per form its headline figures per unit for the period, 同比 and 环比, its
        # completion per native period, and four years of city trends of the three case forms
        analysis = []
        for code, spec in FORMS.items():
            if spec.period_kind == YEAR:
                continue  # a yearly form is not applicable to a half-year
            names = [n for n, _s in headline_names(spec)]
            ps = [h.same_last_year(), h.previous(), h]
            analysis.append(_sums_sql(spec, names, [pp for b in ps for pp in _native(spec, b)], True))
            analysis.append(completion(code, _native(spec, h)))
        for spec in (pen, rec, lit):
            last = p[spec.period_kind]
            analysis.append(_sums_sql(spec, [n for n, _s in headline_names(spec)],
                                      periods_between(spec.period_kind, Period(last.year - 3, spec.period_kind, 1),
                                                      last), False))
        listing = ("SELECT f.id, f.period_key, f.year, f.sub, f.state, f.revision, f.updated_at, u.short_name "
                   "FROM filing f JOIN unit u ON u.id = f.unit_id WHERE f.form_code = 'penalty' "
                   "ORDER BY f.year DESC, f.sub DESC, u.code LIMIT 50 OFFSET {offset}")
        count = "SELECT COUNT(*) FROM filing WHERE form_code = 'penalty'"
        years = "SELECT DISTINCT year FROM filing WHERE form_code = 'penalty' ORDER BY year DESC"
    return {"dashboard": dashboard, "report": report, "comparison": comparison, "analysis_page": analysis,
            "analysis_docx": analysis, "report_xlsx": report, "report_xlsx_built": report,
            "list_first": [listing.format(offset=0), count, years], "list_deep": [listing, count, years]}


def _native(spec, period):
    """The form's own periods inside `period` (a half: two quarters, or itself)."""
    from app.filing.periods import periods_between
    from app.reporting.rollup import COARSENESS

    if COARSENESS[spec.period_kind] >= COARSENESS[period.kind]:
        return [period]
    from app.filing.periods import period_of

    return periods_between(spec.period_kind, period_of(spec.period_kind, period.start),
                           period_of(spec.period_kind, period.end))


# --- timing -----------------------------------------------------------------------------------------


def _median_pair(a, b, repeat: int) -> tuple[float, float]:
    a(), b()  # warm-up
    ta, tb = [], []
    for _ in range(repeat):
        for fn, out in ((a, ta), (b, tb)):
            gc.collect()
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def measure(app, repeat: int, only: set[str] | None = None) -> dict:
    """Each page's median against its SQL's, at the data now in the database."""
    from app.extensions import db
    from tests.helpers import login

    with app.app_context():
        total = db.session.scalar(db.text("SELECT COUNT(*) FROM filing WHERE form_code = 'penalty'"))
    paths, sqls = pages(app, total), baselines(app)
    BUILT.update(_kept())
    client = app.test_client()
    login(client, "leader")
    for path in paths.values():  # every page's code and templates loaded, as in a warmed-up server
        client.get(path)
    gc.collect()
    gc.freeze()  # what a gunicorn worker does after loading the app (gunicorn.conf.py: post_worker_init)
    out = {}
    frame = _frame(client, repeat)
    print(f"  {'(frame)':14s} page {frame:8.1f} ms  — the lightest page with the portal's layout, {FRAME}",
          file=sys.stderr)
    for name, path in paths.items():
        if only and name not in only:
            continue
        statements = [s.format(offset=((total - 1) // PAGE_SIZE) * PAGE_SIZE) for s in sqls[name]]

        def page(path=path, cold=BUILT.get(name)):
            if cold is not None:  # the first download of new figures: nothing kept, built
                cold.get = lambda material, build: build()
            try:
                resp = client.get(path)
            finally:
                if cold is not None:
                    del cold.get  # the class's own get again
            assert resp.status_code == 200, (path, resp.status_code, resp.location)
            resp.get_data()

        def sql(statements=statements):
            with app.app_context():
                conn = db.session.connection()
                for s in statements:
                    conn.exec_driver_sql(s).fetchall()
                db.session.rollback()

        t_page, t_sql = _median_pair(page, sql, repeat)
        out[name] = {"page_ms": round(t_page * 1000, 1), "sql_ms": round(t_sql * 1000, 1),
                     "ratio": round(t_page / t_sql, 2)}
        print(f"  {name:14s} page {t_page * 1000:8.1f} ms  sql {t_sql * 1000:7.1f} ms  ratio {t_page / t_sql:5.2f}",
              file=sys.stderr)
    return out, frame


def _kept():
    from app.exports.reports import WORKBOOKS

    return {"report_xlsx_built": WORKBOOKS}


# pages measured with their store of kept bytes bypassed (app.content_cache): what the first
# download of new figures costs
BUILT: dict = {}

FRAME = "/reports/"  # the statistics menu: the layout, the navigation and the user, no figures


def _frame(client, repeat: int) -> float:
    """Median ms of the page frame alone: what every page costs before its own figures."""
    times = []
    for _ in range(repeat + 1):
        gc.collect()
        t = time.perf_counter()
        resp = client.get(FRAME)
        resp.get_data()
        times.append(time.perf_counter() - t)
    assert resp.status_code == 200
    return round(statistics.median(times[1:]) * 1000, 1)


def run(app, quick: bool, repeat: int, years: int | None = None, only: set[str] | None = None) -> dict:
    """Build the 500-unit city, measure; top up to 5,000 units, measure; the growth per page."""
    years = years or (2 if quick else 5)
    result: dict = {"years": years, "repeat": repeat}
    ids: list[int] = []
    for size in SIZES:
        t = time.perf_counter()
        ids, counts = build(app, size, years, ids)
        print(f"pages at {size} units × {years} years: {counts} built in {time.perf_counter() - t:.0f}s",
              file=sys.stderr)
        result[str(size)], result.setdefault("frame_ms", {})[str(size)] = measure(app, repeat, only)
    small, large = result[str(SIZES[0])], result[str(SIZES[1])]
    scale = SIZES[1] / SIZES[0]
    result["growth"] = {n: round(large[n]["page_ms"] / small[n]["page_ms"] / scale, 2) for n in small}
    result["ratio_500"] = {n: small[n]["ratio"] for n in small}
    result["ratio_5000"] = {n: large[n]["ratio"] for n in large}
    return result


def open_app(url: str):
    """The portal on a database built before (`--reuse`)."""
    from app import create_app
    from config import TestConfig

    return create_app(TestConfig("postgresql+psycopg://" + url.split("://", 1)[1])), url


def main() -> None:
    from bench.run import make_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 years instead of 5, 5 repeats")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL (its public schema is DROPPED); default: a temporary SQLite file")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--years", type=int, default=None)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--reuse", action="store_true", help="measure the data already in the database")
    args = parser.parse_args()
    logging.getLogger("portal.access").setLevel(logging.WARNING)  # one log line per request is noise here
    started = time.perf_counter()
    if args.reuse:
        app, url = open_app(args.database_url)
        result, frame = measure(app, args.repeat or 3, set(filter(None, args.only.split(","))) or None)
        print(json.dumps({"pages": result, "frame_ms": frame}, ensure_ascii=False))
        return
    app, url = make_app(args.database_url)
    result = run(app, args.quick, args.repeat or (5 if args.quick else 9), args.years,
                 set(filter(None, args.only.split(","))) or None)
    result.update(database=url.split("://")[0], seconds=round(time.perf_counter() - started, 1))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
