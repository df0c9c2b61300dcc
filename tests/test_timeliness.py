"""Issue 3 acceptance 3: timeliness figures exact on a fixture with on-time, late and missing
filings, a deadline moved by an administrator, and a unit closed mid-year."""

from __future__ import annotations

import datetime as dt

import time_machine

from app.extensions import db
from app.filing import workflow
from app.filing.deadlines import deadline, move_deadline
from app.filing.periods import Period
from app.filing.timeliness import overdue, period_timeliness, year_scores
from app.filing.values import open_filing, save_values
from app.models import FormAssignment, Unit
from app.unit_list import unit_by_code
from tests.engine_helpers import user
from tests.helpers import penalty_values

BEIJING_10AM = dt.time(2, 0)  # 10:00 in Beijing, in UTC


def _file(unit_code, period_key, signed_off_on: dt.date):
    """Fill and sign off a filing on a given (local) day."""
    filler_name, approver_name = {"0100": ("dongcheng_filler", "dongcheng_approver"),
                                  "2300": ("gongan_filler", "gongan_approver")}[unit_code]
    with time_machine.travel(dt.datetime.combine(signed_off_on, BEIJING_10AM, dt.UTC), tick=False):
        f = open_filing("penalty", Period.parse(period_key), user(filler_name))
        save_values(f, penalty_values(), user(filler_name))
        workflow.apply(f, "submit", user(filler_name))
        workflow.apply(f, "sign_off", user(approver_name))
    return f


def _temp_unit(code, name, valid_to=None):
    u = Unit(code=code, name=name, short_name=name, kind="department",
             parent_id=unit_by_code("0000").id, valid_from=dt.date(2000, 1, 1), valid_to=valid_to)
    db.session.add(u)
    db.session.flush()
    return u


def test_timeliness_exact(app):
    with app.app_context():
        # Keep the fixture small: only three units, two real and one closed mid-2026.
        closed = _temp_unit("9901", "测试撤并局", valid_to=dt.date(2026, 8, 1))
        keep = {unit_by_code("0100").id, unit_by_code("2300").id, closed.id}
        from app.forms import FORMS

        for u in db.session.scalars(db.select(Unit)):
            for code in FORMS:  # only the penalty form of the three units is expected
                if u.id not in keep or code != "penalty":
                    db.session.add(FormAssignment(unit_id=u.id, form_code=code, required=False))
        db.session.commit()
        q2, q3 = Period.parse("2026Q2"), Period.parse("2026Q3")
        assert deadline("penalty", q2) == dt.date(2026, 7, 15)

        _file("0100", "2026Q2", dt.date(2026, 7, 15))   # on the deadline day: on time
        _file("2300", "2026Q2", dt.date(2026, 7, 20))   # five days late
        # closed unit (active on 30 Jun) files nothing for Q2: missing
        db.session.commit()

        t = period_timeliness("penalty", q2)
        rows = {r.unit.code: (r.status, r.days_late) for r in t.rows}
        assert rows == {"0100": ("on_time", 0), "2300": ("late", 5), "9901": ("missing", 0)}
        assert (t.expected, t.count("on_time"), t.count("late"), t.count("missing")) == (3, 1, 1, 1)
        assert str(round(t.completion_rate, 4)) == "0.6667"

        # An administrator moves Q3's deadline to 25 Oct: a filing on 20 Oct is then on time.
        admin = user("admin")
        move_deadline("penalty", q3, dt.date(2026, 10, 25), "国庆假期顺延", admin)
        db.session.commit()
        assert deadline("penalty", q3) == dt.date(2026, 10, 25)
        _file("0100", "2026Q3", dt.date(2026, 10, 20))
        _file("2300", "2026Q3", dt.date(2026, 10, 27))
        db.session.commit()
        t3 = period_timeliness("penalty", q3)
        rows3 = {r.unit.code: (r.status, r.days_late) for r in t3.rows}
        # The unit closed on 1 Aug is not expected for Q3 (not active on 30 Sep).
        assert rows3 == {"0100": ("on_time", 0), "2300": ("late", 2)}

        # Yearly score over 2026's quarters ending in the year, for the closed unit: Q1, Q2 expected.
        # Q4 is not yet due on 1 Nov 2026, so it does not count against anyone.
        scores = year_scores(2026, keep, on=dt.date(2026, 11, 1))
        assert scores[closed.id]["expected"] == 2 and scores[closed.id]["score"] == 0.0
        dc = scores[unit_by_code("0100").id]
        assert (dc["expected"], dc["on_time"], dc["late"], dc["missing"]) == (3, 2, 0, 1)
        assert dc["score"] == 66.7
        ga = scores[unit_by_code("2300").id]
        assert (ga["on_time"], ga["late"], ga["missing"]) == (0, 2, 1) and ga["score"] == 33.3
        # After the year's last deadline, Q4 counts as missing.
        assert year_scores(2026, keep, on=dt.date(2027, 2, 1))[unit_by_code("0100").id]["score"] == 50.0

        # 催报 on 1 Nov 2026: Q1 for all three (never filed), Q2 for the closed unit.
        late = {(o.unit.code, o.period.key) for o in overdue(keep, on=dt.date(2026, 11, 1), years_back=0)}
        assert late == {("0100", "2026Q1"), ("2300", "2026Q1"), ("9901", "2026Q1"), ("9901", "2026Q2")}


