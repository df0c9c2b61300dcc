"""The filing list page against a bare FAB ModelView over the same table (issue 9, `list_vs_bare_fab`).

    python bench/list_bench.py            # 500 units × 20 years of quarterly penalty filings (SQLite)
    python bench/list_bench.py --database-url postgresql://postgres@127.0.0.1/portal_bench  # schema dropped!

Both pages are whole requests through the Flask test client, logged in as the municipal reviewer
(city-wide scope), 50 rows a page: /filings/penalty/ of the portal against /barefilingview/list/ of a
throwaway `BareFilingView(ModelView)` with FAB's defaults (its own count query, pagination, the
unit's name through the relationship) and the portal's four filters as its search columns,
registered on a second app instance built for the benchmark only — never on the portal's.
Medians of interleaved runs; the ratio is portal / bare.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGE_SIZE = 50


def _bare_app(url: str):
    """A second portal app on the same database with `BareFilingView` added (no menu)."""
    from flask_appbuilder import ModelView
    from flask_appbuilder.models.sqla.filters import FilterEqual
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app import create_app
    from app.models import Filing
    from app.security import FILING
    from config import TestConfig

    class BareFilingView(ModelView):
        datamodel = SQLAInterface(Filing)
        # The reviewer's existing can_read on Filing: nothing is written to the permission tables.
        class_permission_name = FILING
        method_permission_name = {"list": "read", "show": "read", "add": "fill", "edit": "fill",
                                  "delete": "fill", "download": "read", "action": "read",
                                  "api_read": "read"}
        list_columns = ["period_key", "unit.short_name", "state", "revision", "updated_at"]
        # The portal list's filters (year, half/quarter, unit, state). FAB's default would offer every
        # column, relationships included, and render a dropdown of all 120,000 transitions.
        search_columns = ["year", "sub", "unit", "state"]
        base_filters = [["form_code", FilterEqual, "penalty"]]
        base_order = ("year", "desc")
        page_size = PAGE_SIZE

    bare = create_app(TestConfig(url))
    with bare.app_context():
        bare.appbuilder.add_view_no_menu(BareFilingView)
    return bare


def _client(app, username: str):
    from tests.helpers import login

    client = app.test_client()
    login(client, username)
    return client


def list_vs_bare_fab(app, repeat: int = 9, username: str = "reviewer", form_code: str = "penalty") -> dict:
    """Median time of the portal's filing list (50 rows) and of a bare FAB ModelView list over the
    same `filing` rows, in one run; returns {'list_vs_bare_fab': ratio, 'portal_ms', 'bare_ms', 'rows'}."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Filing
    from bench.run import median_pair

    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Filing).where(Filing.form_code == form_code))
    bare = _bare_app(app.config["SQLALCHEMY_DATABASE_URI"])
    mine_client, bare_client = _client(app, username), _client(bare, username)
    mine_path, bare_path = f"/filings/{form_code}/", f"/barefilingview/list/?psize_BareFilingView={PAGE_SIZE}"

    def mine():
        resp = mine_client.get(mine_path)
        assert resp.status_code == 200, (mine_path, resp.status_code)

    def plain():
        resp = bare_client.get(bare_path)
        assert resp.status_code == 200, (bare_path, resp.status_code)

    t_mine, t_bare = median_pair(mine, plain, repeat)
    return {"list_vs_bare_fab": round(t_mine / t_bare, 3), "portal_ms": round(t_mine * 1000, 2),
            "bare_ms": round(t_bare * 1000, 2), "rows": rows}


def main() -> None:
    import argparse
    import json
    import os

    from bench.run import generate, make_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    app, _url = make_app(args.database_url)
    counts = generate(app, quick=True)
    print(f"data: {counts}", file=sys.stderr)
    print(json.dumps(list_vs_bare_fab(app, args.repeat)))


if __name__ == "__main__":
    main()
