"""The reconsideration register's write path: numbering, validation, scope, audit, ids."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from sqlalchemy import func, select

from app.audit import verify_chain
from app.cases.query import get_recon, recon_query
from app.cases.recon import CaseError, CaseForbidden, CaseStale, create_recon_case, update_recon_case
from app.extensions import db
from app.models import AuditLog
from app.models.cases import CasePrefix, ReconApplicant, ReconCase
from app.unit_list import unit_by_code
from tests.case_helpers import case_data, user
from tests.staff_helpers import make_id

NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_numbers_are_per_unit_and_year_without_gaps(ctx):
    filler = user("dongcheng_filler")
    a = create_recon_case(case_data("2025-12-30"), filler)
    b = create_recon_case(case_data("2026-01-05"), filler)
    c = create_recon_case(case_data("2026-01-06"), filler)
    db.session.commit()
    assert (a.case_no, b.case_no, c.case_no) == ("京东复〔2025〕1号", "京东复〔2026〕1号", "京东复〔2026〕2号")
    # a refused case takes no number; the next one follows on
    with pytest.raises(CaseError):
        create_recon_case(case_data("2026-01-07", matter="不存在的事项"), filler)
    db.session.rollback()
    # a registration rolled back returns its number
    create_recon_case(case_data("2026-01-07"), filler)
    db.session.rollback()
    db.session.add(CasePrefix(unit_id=unit_by_code("2300").id, prefix="京公复"))
    d = create_recon_case(case_data("2026-01-08"), filler)
    e = create_recon_case(case_data("2026-02-01"), user("gongan_filler"))
    db.session.commit()
    assert d.case_no == "京东复〔2026〕3号" and e.case_no == "京公复〔2026〕1号"


def test_concurrent_registrations_get_distinct_consecutive_numbers(app):
    """Eight threads register at once (PostgreSQL: row lock; SQLite: the write lock)."""
    errors, barrier = [], threading.Barrier(8)

    def register(i):
        with app.app_context(), time_machine.travel(NOW, tick=False):
            try:
                barrier.wait(timeout=10)
                create_recon_case(case_data("2026-04-01"), user("dongcheng_filler"))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                db.session.rollback()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        seqs = sorted(db.session.scalars(select(ReconCase.case_seq)).all())
        assert seqs == list(range(1, 9))


@pytest.mark.parametrize("extra, field, words", [
    ({"receipt_date": "2026-13-01"}, "receipt_date", "「收到申请日期」应为日期"),
    ({"receipt_date": "2026-07-01"}, "receipt_date", "晚于今天"),
    ({"act_date": "2026-03-05"}, "receipt_date", "早于「行为作出日期」"),
    ({"intake": "受理", "intake_date": "2026-03-01"}, "intake_date",
     "「受理（不予受理）日期」2026-03-01早于「收到申请日期」"),
    ({"decided_on": "2026-04-01", "outcome": "维持"}, "decided_on", "尚未受理"),
    ({"intake": "受理", "intake_date": "2026-03-05", "decided_on": "2026-03-04", "outcome": "维持"},
     "decided_on", "「决定日期」2026-03-04早于「受理（不予受理）日期」"),
    ({"intake": "受理", "intake_date": "2026-03-05", "extension_days": 31, "extension_reason": "案情复杂",
      "extension_approver": "王主任"}, "extension_days", "1至30日"),
    ({"intake": "受理", "intake_date": "2026-03-05", "extension_days": 10}, "extension_approver", "延期批准人"),
    ({"intake": "不予受理", "intake_date": "2026-03-05"}, "refusal_reason", "不予受理原因"),
    ({"matter": "随便"}, "matter", "「申请事项」应为"),
    ({"amend_received": "2026-03-04"}, "amend_received", "未发补正通知"),
    ({"intake": "受理", "intake_date": "2026-03-05", "suspended_on": "2026-03-10", "decided_on": "2026-04-01",
      "outcome": "维持"}, "decided_on", "中止中"),
    ({"applicants": [{"kind": "公民", "name": "李四", "id_number": "110101198001010112"}]},
     "applicants.1.id_number", "校验位"),
    ({"applicants": []}, "applicants", "至少一人"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(ctx, extra, field, words):
    with pytest.raises(CaseError) as exc:
        create_recon_case(case_data("2026-03-02", **extra), user("dongcheng_filler"))
    db.session.rollback()
    assert words in exc.value.errors[field]
    assert db.session.scalar(select(func.count()).select_from(ReconCase)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReconApplicant)) == 0


def test_duplicate_case_number_from_an_import_is_refused(ctx):
    filler = user("dongcheng_filler")
    create_recon_case(case_data(case_no="京东复〔2019〕5号"), filler, allow_case_no=True)
    db.session.commit()
    with pytest.raises(CaseError) as exc:
        create_recon_case(case_data(case_no="京东复〔2019〕5号"), filler, allow_case_no=True)
    assert exc.value.errors["case_no"] == "「案号」京东复〔2019〕5号已存在"


def test_update_checks_version_rules_and_audits_old_to_new(ctx):
    filler = user("dongcheng_filler")
    case = create_recon_case(case_data(), filler)
    db.session.commit()
    v = case.version
    with pytest.raises(CaseError):
        update_recon_case(case.id, {"intake": "受理", "intake_date": "2026-02-01"}, v, filler)
    db.session.rollback()
    assert db.session.get(ReconCase, case.id).intake is None  # nothing half-saved
    update_recon_case(case.id, {"intake": "受理", "intake_date": "2026-03-05"}, v, filler)
    db.session.commit()
    with pytest.raises(CaseStale):
        update_recon_case(case.id, {"hearing": True}, v, filler)
    row = db.session.scalars(select(AuditLog).where(AuditLog.action == "case.update")).one()
    assert row.detail["changes"]["intake"] == [None, "accepted"]
    assert row.detail["changes"]["intake_date"] == [None, "2026-03-05"]
    created = db.session.scalars(select(AuditLog).where(AuditLog.action == "case.create")).one()
    number = make_id("19800101", "011")
    assert created.detail["new"]["applicants"][0]["id_number"] == number[:6] + "********" + number[-4:]
    assert verify_chain().ok


def test_a_masked_id_sent_back_keeps_the_stored_one(ctx):
    filler = user("dongcheng_filler")
    number = make_id("19800101", "011")
    case = create_recon_case(case_data(), filler)
    db.session.commit()
    masked = number[:6] + "********" + number[-4:]
    update_recon_case(case.id, {"applicants": [{"kind": "公民", "name": "张三", "id_number": masked}]},
                      case.version, filler)
    db.session.commit()
    assert db.session.get(ReconCase, case.id).applicants[0].id_number == number


def test_scope_deciding_unit_respondent_and_city(ctx):
    """东城 sees its own cases and the city's cases naming 东城区 as respondent; 公安 sees neither;
    only the deciding unit's keepers may change a case."""
    own = create_recon_case(case_data(), user("dongcheng_filler"))
    named = create_recon_case(case_data(respondent_unit="0100", respondent_name="", respondent_level="区政府"),
                              user("reviewer"))
    other = create_recon_case(case_data(respondent_unit="2300", respondent_name=""), user("reviewer"))
    db.session.commit()
    assert named.respondent_name == unit_by_code("0100").name

    def visible(name):
        return set(db.session.scalars(recon_query(user(name)).with_only_columns(ReconCase.id)))

    assert visible("dongcheng_approver") == {own.id, named.id}
    assert visible("gongan_approver") == {other.id}
    assert visible("leader") == {own.id, named.id, other.id}
    assert get_recon(other.id, user("dongcheng_filler")) is None
    for name, case in (("dongcheng_filler", named), ("gongan_filler", own), ("dongcheng_approver", own),
                       ("leader", own), ("reviewer", own)):
        with pytest.raises(CaseForbidden):
            update_recon_case(case.id, {"hearing": True}, case.version, user(name))
    with pytest.raises(CaseForbidden):
        create_recon_case(case_data(), user("leader"))