def test_moving_a_deadline_needs_a_reason_and_is_audited(app, client_for):
    from tests.helpers import post_form

    admin = client_for("admin")
    post_form(admin, "/timeliness/deadline",
              {"form": "penalty", "period": "2026Q3", "deadline": "2026-10-30", "reason": ""}, "/")
    with app.app_context():
        assert deadline("penalty", Period.parse("2026Q3")) == dt.date(2026, 10, 15)
    post_form(admin, "/timeliness/deadline",
              {"form": "penalty", "period": "2026Q3", "deadline": "2026-10-30", "reason": "系统升级"}, "/")
    with app.app_context():
        from app.models import AuditLog, DeadlineOverride

        assert deadline("penalty", Period.parse("2026Q3")) == dt.date(2026, 10, 30)
        row = db.session.scalar(db.select(DeadlineOverride))
        assert row.reason == "系统升级" and row.set_by == "admin"
        entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "deadline.move"))
        assert entry.detail["old"] == "2026-10-15" and entry.detail["new"] == "2026-10-30"
    # A reviewer cannot move deadlines.
    reviewer = client_for("reviewer")
    resp = post_form(reviewer, "/timeliness/deadline",
                     {"form": "penalty", "period": "2026Q2", "deadline": "2026-12-30", "reason": "x"}, "/")
    assert resp.status_code in (302, 403)
    with app.app_context():
        assert deadline("penalty", Period.parse("2026Q2")) == dt.date(2026, 7, 15)


def test_overdue_notice_on_unit_home_page(app, client_for):
    with app.app_context():
        _file("2300", "2026Q2", dt.date(2026, 7, 10))
        db.session.commit()
    with time_machine.travel(dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC)):
        page = client_for("dongcheng_filler").get("/").get_data(as_text=True)
        assert "催报通知" in page and "2026年第2季度" in page
        page = client_for("gongan_filler").get("/").get_data(as_text=True)
        assert "2026年第2季度" not in page.split("催报通知")[1].split("</div>")[0]


def test_settings_are_read_once_a_request_and_never_stale(app, client_for):
    """Moved deadlines and filing duties are read once a request (app.settings_memo): the analysis
    page asked for them twelve times. A write to them through the session — an object flushed or
    an INSERT / UPDATE / DELETE statement — is seen at once by the next read in the same request."""
    from sqlalchemy import delete, event, update

    from app.filing.deadlines import deadlines_for
    from app.filing.timeliness import assignments
    from app.models.filing import DeadlineOverride

    q3 = Period.parse("2026Q3")
    with app.app_context():
        admin = user("admin")
        rule = deadline("penalty", q3)
        assert deadlines_for("penalty", [q3]) == {q3.key: rule}
        move_deadline("penalty", q3, rule + dt.timedelta(days=10), "国庆假期顺延", admin)  # an object flushed
        assert deadline("penalty", q3) == rule + dt.timedelta(days=10)
        db.session.execute(update(DeadlineOverride).values(deadline=rule + dt.timedelta(days=3)))  # a statement
        assert deadlines_for("penalty", [q3])[q3.key] == rule + dt.timedelta(days=3)
        db.session.execute(delete(DeadlineOverride))
        assert deadline("penalty", q3) == rule

        unit = unit_by_code("0100")
        assert unit.id not in assignments("penalty")
        db.session.add(FormAssignment(unit_id=unit.id, form_code="penalty", valid_from=dt.date(2026, 1, 1),
                                      required=False))
        db.session.flush()
        assert assignments("penalty")[unit.id] == [(dt.date(2026, 1, 1), False)]
        db.session.rollback()

    seen = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM deadline_override" in statement or "FROM form_assignment" in statement:
            seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client_for("leader").get("/reports/analysis?period=2026H1")
        assert page.status_code == 200 and "行政处罚" in page.get_data(as_text=True)
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count)
    # one read of the moved deadlines, one of each form's duties (four forms at most)
    assert sum("deadline_override" in s for s in seen) == 1
    assert 1 <= sum("form_assignment" in s for s in seen) <= 4
