"""Filings: one unit's form for one period, its transitions, corrections and deadline settings."""

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow


class Filing(Model):
    """Unit × form × period. `revision` names the current value row; `version` guards edits."""

    __tablename__ = "filing"
    # (form_code, year): the list's year filter reads a form's first and last year from the index
    __table_args__ = (UniqueConstraint("form_code", "unit_id", "period_key", name="uq_filing"),
                      Index("ix_filing_form_year", "form_code", "year"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    period_key: Mapped[str] = mapped_column(String(8), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    sub: Mapped[int] = mapped_column(Integer, nullable=False)  # quarter, half or 1
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft", index=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    explanation: Mapped[str | None] = mapped_column(Text)
    first_reported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The reviewer's list (app.filing.review) sorts and filters on these, so they are stored when
    # they come about rather than recomputed per row: days past the deadline at the first sign-off
    # (app.filing.timeliness, refreshed when the deadline moves), and how many validation warnings
    # the figures raised when submitted (or corrected). NULL: filed before they were kept.
    days_late: Mapped[int | None] = mapped_column(Integer)
    warning_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    unit = relationship("Unit")
    transitions = relationship(
        "FilingTransition", order_by="FilingTransition.id", back_populates="filing"
    )
    corrections = relationship(
        "CorrectionRequest", order_by="CorrectionRequest.id", back_populates="filing"
    )

    __mapper_args__ = {"version_id_col": version}


class FilingTransition(Model):
    """One step of the state machine: who, when, from, to, comment."""

    __tablename__ = "filing_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    from_state: Mapped[str] = mapped_column(String(16), nullable=False)
    to_state: Mapped[str] = mapped_column(String(16), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    username: Mapped[str] = mapped_column(String(128), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    # A return's reason from the declared list (app.filing.return_reasons); the comment adds detail.
    reason_code: Mapped[str | None] = mapped_column(String(32), index=True)

    filing = relationship("Filing", back_populates="transitions")


class CorrectionRequest(Model):
    """修改申请: proposed values for a reported filing, decided by the municipal office."""

    __tablename__ = "correction_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id"), nullable=False, index=True)
    base_revision: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    proposed: Mapped[dict] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    requested_by: Mapped[str] = mapped_column(String(128), nullable=False)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)

    filing = relationship("Filing", back_populates="corrections")


class DeadlineOverride(Model):
    """An administrator's move of one period's deadline, with the reason kept."""

    __tablename__ = "deadline_override"
    __table_args__ = (UniqueConstraint("form_code", "period_key", name="uq_deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_code: Mapped[str] = mapped_column(String(32), nullable=False)
    period_key: Mapped[str] = mapped_column(String(8), nullable=False)
    deadline: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    set_by: Mapped[str | None] = mapped_column(String(128))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


ALWAYS = dt.date(1900, 1, 1)  # an assignment's valid_from when it holds for every period


class FormAssignment(Model):
    """Whether a unit must file a form from a day on (default without a row: every unit active in
    the period). Several rows per unit and form change it over time: the row in force for a
    period is the latest whose `valid_from` is on or before the period's last day (e.g. from
    2022-07-01 the municipal departments no longer file 行政复议)."""

    __tablename__ = "form_assignment"
    __table_args__ = (UniqueConstraint("unit_id", "form_code", "valid_from", name="uq_assignment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False)
    form_code: Mapped[str] = mapped_column(String(32), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, nullable=False, default=ALWAYS, server_default="1900-01-01")
    # The unit keeps its case register in the portal: its form is prefilled from the cases
    # (app.cases.stats). Without it the unit files by hand.
    from_register: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")

    unit = relationship("Unit")


class FormSetting(Model):
    """The municipal office's settings of one form, kept in the database (every app server reads
    the same): `early_drafts` lets units create and save a draft for a period that has not yet
    ended (never submit it before it opens). No row: the defaults (off)."""

    __tablename__ = "form_setting"

    form_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    early_drafts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")
    set_by: Mapped[str | None] = mapped_column(String(128))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class Reminder(Model):
    """催报: one reminder sent to a unit about one form and period — who, when, how many mails."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_target", "form_code", "period_key", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False)
    form_code: Mapped[str] = mapped_column(String(32), nullable=False)
    period_key: Mapped[str] = mapped_column(String(8), nullable=False)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    sent_by: Mapped[str] = mapped_column(String(128), nullable=False)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    mailed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # mails accepted by the server
    mail_error: Mapped[str | None] = mapped_column(Text)

    unit = relationship("Unit")
