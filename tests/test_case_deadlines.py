"""Legal time limits on the clock: one case from receipt to decision, the deadline checked at
every step; holidays as data; the 7-day and overdue lists."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select

from app.cases.recon import create_recon_case, update_recon_case
from app.cases.supervision import due_cases
from app.cases.timelimits import Calendar, recon_deadline
from app.extensions import db
from app.models.cases import Holiday, ReconCase
from tests.case_helpers import case_data, user

D = dt.date


def at(day: dt.date):
    """The clock at 10:00 Beijing time on `day`."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC), tick=False)


def step(case_id: int, day: dt.date, **changes) -> ReconCase:
    with at(day):
        case = db.session.get(ReconCase, case_id)
        update_recon_case(case_id, changes, case.version, user("dongcheng_filler"))
        db.session.commit()
        return db.session.get(ReconCase, case_id)


def test_a_case_from_receipt_to_decision_shows_the_right_deadline_at_every_step(ctx):
    with at(D(2026, 3, 2)):  # Monday
        case = create_recon_case(case_data("2026-03-02"), user("dongcheng_filler"))
        db.session.commit()
        first = recon_deadline(case)
    # 5 working days from Monday's receipt (art. 88): the next Monday
    assert first.due == D(2026, 3, 9) and "第30、88条" in first.rule
    with at(D(2026, 3, 9)):
        assert [c.id for c, _ in due_cases(user("reviewer"), D(2026, 3, 9))["soon"]] == [case.id]

    case = step(case.id, D(2026, 3, 4), amend_requested="2026-03-04")  # 补正 asked
    dl = recon_deadline(case)
    assert dl.due == D(2026, 3, 18) and "10个工作日" in dl.rule  # the applicant's 10 working days

    case = step(case.id, D(2026, 3, 12), amend_received="2026-03-12")  # the 5 working days run again
    assert recon_deadline(case).due == D(2026, 3, 19)

    case = step(case.id, D(2026, 3, 13), intake="受理", intake_date="2026-03-13")
    dl = recon_deadline(case)
    assert dl.due == D(2026, 5, 12) and "60日" in dl.rule

    # the administrator enters a holiday on the last day: the limit moves to the next working day
    db.session.add(Holiday(day=D(2026, 5, 12), name="测试假日"))
    db.session.commit()
    assert recon_deadline(case).due == D(2026, 5, 13)
    db.session.delete(db.session.scalar(select(Holiday).where(Holiday.day == D(2026, 5, 12))))
    db.session.commit()

    case = step(case.id, D(2026, 4, 20), extension_days=30, extension_reason="案情复杂",
                extension_approver="王主任")
    dl = recon_deadline(case)
    assert dl.due == D(2026, 6, 11) and "延期30日" in dl.rule

    case = step(case.id, D(2026, 5, 1), suspended_on="2026-05-01")  # 49 of 90 days used
    dl = recon_deadline(case)
    assert dl.due is None and dl.paused_days_left == 41 and "中止" in dl.rule
    with at(D(2026, 6, 15)):  # a suspended case is never overdue
        lists = due_cases(user("reviewer"), D(2026, 6, 15))
        assert lists["overdue"] == [] and [c.id for c in lists["paused"]] == [case.id]

    case = step(case.id, D(2026, 5, 21), resumed_on="2026-05-21")
    dl = recon_deadline(case)
    assert dl.due == D(2026, 7, 1) and "中止20日不计入" in dl.rule  # 11 June + 20 days
    with at(D(2026, 7, 2)):
        assert [c.id for c, _ in due_cases(user("reviewer"), D(2026, 7, 2))["overdue"]] == [case.id]

    case = step(case.id, D(2026, 6, 30), decided_on="2026-06-30", outcome="维持")
    dl = recon_deadline(case)
    assert dl.due is None and dl.status(D(2026, 7, 2)) == "closed"
    with at(D(2026, 7, 2)):
        assert due_cases(user("reviewer"), D(2026, 7, 2))["overdue"] == []


def test_simplified_procedure_and_rejection(ctx):
    with at(D(2026, 3, 2)):
        case = create_recon_case(case_data("2026-03-02", intake="受理", intake_date="2026-03-02",
                                           procedure="简易程序"), user("dongcheng_filler"))
        db.session.commit()
        assert recon_deadline(case).due == D(2026, 4, 1)  # 30 days
        other = create_recon_case(case_data("2026-03-02", intake="不予受理", intake_date="2026-03-02",
                                            refusal_reason="超过申请期限"), user("dongcheng_filler"))
        db.session.commit()
        assert recon_deadline(other).due is None


def test_calendar_weekends_holidays_and_adjusted_working_days(ctx):
    # National Day 2026: 1–7 October off; Saturday 10 October a working day (调休)
    for n in range(1, 8):
        db.session.add(Holiday(day=D(2026, 10, n), name="国庆节"))
    db.session.add(Holiday(day=D(2026, 10, 10), name="国庆节调休", workday=True))
    db.session.commit()
    cal = Calendar.load()
    assert cal.limit(D(2026, 9, 26), 5) == D(2026, 10, 8)  # ends 1 Oct, a holiday → Thursday 8th
    assert cal.limit(D(2026, 10, 5), 5) == D(2026, 10, 10)  # Saturday 10th is a working day
    assert cal.limit(D(2026, 10, 6), 5) == D(2026, 10, 12)  # Sunday 11th is not
    # working days skip the holidays and count the 调休 Saturday: 8, 9, 10, 12, 13 October
    assert cal.working_limit(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_a_holiday_entered_by_the_administrator_moves_open_cases_limits(app, client_for):
    from tests.helpers import csrf_token

    with app.app_context(), at(D(2026, 3, 2)):
        case = create_recon_case(case_data("2026-03-02"), user("dongcheng_filler"))  # due Monday 9 March
        db.session.commit()
        cid = case.id
        assert case.due_on == D(2026, 3, 9)
    admin = client_for("admin")
    token = csrf_token(admin, "/holidays/add")
    resp = admin.post("/holidays/add", data={"day": "2026-03-09", "name": "测试假日", "csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(ReconCase, cid).due_on == D(2026, 3, 10)
        from app.models import AuditLog

        row = db.session.scalars(select(AuditLog).where(AuditLog.action == "holiday.create")).one()
        assert row.detail["open_cases_moved"] == 1
    # units cannot edit the calendar
    filler = client_for("dongcheng_filler")
    resp = filler.post("/holidays/add", data={"day": "2026-03-10", "name": "x",
                                              "csrf_token": csrf_token(filler, "/")})
    assert resp.status_code in (302, 403)
    with app.app_context():
        assert db.session.scalar(select(Holiday).where(Holiday.day == D(2026, 3, 10))) is None
