"""Issue 6 acceptance 1: the statistics layer's figures equal direct SQL sums — across quarter →
half-year → year roll-ups, with a merged unit counted under its successor, rates from summed
parts, stocks (上期结转/未审结) rolled up as opening/closing values, only the current revision,
only the chosen states — and comparisons (同比/环比, rank, share) with "—" for missing bases.

Filings are written straight into the tables (state, revision and values as the engine leaves
them); one filing goes through the real engine to show both paths meet the same query.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from app.extensions import db
from app.filing.periods import Period
from app.forms import get_form
from app.models import Filing, value_model
from app.reporting.aggregate import CITY, KIND, PARENT, UNIT, StatsQuery, aggregate
from app.reporting.comparison import compare
from app.reporting.rollup import RangeError
from app.unit_list import unit_by_code
from tests.engine_helpers import drive, user
from tests.helpers import litigation_values, penalty_values, reconsideration_values

PENALTY_SUMS = ("decisions_total", "k_fine", "k_warning", "amount_fines", "amount_gains", "amount_property",
                "reconsidered", "reconsidered_corrected", "sued", "sued_lost")


def parsed(form: str, raw: dict, **overrides) -> dict:
    # the version in force for the periods these tests file (all before 2027)
    values, errors = get_form(form, {"penalty": "2026Q4"}.get(form)).parse(raw)
    assert not errors, errors
    values.update(overrides)
    return values


def put(form: str, unit_code: str, period_key: str, values: dict, state: str = "accepted",
        revision: int = 1) -> int:
    """A filing with its value row at `revision` (app context needed); returns its id."""
    p = Period.parse(period_key)
    f = Filing(form_code=form, unit_id=unit_by_code(unit_code).id, period_key=p.key, year=p.year, sub=p.index,
               state=state, revision=revision)
    db.session.add(f)
    db.session.flush()
    db.session.add(value_model(form)(filing_id=f.id, revision=revision, **values))
    db.session.flush()
    return f.id


def pen(total: int, fines: str = "10000.00", reconsidered: int = 3, corrected: int = 1, **extra) -> dict:
    return parsed("penalty", penalty_values(total=total, fines_yuan=fines), reconsidered=reconsidered,
                  reconsidered_corrected=corrected, **extra)


def sql_sums(form: str, columns, where: str, group: str | None = "f.unit_id", states=("accepted",)):
    """Written by hand, the reference the layer must match: {group value: (sum, …)}, or with
    group=None the one tuple of sums over everything that matches."""
    cols = ", ".join(f"SUM(v.{c})" for c in columns)
    state_list = ", ".join(f"'{s}'" for s in states)
    rows = db.session.execute(text(
        f"SELECT {group or 'NULL'} AS g, {cols} FROM filing f JOIN values_{form} v "
        f"ON v.filing_id = f.id AND v.revision = f.revision "
        f"WHERE f.form_code = :form AND f.state IN ({state_list}) AND {where}"
        + (f" GROUP BY {group}" if group else "")), {"form": form}).all()
    sums = {r[0]: tuple(int(x) if x is not None else None for x in r[1:]) for r in rows}
    return sums if group else sums[None]


def figures(row, columns) -> tuple:
    return tuple(row.get(c) for c in columns)


@pytest.fixture
def city(app):
    """Penalty filings of 东城区, 市公安局 and (before the 2010 merger) 崇文区, in mixed states;
    reconsideration half-years of 东城区 with a carried-over chain."""
    with app.app_context():
        for i, key in enumerate(("2024Q1", "2024Q2", "2024Q3", "2024Q4")):
            put("penalty", "0100", key, pen(100 + 10 * i, f"{1000 + i}.50", reconsidered=4 + i, corrected=i))
        put("penalty", "2300", "2024Q1", pen(1000, "7654321.09", reconsidered=50, corrected=1))
        put("penalty", "2300", "2024Q3", pen(2000, "20000.00", reconsidered=2, corrected=2))
        put("penalty", "0100", "2025Q1", pen(500), state="submitted")
        put("penalty", "0100", "2025Q2", pen(600), state="draft")
        put("penalty", "2300", "2023Q1", pen(800))
        # the merger: 崇文区 (0300) closed on 2010-07-01, its successor is 东城区 (0100)
        for key in ("2009Q1", "2009Q2", "2009Q3", "2009Q4", "2010Q1"):
            put("penalty", "0300", key, pen(80, "100.00"))
        put("penalty", "0100", "2009Q1", pen(70, "200.00"))
        put("penalty", "0100", "2009Q4", pen(75, "300.00"))
        # reconsideration: H1 carries 10 over, ends with 20 pending; H2 carries 20, ends with 15
        put("reconsideration", "0100", "2024H1",
            parsed("reconsideration", reconsideration_values(accepted=40, concluded=30, carried=10)))
        put("reconsideration", "0100", "2024H2",
            parsed("reconsideration", reconsideration_values(accepted=25, concluded=30, carried=20)))
        db.session.commit()


def test_year_rollup_equals_sql_sums_per_unit(app, city):
    with app.app_context():
        table = aggregate(StatsQuery("penalty", Period.parse("2024")), user("admin"))
        expected = sql_sums("penalty", PENALTY_SUMS, "f.year = 2024")
        assert {r.key: figures(r, PENALTY_SUMS) for r in table.rows} == expected
        assert len(expected) == 2  # 东城区 and 市公安局; the submitted and draft 2025 filings are out
        dongcheng = table.find(unit_by_code("0100").id)
        assert dongcheng.filings == 4 and dongcheng.get("decisions_total") == 100 + 110 + 120 + 130
        assert dongcheng.label == "东城区" and dongcheng.period is None


def test_quarters_roll_up_to_half_years_and_a_range_of_quarters(app, city):
    with app.app_context():
        admin = user("admin")
        halves = aggregate(StatsQuery("penalty", Period.parse("2024H1"), Period.parse("2024H2"), split=True,
                                      by=CITY), admin)
        for half, where in ((1, "f.year = 2024 AND f.sub <= 2"), (2, "f.year = 2024 AND f.sub >= 3")):
            ref = sql_sums("penalty", PENALTY_SUMS, where, group=None)
            assert figures(halves.find("city", Period(2024, "half", half)), PENALTY_SUMS) == ref
        # a range of quarters as one bucket equals the sum of those quarters
        span = aggregate(StatsQuery("penalty", Period.parse("2024Q2"), Period.parse("2024Q3"), by=CITY), admin)
        assert figures(span.rows[0], PENALTY_SUMS) == sql_sums(
            "penalty", PENALTY_SUMS, "f.year = 2024 AND f.sub IN (2, 3)", group=None)
        # years split over a range: one row per unit and year, each the SQL sum of its quarters
        years = aggregate(StatsQuery("penalty", Period.parse("2023"), Period.parse("2024"), split=True), admin)
        ref = sql_sums("penalty", ("decisions_total",), "f.year BETWEEN 2023 AND 2024",
                       group="f.unit_id * 10000 + f.year")
        assert {r.key * 10000 + r.period.year: (r.get("decisions_total"),) for r in years.rows} == ref
        assert [p.key for p in years.query.buckets()] == ["2023", "2024"]


def test_merged_unit_counted_under_its_successor(app, city):
    with app.app_context():
        admin = user("admin")
        dongcheng, chongwen = unit_by_code("0100").id, unit_by_code("0300").id
        own = aggregate(StatsQuery("penalty", Period.parse("2009")), admin)
        assert {r.key for r in own.rows} == {dongcheng, chongwen}
        merged = aggregate(StatsQuery("penalty", Period.parse("2009"), successor=True), admin)
        assert [r.key for r in merged.rows] == [dongcheng]
        ref = sql_sums("penalty", PENALTY_SUMS, f"f.year = 2009 AND f.unit_id IN ({dongcheng}, {chongwen})",
                       group=None)
        assert figures(merged.rows[0], PENALTY_SUMS) == ref
        assert merged.rows[0].filings == 6
        # choosing the successor in the unit filter brings the closed unit's history along
        picked = aggregate(StatsQuery("penalty", Period.parse("2009"), successor=True,
                                      unit_ids=frozenset({dongcheng})), admin)
        assert figures(picked.rows[0], PENALTY_SUMS) == ref


def test_successor_chains_are_followed(app, city):
    """A → B → C: a unit closed into a unit that itself closed counts under C."""
    import datetime as dt

    from app.models import Unit

    with app.app_context():
        c = Unit(code="9903", name="测试单位C", short_name="测试C", kind="department", valid_from=dt.date(2000, 1, 1))
        db.session.add(c)
        db.session.flush()
        b = Unit(code="9902", name="测试单位B", short_name="测试B", kind="department", valid_from=dt.date(2000, 1, 1),
                 valid_to=dt.date(2012, 1, 1), successor_id=c.id)
        db.session.add(b)
        db.session.flush()
        a = Unit(code="9901", name="测试单位A", short_name="测试A", kind="department", valid_from=dt.date(2000, 1, 1),
                 valid_to=dt.date(2011, 1, 1), successor_id=b.id)
        db.session.add(a)
        db.session.flush()
        for code, total in (("9901", 75), ("9902", 77), ("9903", 81)):
            put("penalty", code, "2010Q1", pen(total))
        db.session.commit()
        table = aggregate(StatsQuery("penalty", Period.parse("2010Q1"), successor=True,
                                     unit_ids=frozenset({c.id})), user("admin"))
        assert [(r.key, r.get("decisions_total")) for r in table.rows] == [(c.id, 233)]


def test_rates_come_from_summed_parts(app, city):
    with app.app_context():
        table = aggregate(StatsQuery("penalty", Period.parse("2024"), by=CITY), user("admin"))
        row = table.rows[0]
        corrected, reconsidered = sql_sums("penalty", ("reconsidered_corrected", "reconsidered"), "f.year = 2024",
                                           group=None)
        assert row.get("challenge_correction_rate") == Decimal(corrected) / Decimal(reconsidered)
        # not the mean of the units' (or filings') own rates
        per_unit = aggregate(StatsQuery("penalty", Period.parse("2024")), user("admin"))
        mean = sum(r.get("challenge_correction_rate") for r in per_unit.rows) / len(per_unit.rows)
        assert row.get("challenge_correction_rate") != mean
        # the totals row is the sum of the groups, its rate again from the summed parts
        total = per_unit.total()
        assert figures(total, PENALTY_SUMS) == figures(row, PENALTY_SUMS)
        assert total.get("challenge_correction_rate") == row.get("challenge_correction_rate")
        # combined amount: 罚没收入 = fines + confiscated gains, in fen; the property's value apart
        fines, gains, prop = sql_sums("penalty", ("amount_fines", "amount_gains", "amount_property"),
                                      "f.year = 2024", group=None)
        assert row.get("amount_total") == fines + gains and prop > 0


def test_zero_base_rate_is_none(app):
    with app.app_context():
        put("penalty", "0100", "2024Q1", pen(100, reconsidered=0, corrected=0, sued=0, sued_lost=0))
        db.session.commit()
        row = aggregate(StatsQuery("penalty", Period.parse("2024Q1"), by=CITY), user("admin")).rows[0]
        assert row.get("challenge_correction_rate") is None and row.get("sued_loss_rate") is None


def test_stocks_roll_up_as_opening_and_closing(app, city):
    with app.app_context():
        row = aggregate(StatsQuery("reconsideration", Period.parse("2024"), by=CITY), user("admin")).rows[0]
        assert row.get("carried_over") == 10  # H1's opening, not 10 + 20
        assert row.get("pending") == 15  # H2's closing, not 20 + 15
        assert row.get("accepted") == 65 and row.get("concluded") == 60  # flows are summed
        assert row.get("pending") == row.get("carried_over") + row.get("accepted") - row.get("concluded")
        halves = aggregate(StatsQuery("reconsideration", Period.parse("2024H1"), Period.parse("2024H2"),
                                      split=True, by=CITY), user("admin"))
        assert [r.get("carried_over") for r in halves.rows] == [10, 20]


def test_only_some_buckets_are_those_buckets_of_the_whole_range(app, city):
    """StatsQuery.only (a comparison's period, a year before and the one before): the buckets
    asked for hold exactly what the whole range's split holds for them, stocks included (a
    rolled-up bucket keeps all its native periods), and no other bucket is read."""
    with app.app_context():
        admin = user("admin")
        whole = aggregate(StatsQuery("penalty", Period.parse("2023Q1"), Period.parse("2024Q4"), split=True), admin)
        wanted = frozenset(Period.parse(k) for k in ("2023Q1", "2024Q1", "2024Q3"))
        some = aggregate(whole.query.but(only=wanted), admin)
        assert {r.period for r in some.rows} == {Period.parse("2023Q1"), Period.parse("2024Q1"), Period.parse("2024Q3")}
        assert {(r.key, r.period): figures(r, PENALTY_SUMS) for r in some.rows} == {
            (r.key, r.period): figures(r, PENALTY_SUMS) for r in whole.rows if r.period in wanted}
        years = StatsQuery("reconsideration", Period.parse("2023"), Period.parse("2024"), split=True, by=CITY)
        row = aggregate(years.but(only=frozenset({Period.parse("2024")})), admin).rows
        assert len(row) == 1 and (row[0].get("carried_over"), row[0].get("pending")) == (10, 15)


def test_only_the_current_revision_counts(app):
    with app.app_context():
        fid = put("penalty", "0100", "2024Q1", pen(100), revision=1)
        db.session.add(value_model("penalty")(filing_id=fid, revision=2, **pen(112)))
        db.session.get(Filing, fid).revision = 2
        db.session.commit()
        row = aggregate(StatsQuery("penalty", Period.parse("2024Q1"), by=CITY), user("admin")).rows[0]
        assert row.get("decisions_total") == 112 and row.filings == 1


def test_states_basis_and_engine_filings(app, city):
    with app.app_context():
        admin = user("admin")
        q = StatsQuery("penalty", Period.parse("2025Q1"), Period.parse("2025Q2"), by=CITY)
        assert aggregate(q, admin).rows == []
        reported = aggregate(q.but(states=("accepted", "submitted")), admin).rows
        assert [r.get("decisions_total") for r in reported] == [500]  # never the draft
        # a filing made through the real engine is counted the same way
        drive("litigation", "0100", "2024H1", litigation_values(new=20, concluded=18))
        row = aggregate(StatsQuery("litigation", Period.parse("2024"), by=CITY), admin).rows[0]
        assert row.get("new_total") == 20 and row.get("concluded") == 18
        lost = sum(int(litigation_values()[k]) for k in ("f1_revoked", "f1_varied", "f1_unlawful", "f1_void",
                                                          "f1_perform", "f1_pay", "a_lost", "rt_lost"))
        assert row.get("loss_rate") == Decimal(lost) / Decimal(18)


def test_groupings_by_kind_parent_and_city(app, city):
    with app.app_context():
        admin = user("admin")
        by_kind = aggregate(StatsQuery("penalty", Period.parse("2024"), by=KIND), admin)
        assert {r.key: r.get("decisions_total") for r in by_kind.rows} == {"district": 460, "department": 3000}
        assert {r.label for r in by_kind.rows} == {"区", "市政府部门"}
        by_parent = aggregate(StatsQuery("penalty", Period.parse("2024"), by=PARENT), admin)
        assert [(r.label, r.get("decisions_total")) for r in by_parent.rows] == [("市法制办", 3460)]
        only_districts = aggregate(StatsQuery("penalty", Period.parse("2024"), by=UNIT,
                                              kinds=frozenset({"district"})), admin)
        assert [r.label for r in only_districts.rows] == ["东城区"]


def test_scope_keeps_other_units_out(app, city):
    """东城区's own accounts: the layer returns 东城区 only, whatever grouping or filter is asked."""
    with app.app_context():
        gongan = unit_by_code("2300").id
        for username in ("dongcheng_filler", "dongcheng_approver"):
            u = user(username)
            for by in (UNIT, KIND, PARENT, CITY):
                table = aggregate(StatsQuery("penalty", Period.parse("2024"), by=by), u)
                assert sum(r.get("decisions_total") for r in table.rows) == 460, (username, by)
            asked = aggregate(StatsQuery("penalty", Period.parse("2024"), unit_ids=frozenset({gongan})), u)
            assert asked.rows == []


