"""Staff statistics, aggregated in SQL: by education, age band, major, rank; certificate
holders; training hours per person; qualified reconsideration staff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, case, distinct, func, or_, select

from ..extensions import db
from ..models.staff import Certificate, StaffMember, TrainingCourse, TrainingRecord

ACTIVE = "在职"
AGE_BANDS = [("35岁以下", 0, 35), ("35-44岁", 35, 45), ("45-54岁", 45, 55), ("55岁及以上", 55, 200)]
RECONSIDERATION_CERT = "行政复议人员资格证"


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 Feb
        return day.replace(year=day.year - years, day=28)


def _age_band(on: dt.date):
    """A CASE expression naming the age band of StaffMember.birth_date on `on`."""
    whens = []
    for label, low, high in AGE_BANDS:
        # age >= low  ⇔ birth_date <= on − low years; age < high ⇔ birth_date > on − high years
        whens.append((and_(StaffMember.birth_date <= _years_before(on, low),
                           StaffMember.birth_date > _years_before(on, min(high, 150))), label))
    return case(*whens, else_="其他")


def _scoped(q, unit_ids):
    return q if unit_ids is None else q.where(StaffMember.unit_id.in_(unit_ids))


def _grouped(column, unit_ids) -> dict[str, int]:
    q = select(column.label("k"), func.count()).where(StaffMember.status == ACTIVE).group_by("k")
    return {str(k): n for k, n in db.session.execute(_scoped(q, unit_ids)).all()}


def breakdowns(unit_ids: set[int] | None, on: dt.date, keys) -> dict[str, dict[str, int]]:
    """Only the breakdowns `keys` of :func:`staff_stats` (by_education, by_age_band, by_major,
    by_rank), one GROUP BY each: for a page that draws two charts, not the whole set."""
    columns = {"by_education": lambda: StaffMember.education, "by_age_band": lambda: _age_band(on),
               "by_major": lambda: case((StaffMember.law_major.is_(True), "法学类"), else_="非法学类"),
               "by_rank": lambda: StaffMember.rank}
    return {key: _grouped(columns[key](), unit_ids) for key in keys}


def valid_certificate(on: dt.date):
    """Condition: the certificate is valid on `on`."""
    return and_(Certificate.status == "有效",
                or_(Certificate.valid_until.is_(None), Certificate.valid_until >= on))


def staff_stats(unit_ids: set[int] | None, on: dt.date, year: int) -> dict:
    """Figures for the units (None = all) on day `on`, training hours over calendar `year`.

    JSON-serialisable: it is frozen into a snapshot when a yearly report is signed off.
    """
    headcount = db.session.scalar(_scoped(
        select(func.count()).select_from(StaffMember).where(StaffMember.status == ACTIVE), unit_ids))
    holders = dict(db.session.execute(_scoped(
        select(Certificate.cert_type, func.count(distinct(Certificate.staff_id)))
        .join(StaffMember, StaffMember.id == Certificate.staff_id)
        .where(StaffMember.status == ACTIVE, valid_certificate(on))
        .group_by(Certificate.cert_type), unit_ids)).all())
    hours = db.session.scalar(_scoped(
        select(func.coalesce(func.sum(TrainingCourse.hours), 0))
        .select_from(TrainingRecord)
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .join(StaffMember, StaffMember.id == TrainingRecord.staff_id)
        .where(StaffMember.status == ACTIVE, TrainingCourse.start_date >= dt.date(year, 1, 1),
               TrainingCourse.start_date <= dt.date(year, 12, 31)), unit_ids))
    hours = Decimal(hours or 0)
    return {
        "on": on.isoformat(),
        "year": year,
        "headcount": headcount,
        **breakdowns(unit_ids, on, ("by_education", "by_age_band", "by_major", "by_rank")),
        "certificate_holders": holders,
        "training_hours": str(hours),
        "training_hours_per_person": str((hours / headcount).quantize(Decimal("0.1"))) if headcount else None,
        "qualified_reconsideration": holders.get(RECONSIDERATION_CERT, 0),
        "passed_legal_exam": db.session.scalar(_scoped(
            select(func.count()).select_from(StaffMember)
            .where(StaffMember.status == ACTIVE, StaffMember.passed_legal_exam.is_(True)), unit_ids)),
    }


def active_headcount(unit_id: int) -> int:
    """In-service staff of one unit (pre-fills the yearly report's 实有人数)."""
    return db.session.scalar(select(func.count()).select_from(StaffMember).where(
        StaffMember.unit_id == unit_id, StaffMember.status == ACTIVE))


def expiring_certificates(unit_ids: set[int] | None, on: dt.date, days: int = 90) -> list[Certificate]:
    """Valid certificates whose valid-until falls within `days` days from `on` (inclusive)."""
    q = (select(Certificate).join(StaffMember, StaffMember.id == Certificate.staff_id)
         .where(Certificate.status == "有效", Certificate.valid_until >= on,
                Certificate.valid_until <= on + dt.timedelta(days=days), StaffMember.status == ACTIVE)
         .order_by(Certificate.valid_until, Certificate.id))
    return list(db.session.scalars(_scoped(q, unit_ids)))


QUALIFICATION_CERT = "行政复议人员资格证"
QUALIFICATION_COURSE = "行政复议"  # a course whose name holds this is 行政复议人员资格 training


def qualification_work(unit_id: int, year: int) -> dict[str, int]:
    """行政复议人员资格 work of a unit's staff in `year`, from the registers: people trained (in a
    course named 行政复议… starting that year), assessed 合格/优秀 or 不合格, certificates issued
    that year, and certificates valid on 31 December."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    records = (select(TrainingRecord.staff_id, TrainingRecord.result)
               .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
               .join(StaffMember, StaffMember.id == TrainingRecord.staff_id)
               .where(StaffMember.unit_id == unit_id, TrainingCourse.name.contains(QUALIFICATION_COURSE),
                      TrainingCourse.start_date.between(first, last)))
    rows = db.session.execute(records).all()
    certs = (select(func.count()).select_from(Certificate).join(StaffMember, StaffMember.id == Certificate.staff_id)
             .where(StaffMember.unit_id == unit_id, Certificate.cert_type == QUALIFICATION_CERT))
    return {
        "q_trained": len({staff for staff, _r in rows}),
        "q_passed": len({staff for staff, r in rows if r in ("合格", "优秀")}),
        "q_failed": len({staff for staff, r in rows if r == "不合格"}),
        "q_issued": db.session.scalar(certs.where(Certificate.issue_date.between(first, last))),
        "q_valid": db.session.scalar(certs.where(Certificate.issue_date <= last, valid_certificate(last))),
    }
