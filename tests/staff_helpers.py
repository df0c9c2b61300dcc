"""Fixtures for the staff register: people, courses and certificates made directly in the DB."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import Certificate, StaffMember, TrainingCourse, TrainingRecord
from app.staff.citizen_id import check_digit, parse_citizen_id
from app.unit_list import unit_by_code


def make_id(birth: str = "19850312", seq: str = "123") -> str:
    first17 = "110101" + birth + seq
    return first17 + check_digit(first17)


def person(unit_code: str, name: str, birth: str = "19850312", seq: str = "123", **extra) -> StaffMember:
    number = make_id(birth, seq)
    parsed = parse_citizen_id(number)
    s = StaffMember(unit_id=unit_by_code(unit_code).id, name=name, citizen_id=number, sex=parsed.sex,
                    birth_date=parsed.birth_date, education=extra.pop("education", "本科"), **extra)
    db.session.add(s)
    db.session.flush()
    return s


def certificate(staff: StaffMember, cert_type: str, number: str, valid_until: dt.date | None,
                status: str = "有效") -> Certificate:
    c = Certificate(staff_id=staff.id, cert_type=cert_type, number=number, issuer="北京市人民政府",
                    issue_date=dt.date(2020, 1, 1), valid_until=valid_until, status=status)
    db.session.add(c)
    db.session.flush()
    return c


def course(name: str, start: dt.date, hours: int, people=()) -> TrainingCourse:
    c = TrainingCourse(name=name, organiser="市政府法制办", start_date=start, end_date=start, hours=hours)
    db.session.add(c)
    db.session.flush()
    for p in people:
        db.session.add(TrainingRecord(course_id=c.id, staff_id=p.id, result="合格"))
    db.session.flush()
    return c