def test_bad_ranges_are_refused_in_chinese(app):
    with app.app_context():
        for first, last in (("2024", "2024Q1"), ("2024Q2", "2024Q1")):
            with pytest.raises(RangeError, match="报告期"):
                aggregate(StatsQuery("penalty", Period.parse(first), Period.parse(last)), user("admin"))
        with pytest.raises(RangeError, match="半年"):
            aggregate(StatsQuery("reconsideration", Period.parse("2024Q1")), user("admin"))


def test_comparison_yoy_mom_rank_share(app, city):
    with app.app_context():
        dongcheng, gongan = unit_by_code("0100").id, unit_by_code("2300").id
        cmp = compare(StatsQuery("penalty", Period.parse("2024Q1")), "decisions_total", user("admin"))
        rows = {r.key: r for r in cmp.rows}
        g = rows[gongan]
        assert (g.current, g.yoy_base, g.mom_base) == (1000, 800, None)
        assert g.yoy_change == 200 and g.yoy_pct == Decimal("0.25")
        assert g.mom_change is None and g.mom_pct is None  # no 2023Q4: "—", not an error
        d = rows[dongcheng]
        assert d.yoy_base is None and d.yoy_pct is None
        assert (g.rank, d.rank) == (1, 2)
        assert g.share == Decimal(1000) / Decimal(1100) and cmp.total.current == 1100
        assert cmp.total.yoy_base == 800
        # a rate compares in points; its own share is not meaningful
        rate = compare(StatsQuery("penalty", Period.parse("2024Q3")), "challenge_correction_rate", user("admin"))
        assert rate.is_rate and all(r.share is None for r in rate.rows)
        assert {r.key: r.current for r in rate.rows} == {dongcheng: Decimal(2) / 6, gongan: Decimal(1)}
        # 2024Q3 against 2024Q2 (环比) for 东城区: 120 vs 110
        q3 = compare(StatsQuery("penalty", Period.parse("2024Q3")), "decisions_total", user("admin"))
        d3 = next(r for r in q3.rows if r.key == dongcheng)
        assert (d3.mom_base, d3.mom_change) == (110, 10)


