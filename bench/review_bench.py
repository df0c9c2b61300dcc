"""The reviewers' pages at city scale (issue 18): the 待审核 list sorted and filtered by its facts,
batch acceptance, 退回原因统计 and its workbook, the facts' backfill.

    python bench/review_bench.py            # 500 units × 20 years of quarterly penalty filings (SQLite)
    python bench/review_bench.py --database-url postgresql://postgres@127.0.0.1/portal_bench  # schema dropped!

The city of bench/scale.py (40,000 penalty filings, all accepted); then `backfill()` gives every
one its days late (timed), the last four quarters (2,000 filings) are put back to 已上报 with
warnings and explanations, and 4,000 returns with reasons are added. Whole requests through the
test client as the municipal reviewer (city-wide), medians in ms; one JSON line.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = {
    "list_plain": "/filings/penalty/",
    "pending": "/filings/penalty/?state=submitted",
    "pending_by_late": "/filings/penalty/?state=submitted&sort=late&dir=desc",
    "pending_late_warned_by_warnings": "/filings/penalty/?state=submitted&late=yes&warnings=yes&sort=warnings&dir=desc",
    "all_40k_by_late": "/filings/penalty/?sort=late&dir=desc",
    "all_40k_by_reported_page_400": "/filings/penalty/?sort=reported&page=400",
    "returns_all_years": "/timeliness/returns?year=all",
    "returns_xlsx_all_years": "/timeliness/returns?year=all&format=xlsx",
}


def prepare(app) -> dict:
    from sqlalchemy import func, insert, select, update

    from app.extensions import db
    from app.filing.return_reasons import REASONS
    from app.filing.review import backfill
    from app.models import Filing, FilingTransition
    from bench.run import generate

    counts = generate(app, quick=True)
    with app.app_context():
        db.session.execute(update(Filing).values(days_late=None))
        db.session.commit()
        start = time.perf_counter()
        late, _warned = backfill()
        db.session.commit()
        counts["backfill_days_late"] = late
        counts["backfill_s"] = round(time.perf_counter() - start, 2)
        rng = random.Random(18)
        recent = list(db.session.scalars(select(Filing.id).where(Filing.year == 2024)))
        for fid in recent:
            db.session.execute(update(Filing).where(Filing.id == fid).values(
                state="submitted", warning_count=rng.choice((0, 0, 0, 1, 2)),
                explanation=rng.choice((None, None, "本期集中整治")), days_late=rng.choice((0, 0, 0, 3, 12))))
        counts["pending_filings"] = len(recent)
        ids = list(db.session.scalars(select(Filing.id).where(Filing.state == "accepted").limit(4000)))
        first = (db.session.scalar(select(func.max(FilingTransition.id))) or 0) + 1
        db.session.execute(insert(FilingTransition), [
            dict(id=first + i, filing_id=fid, action="return", from_state="submitted", to_state="returned",
                 username="reviewer", comment="请核实", reason_code=rng.choice(list(REASONS)))
            for i, fid in enumerate(ids)])
        counts["returns"] = len(ids)
        from app.demo.filings import advance_sequence

        advance_sequence(FilingTransition.__tablename__)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return counts


def measure(app, repeat: int) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Filing
    from bench.run import median
    from tests.helpers import csrf_token, login

    client = login(app.test_client(), "reviewer")
    out = {}
    for name, path in PAGES.items():
        def get(path=path):
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)
        out[name] = round(median(get, repeat) * 1000, 1)
    with app.app_context():
        chosen = [f"{fid}:{v}" for fid, v in db.session.execute(
            select(Filing.id, Filing.version).where(Filing.state == "submitted", Filing.warning_count == 0)
            .limit(50)).all()]
    token = csrf_token(client, "/")
    start = time.perf_counter()
    resp = client.post("/filings/penalty/accept", data={"csrf_token": token, "fid": chosen})
    assert resp.status_code == 302
    out["batch_accept_50_s"] = round(time.perf_counter() - start, 2)
    return out


def main() -> None:
    import argparse
    import os

    from bench.run import make_app, use_wall_clock

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    use_wall_clock()  # whole requests, both databases: the wall clock
    app, url = make_app(args.database_url)
    counts = prepare(app)
    print(f"data: {counts}", file=sys.stderr)
    print(json.dumps({"database": url.split(":", 1)[0], **counts, **measure(app, args.repeat)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
