"""Notices (通知公告) with their addressees and read receipts, feedback (问题反馈) with replies,
attachments of both, and the office's divisions and contact people (联系方式)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow

# Who a notice is addressed to.
AUDIENCE_ALL, AUDIENCE_KINDS, AUDIENCE_UNITS = "all", "kinds", "units"

# Feedback categories and states (the state machine lives in app/notices/feedback.py).
FEEDBACK_CATEGORIES = {"network": "网络运行", "software": "软件使用", "filing": "数据填报", "other": "其他"}
OPEN, IN_PROGRESS, RESOLVED = "open", "in_progress", "resolved"
FEEDBACK_STATES = {OPEN: "待处理", IN_PROGRESS: "处理中", RESOLVED: "已解决"}


class Notice(Model):
    """A notice published by the municipal office. `body` is stored already sanitised."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    audience: Mapped[str] = mapped_column(String(8), nullable=False, default=AUDIENCE_ALL)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    targets = relationship("NoticeTarget", back_populates="notice", cascade="all, delete-orphan",
                           order_by="NoticeTarget.id")
    attachments = relationship("Attachment", back_populates="notice", order_by="Attachment.id",
                               foreign_keys="Attachment.notice_id")

    def __repr__(self) -> str:
        return self.title


class NoticeTarget(Model):
    """One addressee line of a notice: a unit kind (audience "kinds") or a unit (audience "units")."""

    __tablename__ = "notice_target"
    __table_args__ = (UniqueConstraint("notice_id", "kind", "unit_id", name="uq_notice_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), nullable=False, index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    notice = relationship("Notice", back_populates="targets")
    unit = relationship("Unit")


class NoticeRead(Model):
    """A read receipt: one user of an addressed unit opened the notice (first time kept)."""

    __tablename__ = "notice_read"
    __table_args__ = (UniqueConstraint("notice_id", "user_id", name="uq_notice_read"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), nullable=False, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    username: Mapped[str] = mapped_column(String(128), nullable=False)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class Feedback(Model):
    """A unit's report of a problem (network, software, filing, other) and its state."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    category: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    unit = relationship("Unit")
    replies = relationship("FeedbackReply", back_populates="feedback", order_by="FeedbackReply.id")
    attachments = relationship("Attachment", back_populates="feedback", order_by="Attachment.id",
                               foreign_keys="Attachment.feedback_id")

    @property
    def category_label(self) -> str:
        return FEEDBACK_CATEGORIES.get(self.category, self.category)

    @property
    def state_label(self) -> str:
        return FEEDBACK_STATES.get(self.state, self.state)


class FeedbackReply(Model):
    """The office's answer or the unit's follow-up; a state change is kept with it."""

    __tablename__ = "feedback_reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    from_office: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    feedback = relationship("Feedback", back_populates="replies")


class Attachment(Model):
    """An uploaded file of a notice or a feedback report. The bytes live in the database (table
    `blob`, key `storage_key`: app/blobs.py); `content_type` is what the content was found to be."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    notice = relationship("Notice", back_populates="attachments", foreign_keys=[notice_id])
    feedback = relationship("Feedback", back_populates="attachments", foreign_keys=[feedback_id])

    @property
    def size_label(self) -> str:
        if self.size < 1024:
            return f"{self.size} B"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.1f} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"


class Division(Model):
    """A division (处室) of the municipal office and what it is responsible for."""

    __tablename__ = "division"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    duties: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    contacts = relationship("Contact", back_populates="division", order_by="(Contact.sort_order, Contact.id)")

    def __repr__(self) -> str:
        return self.name


class Contact(Model):
    """A person to call in a division: name, post (职务) and phone."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    post: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(64), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    division = relationship("Division", back_populates="contacts")

    def __repr__(self) -> str:
        return self.name
