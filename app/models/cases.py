"""Case registers: reconsideration (行政复议) and litigation (行政应诉) cases, their applicants,
the per-unit 案号 counter, and the holiday calendar the legal time limits read.

Fields follow the legacy Beijing register (XzfyInfo / XzssInfo) where it had them; see
docs/case-registers.md. Writes go through app.cases.recon / app.cases.litigation only.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..pii import protected_field

APPLICANT_KINDS = ["公民", "法人或其他组织"]
INTAKES = {"accepted": "受理", "rejected": "不予受理", "other": "告知及其他处理"}
PROCEDURES = ["普通程序", "简易程序"]
RECEIPT_CHANNELS = ["当面", "邮寄", "网上", "其他"]


RECEIPT_INCLUDE = ["unit_id", "intake", "refusal_reason", "matter", "respondent_level", "domain", "amend_requested",
                   "people", "org_applicants", "procedure", "hearing", "committee", "extension_days", "suspended_on",
                   "decided_on"]
DECIDED_INCLUDE = ["id", "unit_id", "outcome", "opinion_issued", "suggestion_issued"]
OPEN_INCLUDE = ["unit_id", "procedure", "hearing", "committee", "extension_days", "suspended_on"]


class ReconCase(Model):
    """One reconsideration application, from receipt to decision (per deciding unit)."""

    __tablename__ = "recon_case"
    __table_args__ = (
        UniqueConstraint("unit_id", "case_no", name="uq_recon_case_no"),
        Index("ix_recon_case_unit_receipt", "unit_id", "receipt_date"),
        Index("ix_recon_case_respondent", "respondent_unit_id", "receipt_date"),
        # The statistics read these ranges with what they count included (PostgreSQL: index-only scans).
        Index("ix_recon_case_receipt", "receipt_date", "id", postgresql_include=RECEIPT_INCLUDE),
        Index("ix_recon_case_decided", "decided_on", postgresql_include=DECIDED_INCLUDE),
        Index("ix_recon_case_open", "intake", "decided_on", "receipt_date", postgresql_include=OPEN_INCLUDE),
        Index("ix_recon_case_unit_decided", "unit_id", "decided_on"),
        Index("ix_recon_case_due", "due_on"),
        Index("ix_recon_case_act_key", "act_key", "respondent_name"),
        # prefix searches (LIKE 'x%'): text_pattern_ops lets PostgreSQL use the index in any collation
        Index("ix_recon_case_no", "case_no", postgresql_ops={"case_no": "text_pattern_ops"}),
        Index("ix_recon_case_act", "act_number", postgresql_ops={"act_number": "text_pattern_ops"}),
        Index("ix_recon_case_respondent_name", "respondent_name",
              postgresql_ops={"respondent_name": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False)  # the deciding body
    case_no: Mapped[str] = mapped_column(String(48), nullable=False)  # 京东复〔2026〕12号
    case_year: Mapped[int | None] = mapped_column(Integer)
    case_seq: Mapped[int | None] = mapped_column(Integer)  # None: a number carried in by an import
    receipt_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    receipt_channel: Mapped[str] = mapped_column(String(8), nullable=False, default="当面")
    group_size: Mapped[int | None] = mapped_column(Integer)  # 集体申请: people represented
    # Kept by the write path from the applicants, for the statistics: people applying (the group's
    # size, at least the rows listed) and how many of them are 法人或其他组织.
    people: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    org_applicants: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # 被申请人: a unit of the list, or a named body; its 层级 and 行政管理领域 (form keys)
    respondent_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    respondent_name: Mapped[str] = mapped_column(String(128), nullable=False)
    respondent_level: Mapped[str] = mapped_column(String(4), nullable=False)
    domain: Mapped[str] = mapped_column(String(4), nullable=False)
    matter: Mapped[str] = mapped_column(String(24), nullable=False)  # a 申请事项 field of the form
    act_name: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    act_number: Mapped[str] = mapped_column(String(128), nullable=False, default="")  # 文号
    act_date: Mapped[dt.date | None] = mapped_column(Date)
    amend_requested: Mapped[dt.date | None] = mapped_column(Date)  # 补正通知
    amend_received: Mapped[dt.date | None] = mapped_column(Date)
    intake: Mapped[str | None] = mapped_column(String(12))  # accepted / rejected / other
    intake_date: Mapped[dt.date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(String(16))  # a 不予受理原因 field
    procedure: Mapped[str] = mapped_column(String(8), nullable=False, default="普通程序")
    hearing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    committee: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    extension_days: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(String(256))
    extension_approver: Mapped[str | None] = mapped_column(String(64))
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)
    resumed_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(32))  # an outcome field of the form
    opinion_issued: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 意见书
    suggestion_issued: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 建议书
    note: Mapped[str | None] = mapped_column(Text)
    # The current limit's last day as app.cases.timelimits computes it (None: closed or suspended),
    # kept by the write path and refreshed when the holiday calendar changes: the 督办 lists
    # read open cases by it instead of computing every open case's limit.
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    # 文号 as compared for repeated challenges (app.cases.repeats.normalise_number)
    act_key: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    unit = relationship("Unit", foreign_keys=[unit_id])
    respondent_unit = relationship("Unit", foreign_keys=[respondent_unit_id])
    applicants = relationship("ReconApplicant", back_populates="case", order_by="ReconApplicant.id",
                              cascade="all, delete-orphan")
    suits = relationship("LitigationCase", back_populates="recon_case")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return self.case_no


class ReconApplicant(Model):
    """An applicant of a case. The citizen id is sealed at rest (app/pii: SM4-GCM, HMAC-SM3 blind
    index): `id_number` reads and writes the plain value, `ReconApplicant.id_number == x` compares
    blind indexes; the register shows it through app.cases.applicant_id (masked or whole)."""

    __tablename__ = "recon_applicant"
    __table_args__ = (Index("ix_recon_applicant_name", "name", postgresql_ops={"name": "text_pattern_ops"}),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recon_case.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    id_number_sealed: Mapped[str | None] = mapped_column(Text)
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number = protected_field("ReconApplicant", "id_number")
    phone: Mapped[str | None] = mapped_column(String(32))

    case = relationship("ReconCase", back_populates="applicants")


class CaseCounter(Model):
    """The last 案号 given per unit, register and year: the next case takes last + 1 in the same
    transaction (row locked), so numbers have no gaps and no duplicates."""

    __tablename__ = "case_counter"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    register: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CasePrefix(Model):
    """A unit's own 案号 prefix (e.g. 京东复); without a row: 京 + the first character of its name + 复."""

    __tablename__ = "case_prefix"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)


