"""The demo city as a whole: loaded once into the test database, compared year by year with the
published Beijing figures, and checked against the rules a real city obeys.

Source of the published figures: the Beijing white papers on administrative reconsideration and
litigation (2019, 2022, 2024) as summarised in ../shared/domain/README.md, "Published Beijing
figures" — held in app/demo/calibration.py (PUBLISHED). Every published total and rate must be
matched within ±20% by the demo's city figures, computed by the portal's own statistics
(app.reporting.aggregate, as the report pages show them).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from collections import defaultdict

import pytest
from sqlalchemy import delete, select, text

from app.demo.calibration import AT_LEAST, PUBLISHED, TOLERANCE
from app.extensions import db
from app.filing.periods import Period
from app.models.blob import Blob
from app.models.filing import CorrectionRequest, Filing, FilingTransition
from app.models.unit import Unit
from app.models.user import PortalUser
from app.models.values import value_model

LOAD: dict[str, float] = {}
AUDIT = ("audit_log", "audit_chain_head")  # emptied as conftest's cleanup does (the chain restarts)


@pytest.fixture(autouse=True)
def _clean():
    """This module shares one demo city: conftest's per-test cleanup is replaced by `city`'s."""
    yield


def _tables():
    from flask_appbuilder import Model  # the portal's models (and FAB's) are declared on it

    return Model.metadata.sorted_tables


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(db.func.count()).select_from(t)) for t in _tables()}


def _remove_unit_accounts(app) -> None:
    """The demo's accounts of every unit (app.demo.accounts) go with the city."""
    extra = select(PortalUser.id).where(PortalUser.id > app.config["BASE_MAX_USER"])
    db.session.execute(text("DELETE FROM ab_user_role WHERE user_id > :m"), {"m": app.config["BASE_MAX_USER"]})
    db.session.execute(delete(PortalUser).where(PortalUser.id.in_(extra)))


