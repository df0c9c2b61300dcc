"""The statistics feed against the report page for the same choice (issue 23).

    python bench/statistics_bench.py            # 500 units × 20 years of quarterly penalty filings (SQLite)
    python bench/statistics_bench.py --database-url postgresql://postgres@127.0.0.1/portal_bench  # schema dropped!

Whole requests through the Flask test client, the leader's JWT for the API and the leader's session
for the page (both city-wide). The feed does more than the page — coverage from the timeliness
engine and an audit row per call — and the key check FAB does for an API key (two scrypt hashes) is
left out by signing in with a JWT: it is the same for every API call, whatever it asks. Medians of
interleaved runs (wall clock).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHOICES = {
    "one year per unit (500 rows)": {"form": "penalty", "from": "2024", "by": "unit"},
    "one year per unit, 同比/环比": {"form": "penalty", "from": "2024Q4", "by": "unit", "compare": "yoy,mom"},
    "20 years by kind, one bucket": {"form": "penalty", "from": "2005", "to": "2024", "by": "kind"},
    "20 years city, split by year": {"form": "penalty", "from": "2005", "to": "2024", "by": "city", "split": "1"},
}


def main() -> None:
    from bench.run import generate, make_app, median_pair, use_wall_clock
    from tests.helpers import login

    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    use_wall_clock()
    app, _url = make_app(args.database_url)
    app.config["STATISTICS_RATE_LIMIT"] = "100000 per minute"
    counts = generate(app, quick=True)
    api = app.test_client()
    token = api.post("/api/v1/security/login", json={"username": "leader", "password": "DemoPass@2026!",
                                                      "provider": "db"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    page = login(app.test_client(), "leader")
    out = {"data": counts}
    for name, choice in CHOICES.items():
        def feed(choice=choice):
            resp = api.get("/api/v1/statistics/", query_string={**choice, "page_size": 100}, headers=headers)
            assert resp.status_code == 200, resp.get_data(as_text=True)[:300]

        def report(choice=choice):
            params = {k: v for k, v in choice.items() if k in ("from", "to", "by")}
            if choice.get("split") == "1":  # the page has no split: the trend page draws the series
                resp = page.get("/reports/penalty/trend", query_string={"from": "2005Q1", "to": "2024Q4"})
            else:
                resp = page.get("/reports/penalty/", query_string=params)
            assert resp.status_code == 200

        a, b = median_pair(feed, report, args.repeat)
        out[name] = {"feed_ms": round(a * 1000, 1), "page_ms": round(b * 1000, 1), "ratio": round(a / b, 2)}
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
