"""The unit history since 2006 (app/data/orgs.csv, app.unit_list): renames, N → 1 merges, the 1 → N
split, units leaving, the root passing to 市司法局, and filing assignments from a date on — loaded
by `flask portal init` into an existing database, idempotently, with the demo accounts following."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from app.extensions import db
from app.filing.periods import Period
from app.filing.timeliness import is_expected
from app.models.filing import FormAssignment
from app.models.unit import Unit
from app.unit_list import load_assignments, load_units, read_orgs, unit_by_code


def _code(unit_id):
    return db.session.get(Unit, unit_id).code if unit_id else None


def test_the_reforms_are_in_the_unit_list(ctx):
    u = {code: unit_by_code(code) for code in ("0000", "7900", "2600", "0300", "1700", "7000", "7600",
                                                "2400", "4400", "4500", "4600", "5600", "7450", "3900", "6900")}
    assert _code(u["0300"].successor_id) == "0100" and u["0300"].valid_to == dt.date(2010, 7, 1)
    assert _code(u["1700"].successor_id) == "1701"  # 密云县 → 密云区 (a rename)
    assert {_code(u[c].successor_id) for c in ("4500", "4600", "5600")} == {"7450"}  # 3 → 1 (市场监管)
    assert _code(u["3900"].successor_id) == "6900" and _code(u["6900"].successor_id) == "7400"  # a chain
    # The root passes from 市法制办 to 市司法局 (and its own legal division merges into it).
    assert u["0000"].valid_to == dt.date(2018, 11, 30) and _code(u["0000"].successor_id) == "7900"
    assert _code(u["2600"].successor_id) == "7900" and u["7900"].parent_id is None
    assert u["7900"].kind == "city_office" and u["7900"].valid_from == dt.date(2018, 11, 30)
    # 1 → N split: 市新闻出版广电局's history stays with it (no shares declared).
    assert u["7000"].successor_id is None and u["7000"].valid_to == dt.date(2018, 11, 30)
    assert u["7600"].valid_from == dt.date(2018, 11, 30)
    # Leaving the system without successor.
    assert (u["2400"].valid_to, u["2400"].successor_id) == (dt.date(2018, 1, 1), None)
    assert (u["4400"].valid_to, u["4400"].successor_id) == (dt.date(2018, 7, 1), None)
    assert len(read_orgs()) == db.session.scalar(select(db.func.count()).select_from(Unit))


def test_init_completes_an_existing_database_idempotently(app, ctx):
    """An older database (the 2006 list without the reforms' dates and successors) is completed
    by `flask portal init`; a second run changes nothing; what an administrator set is kept."""
    chongwen, dongcheng = unit_by_code("0300"), unit_by_code("0100")
    db.session.execute(update(Unit).where(Unit.code.in_(["0300", "4500"])).values(valid_to=None, successor_id=None))
    db.session.execute(update(Unit).where(Unit.code == "5200").values(valid_to=dt.date(2030, 1, 1)))
    db.session.commit()
    try:
        runner = app.test_cli_runner()
        first = runner.invoke(args=["portal", "init"])
        assert first.exit_code == 0, first.output
        assert "units added: 0; filing assignments added: " in first.output
        db.session.expire_all()
        assert chongwen.valid_to == dt.date(2010, 7, 1) and chongwen.successor_id == dongcheng.id
        assert _code(unit_by_code("4500").successor_id) == "7450"
        assert unit_by_code("5200").valid_to == dt.date(2030, 1, 1)  # set by an administrator: kept
        n = db.session.scalar(select(db.func.count()).select_from(FormAssignment))
        again = runner.invoke(args=["portal", "init"])
        assert "units added: 0; filing assignments added: 0" in again.output
        assert db.session.scalar(select(db.func.count()).select_from(FormAssignment)) == n
    finally:
        db.session.execute(update(Unit).where(Unit.code == "5200").values(valid_to=None))
        db.session.commit()


def test_a_unit_list_with_a_new_unit_adds_only_it(ctx, tmp_path):
    rows = read_orgs()
    path = tmp_path / "orgs.csv"
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(r[h] for h in header) for r in rows]
    lines.append("9900,北京市测试局法制处,市测试局,department,7900,2025-01-01,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_units(path) == 1
    assert _code(unit_by_code("9900").parent_id) == "7900"
    assert load_units(path) == 0


def test_filing_assignments_change_from_a_period_on(ctx):
    assert load_assignments() > 0
    gongan, chaoyang, root, old_root = (unit_by_code(c) for c in ("2300", "0500", "7900", "0000"))
    # 行政复议职责集中 (2022-07-01): bureaus stop filing reconsideration; districts and the city go on.
    assert is_expected(gongan, "reconsideration", Period(2022, "half", 1))
    assert not is_expected(gongan, "reconsideration", Period(2022, "half", 2))
    assert is_expected(chaoyang, "reconsideration", Period(2024, "half", 1))
    assert is_expected(root, "reconsideration", Period(2024, "half", 1))
    assert is_expected(gongan, "litigation", Period(2024, "half", 1))  # still sued
    assert not is_expected(old_root, "penalty", Period(2010, "quarter", 1))
    assert not is_expected(unit_by_code("2400"), "penalty", Period(2010, "quarter", 1))
    assert not is_expected(unit_by_code("2400"), "litigation", Period(2018, "half", 1))  # left the system
    assert load_assignments() == 0


def test_demo_accounts_of_an_older_demo_database_follow_the_root(app, ctx):
    """A demo database made before the reform data has its city accounts on 市法制办: the demo loader
    moves them to 市司法局; 东城区's filler still answers for 崇文区's history."""
    from app.demo import create_demo_accounts
    from app.models import PortalUser
    from app.scope import visible_unit_ids

    old, new = unit_by_code("0000").id, unit_by_code("7900").id
    db.session.execute(update(PortalUser).where(PortalUser.username == "reviewer").values(unit_id=old))
    db.session.commit()
    assert create_demo_accounts() == 0
    reviewer = app.appbuilder.sm.find_user(username="reviewer")
    assert reviewer.unit_id == new
    filler = app.appbuilder.sm.find_user(username="dongcheng_filler")
    assert unit_by_code("0300").id in visible_unit_ids(filler)
    assert unit_by_code("0200").id not in visible_unit_ids(filler)