@pytest.fixture(scope="module")
def city(app):
    """The whole demo (init's assignments, then `load_demo`), removed again after the module: every
    table that was empty before is emptied (and the audit log, as conftest's cleanup does), and every
    other must hold as many rows as before."""
    from app.demo import load_demo
    from app.unit_list import load_assignments

    with app.app_context():
        before = _counts()
        # Rows the demo adds to a table an earlier test left rows in (a pending upload's blob): removed by id.
        blobs = set(db.session.scalars(select(Blob.key)))
        wall, cpu = time.perf_counter(), time.process_time()
        load_assignments()
        LOAD["result"] = load_demo()
        LOAD["wall"], LOAD["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    yield
    with app.app_context():
        db.session.rollback()
        _remove_unit_accounts(app)
        for table in reversed(_tables()):
            if not before[table.name] or table.name in AUDIT:
                db.session.execute(delete(table))
        db.session.execute(delete(Blob).where(Blob.key.not_in(blobs)) if blobs else delete(Blob))
        db.session.commit()
        after = _counts()
        assert {k: v for k, v in after.items() if k not in AUDIT} == {k: v for k, v in before.items() if k not in AUDIT}
        assert after["filing"] == 0 and after["staff_member"] == 0


def _leader(app):
    return app.appbuilder.sm.find_user(username="leader")


def _year(app, form: str, year: int):
    from app.reporting.aggregate import CITY, StatsQuery, aggregate

    table = aggregate(StatsQuery(form, Period(year, "year", 1), by=CITY), _leader(app))
    return table.total(None)


def _figure(app, year: int, measure: str):
    """The demo's city figure for a published measure, as the portal computes it."""
    rec = _year(app, "reconsideration", year)
    if measure == "received":
        return rec.get("new_applications")
    if measure == "loss_rate":
        return _year(app, "litigation", year).get("loss_rate")
    if measure == "resolution_rate" and year < 2024:
        # The 2015 form has no 被申请人纠正后撤回: 综合化解 = 直接纠错 + 调解 + 和解 there.
        return rec.get("correction_rate") + rec.get("mediation_rate")
    return rec.get(measure)


def test_city_totals_and_rates_match_the_published_beijing_figures(app, city):
    """Source: Beijing white papers on reconsideration and litigation (domain README)."""
    with app.app_context():
        off = []
        for year, figures in PUBLISHED.items():
            for measure, published in figures.items():
                demo = float(_figure(app, year, measure))
                if abs(demo / published - 1) > TOLERANCE:
                    off.append(f"{year} {measure}: demo {demo:.4g}, published {published:.4g}")
        for year, figures in AT_LEAST.items():
            for measure, floor in figures.items():
                if _figure(app, year, measure) < floor:
                    off.append(f"{year} {measure}: below {floor}")
    assert off == []


def _half_received(app) -> dict[str, int]:
    from app.reporting.aggregate import CITY, StatsQuery, aggregate

    t = aggregate(StatsQuery("reconsideration", Period(2006, "half", 1), Period(2025, "half", 2), split=True,
                             by=CITY), _leader(app))
    return {p.key: v for p, v in t.series("new_applications")}


def test_the_2024_law_jumps_from_january_2024_and_2022_concentrates_cases(app, city):
    with app.app_context():
        halves = _half_received(app)
        assert halves["2024H1"] > 3 * halves["2023H2"]  # the revised law, in force 2024-01-01
        assert halves["2023H2"] < 1.6 * halves["2023H1"]  # …not already in 2023
        assert all(halves[p.key] > 0 for p in map(Period.parse, halves))  # every half since the launch
        kinds = defaultdict(set)
        for kind, key in db.session.execute(select(Unit.kind, Filing.period_key).join(Unit, Unit.id == Filing.unit_id)
                                            .where(Filing.form_code == "reconsideration")):
            kinds[key].add(kind)
        assert "department" in kinds["2022H1"] and "department" not in kinds["2022H2"]
        assert not any("department" in kinds[k] for k in kinds if k >= "2022H2")
        assert {"district", "city_office"} <= kinds["2024H1"]


def _values(form: str, *columns):
    model = value_model(form)
    cols = [getattr(model, c) for c in columns]
    return db.session.execute(
        select(Filing.unit_id, Filing.period_key, *cols)
        .join(model, (model.filing_id == Filing.id) & (model.revision == Filing.revision))
        .where(Filing.form_code == form)).all()


def test_only_units_allowed_to_detain_impose_detention_and_bureaus_by_what_they_enforce(app, city):
    from app.forms.penalty import allowed_kinds

    with app.app_context():
        units = {u.id: u for u in db.session.scalars(select(Unit))}
        detained, decisions, fines = defaultdict(int), defaultdict(int), defaultdict(int)
        for uid, key, det, total, amount in _values("penalty", "k_detention", "decisions_total", "amount_fines"):
            if key.startswith("2024"):
                detained[units[uid].code] += det
                decisions[units[uid].code] += total
                fines[units[uid].code] += amount
        assert {code for code, n in detained.items() if n} == {"2300"}  # 市公安局 alone
        assert all("k_detention" in allowed_kinds(units[uid]) for uid, _k, det, *_ in
                   _values("penalty", "k_detention") if det)
        departments = [u.code for u in units.values() if u.kind == "department" and u.code in fines]
        assert max(departments, key=fines.get) == "7450"  # market regulation fines the most money
        assert max(departments, key=decisions.get) == "2300"  # public security decides the most
        assert decisions["4200"] < 10  # 市外办 barely penalises
        assert not any(units[uid].code in ("2400", "4300") for uid, *_ in _values("penalty", "decisions_total"))


def test_no_unit_files_for_a_period_after_it_left(app, city):
    with app.app_context():
        rows = db.session.execute(select(Unit, Filing.form_code, Filing.period_key)
                                  .join(Filing, Filing.unit_id == Unit.id)).all()
        assert rows
        late = [(u.code, form, key) for u, form, key in rows if not u.active_on(Period.parse(key).end)]
        assert late == []
        codes = {(u.code, key) for u, _f, key in rows}

        def after(code, day):
            return [k for c, k in codes if c == code and Period.parse(k).start >= day]

        assert ("0300", "2010H1") in codes and after("0300", dt.date(2010, 7, 1)) == []  # 崇文区 → 东城区
        assert ("0000", "2018H1") in codes and ("7900", "2018H2") in codes  # the root passes to 市司法局
        assert ("2400", "2017H2") in codes and after("2400", dt.date(2018, 1, 1)) == []  # 市监察局 left
        assert ("4400", "2018Q2") in codes and after("4400", dt.date(2018, 7, 1)) == []  # 市地税局 left


def test_staff_grow_with_caseload(app, city):
    with app.app_context():
        units = {u.id: u for u in db.session.scalars(select(Unit))}
        cases = defaultdict(int)
        for uid, key, new in _values("reconsideration", "new_applications"):
            cases[(uid, key[:4])] += new
        staff = {(uid, key): (rec, head) for uid, key, rec, head in
                 _values("institution", "reconsideration_staff", "headcount")}
        for (uid, year), (rec, head) in staff.items():
            n = cases.get((uid, year), 0)
            assert rec >= math.ceil(n / 200), (units[uid].short_name, year, n, rec)  # ≤ 200 cases an officer
            assert head > rec
        chaoyang = next(u.id for u in units.values() if u.code == "0500")
        assert staff[(chaoyang, "2019")][0] >= 5
        assert staff[(chaoyang, "2024")][0] > 2 * staff[(chaoyang, "2019")][0]  # the 2024 jump
        per_year = defaultdict(int)
        for (_uid, year), (_rec, head) in staff.items():
            per_year[year] += head
        assert per_year["2024"] > 2 * per_year["2006"]


def test_unit_level_rates_are_plausible_without_zero_artefacts(app, city):
    from app.forms.reconsideration import DIRECT_2015

    with app.app_context():
        per_unit = defaultdict(lambda: [0, 0])
        for uid, key, concluded, *direct in _values("reconsideration", "concluded", *DIRECT_2015):
            if key < "2022":
                per_unit[(uid, key[:4])][0] += concluded
                per_unit[(uid, key[:4])][1] += sum(direct)
        rates = [c / n for n, c in per_unit.values() if n >= 40]
        assert rates and all(0.03 <= r <= 0.35 for r in rates), sorted(rates)[:5]
        small = [c for n, c in per_unit.values() if 10 <= n < 40]
        assert small and sum(1 for c in small if c == 0) / len(small) < 0.3
        assert sum(c for n, c in per_unit.values() if n < 40) / sum(n for n, c in per_unit.values() if n < 40) > 0.09


def test_carried_over_stocks_follow_from_the_previous_period(app, city):
    """A unit's 上期结转 is its previous half's 未审结, plus — on the half it takes over — the last
    未审结 of the units it succeeded."""
    with app.app_context():
        units = {u.id: u for u in db.session.scalars(select(Unit))}
        preds = defaultdict(list)
        for u in units.values():
            if u.successor_id:
                preds[u.successor_id].append(u.id)
        for form in ("reconsideration", "litigation"):
            figures = {(uid, key): (c, p) for uid, key, c, p in _values(form, "carried_over", "pending")}
            checked = 0
            for (uid, key), (carried, _p) in figures.items():
                prev = Period.parse(key).previous().key
                if (uid, prev) not in figures:
                    continue
                taken = [figures[(pid, prev)][1] for pid in preds[uid] if (pid, prev) in figures
                         and not units[pid].active_on(Period.parse(key).end)]
                assert carried == figures[(uid, prev)][1] + sum(taken), (units[uid].short_name, form, key)
                checked += 1
            assert checked > 1000
        dongcheng = next(u.id for u in units.values() if u.code == "0100")
        chongwen = next(u.id for u in units.values() if u.code == "0300")
        figures = {(uid, key): (c, p) for uid, key, c, p in _values("reconsideration", "carried_over", "pending")}
        assert figures[(dongcheng, "2010H2")][0] == figures[(dongcheng, "2010H1")][1] + figures[(chongwen, "2010H1")][1]


def test_each_period_is_filed_on_its_form_version(app, city):
    from app.forms import get_form

    with app.app_context():
        rows = _values("reconsideration", "o_void", "m_agreement", "o_revoked")
        for _uid, key, void, agreement, revoked in rows:
            if get_form("reconsideration", Period.parse(key)).version == "2024":
                assert void is not None and agreement is not None
            else:
                assert void is None and agreement is None and revoked is not None
        assert {get_form("reconsideration", Period.parse(k)).version for _u, k, *_r in rows} == {"2015", "2024"}


def test_outliers_late_missing_returned_and_corrected_filings(app, city):
    from app.demo.model import OUTLIERS
    from app.filing.deadlines import rule_deadline

    with app.app_context():
        units = {u.code: u.id for u in db.session.scalars(select(Unit))}
        for (form, code, key), (_factor, text) in OUTLIERS.items():
            f = db.session.scalar(select(Filing).where(Filing.form_code == form, Filing.unit_id == units[code],
                                                       Filing.period_key == key))
            assert f is not None and f.explanation == text
        filings = db.session.scalars(select(Filing).where(Filing.first_reported_at.is_not(None))).all()
        late = [f for f in filings
                if f.first_reported_at.date() > rule_deadline(f.form_code, Period.parse(f.period_key))]
        assert 0.03 < len(late) / len(filings) < 0.15
        returned = db.session.scalars(select(FilingTransition.filing_id)
                                      .where(FilingTransition.action == "return")).all()
        accepted_after = db.session.scalar(select(db.func.count()).select_from(Filing).where(
            Filing.id.in_(returned), Filing.state == "accepted"))
        assert accepted_after > 50
        approved = db.session.scalars(select(CorrectionRequest).where(CorrectionRequest.state == "approved")).all()
        assert len(approved) >= 2 and all(r.filing.revision == 2 for r in approved)
        # Missing: expected filings of a past period that were never made (besides the latest period's).
        from app.filing.timeliness import assignments, expected_on

        required = assignments("penalty")
        have = set(db.session.execute(select(Filing.unit_id, Filing.period_key)
                                      .where(Filing.form_code == "penalty")).all())
        expected = [(u.id, p.key) for u in db.session.scalars(select(Unit)) for y in range(2010, 2020)
                    for p in [Period(y, "quarter", q) for q in range(1, 5)] if expected_on(u, required, p.end)]
        assert 0 < sum(1 for e in expected if e not in have) < 0.03 * len(expected)


def test_the_demo_audit_chain_is_intact(app, city):
    from app.audit import verify_chain
    from app.models.audit import AuditLog

    with app.app_context():
        report = verify_chain()
        assert report.ok, report
        filings = db.session.scalar(select(db.func.count()).select_from(Filing))
        creates = db.session.scalar(select(db.func.count()).select_from(AuditLog)
                                    .where(AuditLog.action == "filing.create"))
        assert creates == filings
        assert report.checked > 3 * filings


def _trend(client, query: str):
    resp = client.get("/reports/reconsideration/trend?" + query)
    assert resp.status_code == 200, resp.status_code
    html = resp.get_data(as_text=True)
    data = json.loads(re.search(r'id="chart-trend-data">(.*?)</script>', html, re.S).group(1))
    return html, {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in data["data"]}


def test_the_twenty_year_trend_shows_a_merge_with_and_without_successors(app, city, client_for):
    with app.app_context():
        dongcheng = db.session.scalar(select(Unit.id).where(Unit.code == "0100"))
    dashboard = client_for("leader").get(f"/dashboard/?unit={dongcheng}").get_data(as_text=True)
    assert f'/reports/reconsideration/trend?unit={dongcheng}"' in dashboard  # the dashboard leads to it
    c = client_for("reviewer")
    html, lines = _trend(c, f"metric=new_applications&unit={dongcheng}&from=2006H1")
    own, merged = lines["东城区：本单位填报"], lines["东城区：含撤并单位"]
    assert "崇文区" in html
    before, after = "2009年下半年", "2011年上半年"
    assert merged[before] > own[before] > 0  # 崇文区's history counted under 东城区 only when following successors
    assert merged[after] == own[after]  # after the merge 东城区 files for both
    assert own[after] > 1.3 * own[before]  # the jump the merge makes in 东城区's own line
    assert merged[after] < 1.5 * merged[before]  # …and that following successors smooths away
    assert len(own) >= 40  # twenty years of halves
    # 东城区's filler answers for 崇文区's history; 市公安局's may not look at 东城区.
    _html, lines = _trend(client_for("dongcheng_filler"), f"metric=new_applications&unit={dongcheng}&from=2006H1")
    assert lines["东城区：含撤并单位"][before] == merged[before]
    assert client_for("gongan_filler").get(f"/reports/reconsideration/trend?unit={dongcheng}").status_code == 404


def test_the_demo_loads_quickly(app, city):
    """The load itself (scripts/demo.sh adds migrations and start-up) takes a fraction of the 90 s
    budget. Asserted on this process's CPU time: wall time on a shared, loaded machine says more
    about the neighbours than about the loader (≈ 6 s CPU for the city's filings when alone, plus
    ≈ 15–20 s for the ≈ 1,900 register cases, which go through the register's own write path)."""
    print(f"demo load: {LOAD['wall']:.1f} s wall, {LOAD['cpu']:.1f} s CPU: {LOAD['result']}")
    assert LOAD["cpu"] < 60


def test_demo_accounts_belong_to_the_units_after_the_reforms(app, city):
    from app.scope import visible_unit_ids

    with app.app_context():
        sm = app.appbuilder.sm
        reviewer, filler = sm.find_user(username="reviewer"), sm.find_user(username="dongcheng_filler")
        assert db.session.get(Unit, reviewer.unit_id).code == "7900"
        chongwen = db.session.scalar(select(Unit.id).where(Unit.code == "0300"))
        assert chongwen in visible_unit_ids(filler)
        assert dt.date(2018, 11, 30) == db.session.get(Unit, reviewer.unit_id).valid_from
