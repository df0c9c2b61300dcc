"""Issue 23: the statistics feed into the leaders' decision system.

- 20 seeded random choices (form, period range with roll-ups, grouping, successor switch, split,
  basis, unit filter): the endpoint's figures equal the report page's cells for the same choice
  and the sums of hand-written SQL; CSV of the same query equals its JSON;
- the catalogue lists every figure the report pages show and every rate of 指标说明;
- a correction accepted between two calls changes the second call and is in the change feed;
- the service account reads statistics city-wide and nothing else (every other API endpoint
  refused), each call audited, rate-limited, the spec (with the new paths) readable by it;
- a unit's credentials see their own units only; bad input answers 400 naming the parameter.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.filing.periods import Period
from app.models import AuditLog, Filing, Unit
from tests.openapi_helpers import SpecValidator
from tests.stats_api_helpers import (
    as_page_text,
    fen,
    hand_sql,
    identical_columns,
    page_rows,
    random_choice,
    seed_city,
    service_key,
)

URL = "/api/v1/statistics/"


@pytest.fixture
def spec(app):
    from tests.test_api import token

    c = app.test_client()
    resp = c.get("/api/v1/_openapi", headers=token(c, "admin"))
    return SpecValidator(resp.json)


def _all_pages(c, headers, params) -> dict:
    """Every page of one query: the first answer with `result` holding all rows."""
    first = None
    page = 1
    while True:
        resp = c.get(URL, query_string={**params, "page": page, "page_size": 7}, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        body = resp.json
        if first is None:
            first = body
        else:
            first["result"] += body["result"]
        if page * 7 >= body["count"]:
            return first
        page += 1


def _page_params(choice: dict, unit_ids: list[int] | None, bucket: str | None) -> dict:
    params = {k: choice[k] for k in ("from", "to", "by", "successor", "basis")}
    if bucket is not None:
        params["from"] = params["to"] = bucket
    params["money"] = "yuan"
    if unit_ids:
        params["unit"] = [str(i) for i in unit_ids]
    return params


def test_twenty_random_choices_equal_the_report_page_and_hand_written_sql(app, client_for, spec):
    with app.app_context():
        seed_city()
    headers = service_key(app)
    c = app.test_client()
    leader = client_for("leader")  # the report page, city-wide like the service account
    rng = random.Random(2323)
    checked_sql = checked_page = 0
    shapes = set()
    for _i in range(20):
        choice = random_choice(rng)
        shapes.add((choice["by"], choice["successor"], choice["split"]))
        body = _all_pages(c, headers, choice)
        resp = c.get(URL, query_string={**choice, "page_size": 7}, headers=headers)
        spec.validate(resp, "/api/v1/statistics/", "get")
        assert body["count"] == len(body["result"])
        columns = {col["name"]: col for col in body["columns"]}
        with app.app_context():
            unit_ids = None
            if choice.get("unit"):
                unit_ids = sorted(db.session.scalars(select(Unit.id).where(
                    Unit.code.in_(choice["unit"].split(","))))) or None
            _spec, keep, by_sql = hand_sql(choice, unit_ids)
        # 1. against hand-written SQL: every group and bucket, every figure it can sum, the rates of those
        api = {(r["code"], r["period"]): r for r in body["result"]}
        assert set(api) == set(by_sql), choice
        first, last = Period.parse(choice["from"]), Period.parse(choice["to"])
        with app.app_context():
            end_spec, _keep, spanned = identical_columns(choice["form"], first, last)
            rates = [r for r in end_spec.rates
                     if all(v.rate(r.name) is not None and (v.rate(r.name).numerator, v.rate(r.name).denominator)
                            == (r.numerator, r.denominator) for v in spanned)]
        kept = {m.name for m in keep}
        for k, sums in by_sql.items():
            row = api[k]
            assert row["filings"] == sums["filings"] == row["coverage"]["counted"]
            for m in keep:
                got = row["figures"][m.name]
                assert (fen(got) if columns[m.name]["kind"] == "money" else got) == sums[m.name], (choice, k, m.name)
                checked_sql += 1
            for r in rates:
                if not set(r.numerator + r.denominator) <= kept:
                    continue
                den = sum(sums[n] for n in r.denominator)
                want = None if den == 0 else float(round(Decimal(sum(sums[n] for n in r.numerator)) / den, 6))
                assert row["figures"][r.name] == want, (choice, k, r.name)
        # 2. against the report page: every cell of every row and the total, per bucket
        buckets = sorted({r["period"] for r in body["result"]} | {t["period"] for t in body["totals"]},
                         key=lambda p: (p is None, p))
        for bucket in buckets:
            page = leader.get(f"/reports/{choice['form']}/", query_string=_page_params(choice, unit_ids, bucket))
            assert page.status_code == 200
            rows = page_rows(page.get_data(as_text=True))
            ours = [r for r in body["result"] if r["period"] == bucket]
            total = next(t for t in body["totals"] if t["period"] == bucket)
            if not ours:
                assert "所选范围内没有符合条件的报表数据" in page.get_data(as_text=True)
            for r in [*ours, {**total, "label": "合计"}]:
                cells = rows[r["label"]]
                assert cells["_filings"] == f"{r['filings']:,}"
                for name, col in columns.items():
                    if name not in cells:  # a bucket of an older version, on its own page: its own columns
                        assert choice["split"] == "1" and len(spanned) > 1, (choice, name)
                        continue
                    assert cells[name] == as_page_text(col, r["figures"][name], name in r["small_base"]), \
                        (choice, bucket, r["label"], name)
                    checked_page += 1
            assert set(rows) == {r["label"] for r in ours} | {"合计"}  # by city, the one row is 合计 too
    assert checked_sql > 500 and checked_page > 1000
    assert len(shapes) >= 8  # the seed covers groupings, successor switch and split broadly


def test_csv_is_the_same_query_as_json(app):
    with app.app_context():
        seed_city(7)
    headers = service_key(app)
    c = app.test_client()
    params = {"form": "penalty", "from": "2024H1", "to": "2024H2", "split": "1", "by": "kind", "successor": "1",
              "compare": "yoy,mom", "page_size": 100}
    body = c.get(URL, query_string=params, headers=headers).json
    resp = c.get(URL, query_string={**params, "format": "csv"}, headers=headers)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.startswith("\ufeff".encode())
    assert "attachment" in resp.headers["Content-Disposition"] and resp.headers["Cache-Control"] == "no-store"
    lines = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(lines) == len(body["result"]) + len(body["totals"]) == body["count"] + 2
    for line, row in zip(lines, body["result"] + body["totals"], strict=True):
        assert (line["period"], line["code"], line["label"], int(line["filings"])) == \
            (row["period"], row["code"], row["label"], row["filings"])
        assert int(line["expected"]) == row["coverage"]["expected"]
        for name, value in row["figures"].items():
            assert line[name] == ("" if value is None else str(value))
            for which in ("yoy", "mom"):
                base = row[which]["figures"][name]
                assert line[f"{name}_{which}"] == ("" if base is None else str(base))


def test_yoy_mom_are_the_comparison_pages_and_coverage_the_timeliness(app, client_for):
    from app.reporting.aggregate import StatsQuery
    from app.reporting.comparison import compare
    from tests.engine_helpers import user

    with app.app_context():
        seed_city(11)
    headers = service_key(app)
    c = app.test_client()
    body = c.get(URL, query_string={"form": "penalty", "from": "2025Q1", "by": "unit", "compare": "yoy,mom",
                                    "page_size": 100}, headers=headers).json
    with app.app_context():
        cmp = compare(StatsQuery("penalty", Period.parse("2025Q1")), "decisions_total", user("leader"))
    by_label = {r["label"]: r for r in body["result"]}
    for row in cmp.rows:
        if row.current is None:
            continue
        ours = by_label[row.label]
        assert ours["yoy"]["period"] == "2024Q1" and ours["mom"]["period"] == "2024Q4"
        assert ours["yoy"]["figures"]["decisions_total"] == row.yoy_base
        assert ours["mom"]["figures"]["decisions_total"] == row.mom_base
        assert ours["yoy"]["change"]["decisions_total"] == row.yoy_change
        pct = ours["mom"]["pct"]["decisions_total"]
        assert pct == (None if row.mom_pct is None else float(round(row.mom_pct, 6)))
    total = body["totals"][0]
    assert total["yoy"]["figures"]["decisions_total"] == cmp.total.yoy_base
    # rates change in points, never in percent of a percent
    assert all(v is None for k, v in total["yoy"]["pct"].items() if k.endswith("_rate"))
    # coverage: the timeliness endpoint's expected and reported units, city-wide
    t = c.get("/api/v1/timeliness/", query_string={"form": "penalty", "period": "2025Q1"},
              headers=_jwt(c, "leader")).json
    assert total["coverage"]["expected"] == t["expected"]
    assert total["coverage"]["reported"] == t["on_time"] + t["late"]
    assert total["coverage"]["counted"] == total["filings"] <= total["coverage"]["expected"] + 3


def _jwt(c, username):
    from tests.test_api import token

    return token(c, username)


def test_catalogue_lists_every_indicator_the_reports_show(app, client_for):
    from app.forms import VERSIONS, get_form
    from tests.stats_api_helpers import ROW  # noqa: F401 - the page parser's pattern

    headers = service_key(app)
    c = app.test_client()
    resp = c.get(URL + "indicators", headers=headers)
    assert resp.status_code == 200
    entries = resp.json["result"]
    by_key = {(e["form"], e["name"]): e for e in entries}
    leader = client_for("leader")
    import re

    for form, versions in VERSIONS.items():
        for v in versions:
            period = v.valid_from or {"quarter": "2021Q1", "half": "2021H1", "year": "2021"}[v.period_kind]
            page = leader.get(f"/reports/{form}/", query_string={"from": period, "money": "yuan"})
            shown = set(re.findall(r'<th[^>]*data-col="([^"]+)"', page.get_data(as_text=True)))
            shown |= set(re.findall(r'data-col="([^"]+)"', page.get_data(as_text=True)))
            shown -= {"_label", "_filings"}
            assert shown, form
            spec = get_form(form, Period.parse(period))
            for name in shown:
                entry = by_key[(form, name)]
                assert v.version in [x["version"] for x in entry["versions"]], (form, name)
                assert entry["definition"] and entry["unit"] and entry["label"]
            for r in spec.rates:
                entry = by_key[(form, r.name)]
                mine = next(x for x in entry["versions"] if x["version"] == v.version)
                assert [p["name"] for p in mine["numerator"]] == list(r.numerator)
                assert [p["name"] for p in mine["denominator"]] == list(r.denominator)
                assert entry["unit"] == "%" and entry["kind"] == "rate"
    # 指标说明: every rate row of the page, with the page's words; and the filing-record indicators
    page = leader.get("/reports/indicators").get_data(as_text=True)
    for form, version, rate in re.findall(r'data-form="(\w+)" data-version="(\w*)" data-rate="(\w+)"', page):
        entry = by_key[(form, rate)]
        assert version in [x["version"] for x in entry["versions"]]
        assert entry["label"] in page
    labels = {e["label"] for e in entries if e["kind"] == "timeliness"}
    assert labels == {"按时报送率", "报送完成率"}
    one = c.get(URL + "indicators", query_string={"form": "reconsideration"}, headers=headers).json["result"]
    assert {e["form"] for e in one} == {"reconsideration", None}
    direct = next(e for e in one if e["name"] == "correction_rate")
    assert len(direct["versions"]) == 2  # 确认无效 counts from 2024: both definitions listed


def test_correction_between_two_calls_changes_figures_and_is_in_the_change_feed(app):
    from app.filing.corrections import decide, request_correction
    from tests.engine_helpers import drive, user
    from tests.helpers import penalty_values

    headers = service_key(app)
    c = app.test_client()
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q1", penalty_values(total=100), "accepted").id
        db.session.commit()
    params = {"form": "penalty", "from": "2026Q1", "by": "unit", "fields": "decisions_total,k_warning"}
    before = c.get(URL, query_string=params, headers=headers).json
    row = next(r for r in before["result"] if r["code"] == "0100")
    assert row["figures"] == {"decisions_total": 100, "k_warning": 30}
    assert [col["name"] for col in before["columns"]] == ["decisions_total", "k_warning"]
    feed = c.get(URL + "changes", query_string={"form": "penalty"}, headers=headers).json
    assert [(e["event"], e["filing_id"]) for e in feed["result"]] == [("sign_off", fid), ("accept", fid)]
    assert feed["result"][1]["bases"] == ["accepted", "reported"]
    assert before["last_change"] == feed["result"][1]["at"]
    since = before["generated_at"]
    with app.app_context():
        filing = db.session.get(Filing, fid)
        req = request_correction(filing, penalty_values(total=130), "补录遗漏案件", user("dongcheng_filler"))
        mid = c.get(URL, query_string=params, headers=headers).json  # requested, not yet decided: unchanged
        decide(req, True, None, user("reviewer"))
    assert next(r for r in mid["result"] if r["code"] == "0100")["figures"]["decisions_total"] == 100
    after = c.get(URL, query_string=params, headers=headers).json
    row = next(r for r in after["result"] if r["code"] == "0100")
    assert row["figures"] == {"decisions_total": 130, "k_warning": 60}
    changes = c.get(URL + "changes", query_string={"changed_since": since}, headers=headers).json
    assert [(e["event"], e["filing_id"], e["period"], e["unit_code"], e["revision"]) for e in changes["result"]] \
        == [("correction", fid, "2026Q1", "0100", 2)]
    assert changes["count"] == 1 and after["last_change"] == changes["result"][0]["at"]
    later = c.get(URL + "changes", query_string={"changed_since": changes["result"][0]["at"]}, headers=headers).json
    assert later["result"] == [] and later["count"] == 0
    # an offset time means the same instant
    assert c.get(URL + "changes", query_string={"changed_since": since.replace("Z", "+00:00")},
                 headers=headers).json["count"] == 1


def test_service_account_reads_statistics_only_audited_and_limited(app, spec):
    with app.app_context():
        fid = seed_city(3) and db.session.scalar(select(Filing.id).limit(1))
    headers = service_key(app)
    c = app.test_client()
    # the spec, with the statistics paths and their examples, is readable by the key holder
    resp = c.get("/api/v1/_openapi", headers=headers)
    assert resp.status_code == 200
    paths = resp.json["paths"]
    params = {p["name"]: p for p in paths[URL]["get"]["parameters"]}
    assert params["from"]["schema"]["example"] == "2024Q1" and "csv" in params["format"]["schema"]["enum"]
    assert {"/api/v1/statistics/indicators", "/api/v1/statistics/changes"} <= set(paths)
    # city-wide statistics
    body = c.get(URL, query_string={"form": "penalty", "from": "2024", "by": "unit", "page_size": 100},
                 headers=headers).json
    assert body["scope"] == "全市" and {"0100", "2300", "0200"} <= {r["code"] for r in body["result"]}
    # nothing else: every other endpoint the API has (read or write) is refused, no data in the answer
    refused = 0
    for path, item in paths.items():
        if path.startswith("/api/v1/statistics") or path.endswith("_openapi") or "/security/" in path:
            continue
        for method in item:
            url = path.replace("{pk}", str(fid)).replace("{version}", "v1")
            resp = c.open(url, method=method.upper(), headers=headers, json={"form": "penalty", "period": "2026Q1"},
                          query_string={"form": "penalty", "period": "2026Q1"})
            assert resp.status_code in (401, 403), (method, path, resp.status_code)
            text = resp.get_data(as_text=True)
            assert "东城区" not in text and "unit_code" not in text, path
            refused += 1
    assert refused >= 10
    assert {"/api/v1/filings/", "/api/v1/filings/{pk}", "/api/v1/staff/", "/api/v1/staff/{pk}"} <= set(paths)
    # and no page: the web views do not take the key, and the account holds no page permission
    assert c.get("/reports/penalty/", headers=headers).status_code in (302, 401, 403)
    with app.app_context():
        from app.security import user_permissions
        from tests.engine_helpers import user

        perms = user_permissions(user("decision_system"))
        assert perms == {("can_read", "Statistics"), ("can_all_units", "Scope"), ("can_get", "OpenApi")}
        # every call audited, with the query as asked
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "api.statistics")
                                  .order_by(AuditLog.id)).all()
        assert rows and rows[-1].username == "decision_system"
        assert rows[-1].detail["args"]["form"] == ["penalty"] and rows[-1].detail["path"] == URL
    # rate-limited through FAB's limiter, per key
    app.config["STATISTICS_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [c.get(URL + "indicators", headers=headers).status_code for _i in range(4)]
        assert codes[:3] == [200, 200, 200] or 429 in codes
        resp = c.get(URL + "indicators", headers=headers)
        assert resp.status_code == 429 and "请求过于频繁" in resp.json["message"]
        # another key has its own budget
        assert c.get(URL + "indicators", headers=service_key(app)).status_code == 200
    finally:
        app.config.pop("STATISTICS_RATE_LIMIT", None)


def test_unit_credentials_see_their_own_units_only(app):
    from app.apikeys import mint_key
    from tests.engine_helpers import user

    with app.app_context():
        seed_city(5)
        h = {"Authorization": "Bearer " + mint_key(user("dongcheng_filler"), None, "本单位报表工具", 30)}
        db.session.commit()
    c = app.test_client()
    body = c.get(URL, query_string={"form": "penalty", "from": "2024", "by": "unit", "page_size": 100},
                 headers=h).json
    # 东城区, 崇文区 (which it succeeded) and the test units under it; never 市公安局 or 西城区
    assert {r["code"] for r in body["result"]} <= {"0100", "0300", "9901", "9902", "9903"}
    assert "0100" in {r["code"] for r in body["result"]} and body["scope"] != "全市"
    city = c.get(URL, query_string={"form": "penalty", "from": "2024", "by": "city"}, headers=h).json
    dc = c.get(URL, query_string={"form": "penalty", "from": "2024", "by": "city", "unit": "0100,9903"},
               headers=h).json
    assert city["totals"][0]["filings"] >= dc["totals"][0]["filings"]
    resp = c.get(URL, query_string={"form": "penalty", "from": "2024", "unit": "2300"}, headers=h)
    assert resp.status_code == 400 and "「unit」" in resp.json["message"] and "2300" in resp.json["message"]
    events = c.get(URL + "changes", headers=h).json
    assert all(e["unit_code"] in {"0100", "0300", "9901", "9902", "9903"} for e in events["result"])


@pytest.mark.parametrize("query, word", [
    ({"form": "nope"}, "「form」"),
    ({"form": "penalty", "from": "2024Q9"}, "「from」"),
    ({"form": "penalty", "from": "2024H1", "to": "2023H1"}, "「from」"),
    ({"form": "reconsideration", "from": "2024Q1"}, "「from」"),
    ({"form": "penalty", "from": "2024", "by": "street"}, "「by」"),
    ({"form": "penalty", "from": "2024", "basis": "all"}, "「basis」"),
    ({"form": "penalty", "from": "2024", "successor": "yes"}, "「successor」"),
    ({"form": "penalty", "from": "2024", "kind": "village"}, "「kind」"),
    ({"form": "penalty", "from": "2024", "unit": "7777"}, "「unit」"),
    ({"form": "penalty", "from": "2024", "fields": "nope"}, "「fields」"),
    ({"form": "penalty", "from": "2024", "compare": "wow"}, "「compare」"),
    ({"form": "penalty", "from": "2024", "format": "xml"}, "「format」"),
    ({"form": "penalty", "from": "2024", "page": "x"}, "「page」"),
    ({"form": "reconsideration", "from": "2025", "version": "2015"}, "「version」"),
])
def test_bad_input_is_a_400_naming_the_parameter(app, spec, query, word):
    headers = service_key(app)
    resp = app.test_client().get(URL, query_string=query, headers=headers)
    assert resp.status_code == 400 and word in resp.json["message"], resp.get_data(as_text=True)
    spec.validate(resp, "/api/v1/statistics/", "get")


def test_bad_changed_since_and_form_version_named(app):
    headers = service_key(app)
    c = app.test_client()
    resp = c.get(URL + "changes", query_string={"changed_since": "yesterday"}, headers=headers)
    assert resp.status_code == 400 and "「changed_since」" in resp.json["message"]
    ok = c.get(URL, query_string={"form": "reconsideration", "from": "2025", "version": "2024"}, headers=headers)
    assert ok.status_code == 200 and ok.json["form_version"] == "2024"
    spanning = c.get(URL, query_string={"form": "reconsideration", "from": "2023", "to": "2024"}, headers=headers)
    assert spanning.json["versions"] == ["2015", "2024"]


def test_service_account_made_by_the_administrator_keyed_by_the_security_administrator(app, client_for):
    """The system administrator creates the account (role 统计数据服务); it has no password sign-in at
    all (web or API: keys only), so no first-login change stands in the way of its keys; the security
    administrator mints its key; a unit's user cannot."""
    import re

    from app.apikeys import KeyRefused, mint_key
    from app.models import PortalUser
    from app.security import STATS_SERVICE
    from app.unit_list import unit_by_code
    from tests.engine_helpers import user
    from tests.helpers import login, post_form

    with app.app_context():
        role_id = app.appbuilder.sm.find_role(STATS_SERVICE).id
        city = unit_by_code("0000").id
    resp = post_form(client_for("admin"), "/users/add", {
        "username": "dss", "first_name": "决策", "last_name": "系统", "email": "dss@demo.local",
        "unit": str(city), "roles": [str(role_id)], "active": "y",
        "password": "Initial#Pass2026", "conf_password": "Initial#Pass2026"}, "/users/add")
    assert resp.status_code == 302
    with app.app_context():
        account = db.session.scalar(select(PortalUser).where(PortalUser.username == "dss"))
        assert account.must_change_password is False
        account_id = account.id
        with pytest.raises(KeyRefused):
            mint_key(user("dongcheng_filler"), account_id, "偷用", 30)
    # no password sign-in: the API login and the web form refuse it like a wrong password, audited
    c = app.test_client()
    resp = c.post("/api/v1/security/login", json={"username": "dss", "password": "Initial#Pass2026",
                                                   "provider": "db"})
    assert resp.status_code == 401
    web = login(app.test_client(), "dss", "Initial#Pass2026")
    assert web.get("/api/v1/statistics/indicators").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.username == "dss")
                                 .order_by(AuditLog.id.desc()).limit(1)) == "login.refused_service"
    page = post_form(client_for("security_admin"), "/apikeys/create",
                     {"name": "领导决策系统", "user_id": str(account_id), "days": "365"}, "/apikeys/")
    raw = re.search(r"<code>(sst_[^<]+)</code>", page.get_data(as_text=True)).group(1)
    resp = c.get(URL, query_string={"form": "penalty", "from": "2024", "by": "city"},
                 headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 200 and resp.json["scope"] == "全市"


def test_statistics_query_parameters_any_input(app):
    """Never a 5xx, always JSON (or the CSV asked for) with 200 or 400, whatever the parameters."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.test_properties import QUERY_KILLERS, QUERY_VALUES

    c = app.test_client()
    headers = _jwt(c, "leader")  # a key costs two scrypt checks a call (FAB's key check): a token here
    valid = {"form": "penalty", "from": "2025Q1", "to": "2025Q1", "by": "kind", "successor": "1", "split": "0",
             "basis": "reported", "unit": "0100", "kind": "district", "fields": "decisions_total",
             "indicators": "challenge_correction_rate", "compare": "yoy", "version": "2021",
             "page": "1", "page_size": "20"}
    names = [*valid, "format", "changed_since"]

    def get(path, query):
        resp = c.get(path, query_string=query, headers=headers)
        assert resp.status_code in (200, 400), (path, query, resp.status_code, resp.get_data(as_text=True)[:300])
        assert resp.is_json or (query.get("format") == "csv" and resp.status_code == 200), (path, query)

    app.config["STATISTICS_RATE_LIMIT"] = "100000 per minute"
    try:
        assert c.get(URL, query_string=valid, headers=headers).status_code == 200
        long = c.get(URL, query_string={**valid, "from": "1900Q1", "to": "2999Q4"}, headers=headers)
        assert long.status_code == 400 and "30年" in long.json["message"]  # bounded work per call
        for name in names:
            for killer in QUERY_KILLERS:
                get(URL, {**valid, name: killer})
                get(URL + "changes", {name: killer})

        @settings(max_examples=25, deadline=None, database=None)
        @given(st.sampled_from([URL, URL + "changes", URL + "indicators"]),
               st.dictionaries(st.sampled_from(names), QUERY_VALUES, max_size=6))
        def run(path, query):
            get(path, query)

        run()
    finally:
        app.config.pop("STATISTICS_RATE_LIMIT", None)
