"""Staff register, training courses and participation, and certificates."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..pii import protected_field

EDUCATION = ["博士", "硕士", "本科", "大专", "其他"]
STAFF_STATUS = ["在职", "调离", "退休"]
CERT_TYPES = ["行政复议人员资格证", "行政执法证", "法律职业资格证"]
CERT_STATUS = ["有效", "注销", "过期"]
RESULTS = ["优秀", "合格", "不合格"]


class StaffMember(Model):
    """One person on a unit's legal-affairs staff. Leavers are marked, never deleted (anonymised after
    the retention period: app/pii/retention.py). The 身份证号 is sealed (app/pii): `citizen_id`
    reads and writes the plain value, `StaffMember.citizen_id == x` compares blind indexes."""

    __tablename__ = "staff_member"
    __table_args__ = (UniqueConstraint("citizen_id_index", name="uq_staff_member_citizen_id_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    citizen_id_sealed: Mapped[str | None] = mapped_column(Text)
    citizen_id_index: Mapped[str | None] = mapped_column(String(64))
    citizen_id = protected_field("StaffMember", "citizen_id")
    sex: Mapped[str] = mapped_column(String(2), nullable=False)
    birth_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    ethnicity: Mapped[str] = mapped_column(String(16), nullable=False, default="汉族")
    education: Mapped[str] = mapped_column(String(8), nullable=False)
    major: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    law_major: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    political_status: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    post: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    rank: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    passed_legal_exam: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="在职", index=True)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    anonymised_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    unit = relationship("Unit")
    certificates = relationship("Certificate", back_populates="staff", order_by="Certificate.id")
    trainings = relationship("TrainingRecord", back_populates="staff", order_by="TrainingRecord.id")

    def __repr__(self) -> str:
        return self.name


class TrainingCourse(Model):
    """A course: organiser, dates and hours."""

    __tablename__ = "training_course"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    organiser: Mapped[str] = mapped_column(String(128), nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    hours: Mapped[float] = mapped_column(Numeric(6, 1), nullable=False)

    def __repr__(self) -> str:
        return f"{self.name}（{self.start_date}）"


class TrainingRecord(Model):
    """One person's participation in a course, with the assessment (考核) result."""

    __tablename__ = "training_record"
    __table_args__ = (UniqueConstraint("course_id", "staff_id", name="uq_training_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), nullable=False, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), nullable=False, index=True)
    result: Mapped[str] = mapped_column(String(8), nullable=False, default="合格")

    course = relationship("TrainingCourse")
    staff = relationship("StaffMember", back_populates="trainings")


class Certificate(Model):
    """A certificate: type, number (unique per type), issuer, dates and status."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("cert_type", "number", name="uq_certificate_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), nullable=False, index=True)
    cert_type: Mapped[str] = mapped_column(String(16), nullable=False)
    number: Mapped[str] = mapped_column(String(32), nullable=False)
    issuer: Mapped[str] = mapped_column(String(128), nullable=False)
    issue_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="有效")

    staff = relationship("StaffMember", back_populates="certificates")


class StaffSnapshot(Model):
    """Staff statistics frozen when a yearly institution report is signed off."""

    __tablename__ = "staff_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id"), nullable=False, unique=True)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