def test_comparison_of_years_has_no_separate_mom(app, city):
    with app.app_context():
        cmp = compare(StatsQuery("penalty", Period.parse("2024")), "decisions_total", user("admin"))
        assert cmp.mom_period is None and cmp.yoy_period == Period.parse("2023")
        gongan = next(r for r in cmp.rows if r.key == unit_by_code("2300").id)
        assert (gongan.current, gongan.yoy_base) == (3000, 800)


def test_choice_fields_are_counted_per_answer(app):
    from app.forms import FORMS

    if "institution" not in FORMS:
        pytest.skip("no institution form")
    with app.app_context():
        spec = get_form("institution")
        choice = next(f for f in spec.fields if f.kind == "choice")
        keys = [k for k, _l in choice.choices]
        put("institution", "0100", "2024", {choice.name: keys[0], "headcount": 5})
        put("institution", "2300", "2024", {choice.name: keys[0], "headcount": 7})
        put("institution", "0500", "2024", {choice.name: keys[1], "headcount": 3})
        db.session.commit()
        row = aggregate(StatsQuery("institution", Period.parse("2024"), by=CITY), user("admin")).rows[0]
        assert row.get(f"{choice.name}__{keys[0]}") == 2 and row.get(f"{choice.name}__{keys[1]}") == 1
        assert row.get("headcount") == 15


