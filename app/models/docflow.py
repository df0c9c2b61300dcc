"""Document workflows (app.docflow): one transition log and one file store for every document
kind — 规范性文件备案, 信息报送, and whatever declares itself next — plus the two kinds' own rows."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..clock import utcnow


class DocTransition(Model):
    """One step of a document's workflow: which kind and document, who, when, from, to, why."""

    __tablename__ = "doc_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    doc_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    username: Mapped[str] = mapped_column(String(128), nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class DocFile(Model):
    """A checked upload of a document; its bytes are a blob (app.blobs: in the database, so every
    app server sees them). `role` says what it is for the document: its text, an 审查意见书, an
    attachment."""

    __tablename__ = "doc_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    doc_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    @property
    def size_label(self) -> str:
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.1f} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"


class _Doc:
    """What every workflow document has: its unit, state, version guard and times."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(24), nullable=False, default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class NormativeDoc(_Doc, Model):
    """规范性文件: one document a unit issued, its 备案 (filing), 登记, 审查, the unit's 答复 and 清理."""

    __tablename__ = "normative_doc"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)            # 文件名称
    doc_number: Mapped[str] = mapped_column(String(100), nullable=False, index=True)  # 文号
    issuer: Mapped[str] = mapped_column(String(200), nullable=False)           # 制定机关
    published_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)  # 公布日期
    effective_on: Mapped[dt.date | None] = mapped_column(Date)                 # 施行日期
    valid_until: Mapped[dt.date | None] = mapped_column(Date)                  # 有效期至
    drafting_note: Mapped[str | None] = mapped_column(Text)                    # 起草说明
    legal_basis: Mapped[str | None] = mapped_column(Text)                      # 制定依据
    legality_opinion: Mapped[str | None] = mapped_column(Text)                 # 合法性审核意见
    disclosure: Mapped[str | None] = mapped_column(Text)                       # 公开情况
    due_on: Mapped[dt.date] = mapped_column(Date, nullable=False)              # 备案期限
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)             # 报送备案
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)                    # 不予登记理由
    review_result: Mapped[str | None] = mapped_column(String(16))              # 审查结论
    review_opinion: Mapped[str | None] = mapped_column(Text)                   # 审查意见
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    response_due: Mapped[dt.date | None] = mapped_column(Date)                 # 答复期限
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    response: Mapped[str | None] = mapped_column(Text)                         # 单位答复
    validity: Mapped[str] = mapped_column(String(16), nullable=False, default="valid")  # 清理标记
    validity_on: Mapped[dt.date | None] = mapped_column(Date)

    unit = relationship("Unit")


class InfoBrief(Model):
    """One issue of 法治信息简报, compiled by the office from adopted items."""

    __tablename__ = "info_brief"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)  # 第 n 期 of the year
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    issued_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    items = relationship("InfoItem", back_populates="brief", order_by="InfoItem.id")


class InfoItem(_Doc, Model):
    """法治工作信息: one item a unit submitted, and the office's edit, adoption or refusal."""

    __tablename__ = "info_item"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)  # sanitised HTML (app.notices.html)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    adoption: Mapped[str | None] = mapped_column(String(16))   # 简报 / 专报
    level: Mapped[str | None] = mapped_column(String(16))      # 采用层级
    instruction: Mapped[str | None] = mapped_column(Text)      # 领导批示
    decline_reason: Mapped[str | None] = mapped_column(Text)
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("info_brief.id"), index=True)

    unit = relationship("Unit")
    brief = relationship("InfoBrief", back_populates="items")