class Holiday(Model):
    """The State Council's yearly calendar, kept by administrators: a public holiday, or a
    weekend day made a working day (调休, workday=True). Legal time limits read it."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(32), nullable=False)
    workday: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    def __repr__(self) -> str:
        return f"{self.day} {self.name}"


INSTANCES = ["一审", "二审", "再审"]
HEAD_RANKS = ["正职", "副职"]
JUDGEMENT_KINDS = ["判决", "裁定"]


class LitigationCase(Model):
    """One suit against a unit (行政应诉), per instance; instances of one dispute link up."""

    __tablename__ = "litigation_case"
    __table_args__ = (
        UniqueConstraint("court", "court_case_no", name="uq_litigation_case_no"),
        Index("ix_litigation_unit_received", "unit_id", "complaint_received"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False)  # the defendant
    court_case_no: Mapped[str] = mapped_column(String(64), nullable=False)
    court: Mapped[str] = mapped_column(String(64), nullable=False)
    instance: Mapped[str] = mapped_column(String(4), nullable=False, default="一审")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("litigation_case.id"))  # the lower instance
    plaintiffs: Mapped[str] = mapped_column(String(256), nullable=False)
    act_name: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    act_number: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    matter: Mapped[str] = mapped_column(String(24), nullable=False, default="m_other")
    recon_case_id: Mapped[int | None] = mapped_column(ForeignKey("recon_case.id"), index=True)  # 经复议
    co_defendant: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 复议机关共同被告
    complaint_received: Mapped[dt.date] = mapped_column(Date, nullable=False)
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_date: Mapped[dt.date | None] = mapped_column(Date)
    head_attended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    head_name: Mapped[str | None] = mapped_column(String(64))
    head_rank: Mapped[str | None] = mapped_column(String(4))
    judgement_kind: Mapped[str | None] = mapped_column(String(4))
    judgement_date: Mapped[dt.date | None] = mapped_column(Date)
    served_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(32))  # an outcome field of the litigation form
    suggestion_received: Mapped[dt.date | None] = mapped_column(Date)  # 司法建议
    suggestion_answered: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    unit = relationship("Unit")
    previous = relationship("LitigationCase", remote_side=[id])
    recon_case = relationship("ReconCase", back_populates="suits")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return self.court_case_no