def test_only_the_figures_asked_for_are_summed_with_the_same_values(app, city):
    """StatsQuery.names (issue 20): the statement sums the parts of the figures asked for, nothing
    else; those figures equal the full query's, and a figure not asked for is not there."""
    with app.app_context():
        full = aggregate(StatsQuery("penalty", Period.parse("2024")), user("admin"))
        wanted = frozenset({"decisions_total", "amount_total", "challenge_correction_rate"})
        slim = aggregate(StatsQuery("penalty", Period.parse("2024"), names=wanted), user("admin"))
        # combined and rate figures bring their parts; nothing more is fetched
        assert {m.name for m in slim.measures} == {"decisions_total", "amount_fines", "amount_gains",
                                                   "reconsidered_corrected", "reconsidered"}
        assert [r.key for r in slim.rows] == [r.key for r in full.rows]
        for a, b in zip(slim.rows, full.rows, strict=True):
            assert a.filings == b.filings
            assert {n: a.get(n) for n in wanted} == {n: b.get(n) for n in wanted}
        assert slim.total().get("amount_total") == full.total().get("amount_total")
        with pytest.raises(KeyError):
            slim.rows[0].get("hearings_held")
        # split by period: the buckets' rows are grouped once and handed out as copies
        split = aggregate(StatsQuery("penalty", Period.parse("2024Q1"), Period.parse("2024Q4"), split=True,
                                     names=wanted), user("admin"))
        q1 = split.for_period(Period.parse("2024Q1"))
        assert {r.period for r in q1} == {Period.parse("2024Q1")} and len(q1) == 2
        q1.clear()
        assert len(split.for_period(Period.parse("2024Q1"))) == 2
