"""规范性文件: search (文号, name, unit, status, year) and the statistics per unit and year."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import extract, or_, select
from sqlalchemy.orm import joinedload

from ..clock import today
from ..docflow.timing import LATE, MISSING, ON_TIME, judge, score_of
from ..extensions import db
from ..models.docflow import NormativeDoc
from ..models.unit import Unit
from ..scope import restrict
from . import AWAITING, CORRECTED, DRAFT, REJECTED, STATES, VALIDITY


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(number: str = "", title: str = "", unit_id: int | None = None, state: str = "",
           validity: str = "", year: int | None = None, user=None):
    """A select of the documents in the user's scope matching every given criterion, newest first."""
    q = restrict(select(NormativeDoc).options(joinedload(NormativeDoc.unit)), NormativeDoc.unit_id, user)
    if number:
        q = q.where(NormativeDoc.doc_number.ilike(_like(number), escape="\\"))
    if title:
        q = q.where(or_(NormativeDoc.title.ilike(_like(title), escape="\\")))
    if unit_id is not None:
        q = q.where(NormativeDoc.unit_id == unit_id)
    if state in STATES:
        q = q.where(NormativeDoc.state == state)
    if validity in VALIDITY:
        q = q.where(NormativeDoc.validity == validity)
    if year is not None:
        q = q.where(extract("year", NormativeDoc.published_on) == year)
    return q.order_by(NormativeDoc.published_on.desc(), NormativeDoc.id.desc())


@dataclass
class UnitYear:
    """One unit's 备案 figures for one year (documents published in that year)."""

    unit: Unit
    expected: int = 0     # 应备案: published in the year (a draft past its limit counts as missing)
    filed: int = 0        # 已备案: reported to the office
    on_time: int = 0      # 按时
    late: int = 0         # 迟报
    missing: int = 0      # 逾期未报
    reviewed: int = 0
    corrected: int = 0    # 审查纠错: 纠正 or 撤销
    response_overdue: int = 0
    counted: dict = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        """备案及时性 on the filing engine's scale (1 / 0.5 / 0 points per document due)."""
        return score_of({"expected": self.on_time + self.late + self.missing, ON_TIME: self.on_time,
                         LATE: self.late, MISSING: self.missing})

    @property
    def correction_rate(self) -> float | None:
        return round(100 * self.corrected / self.reviewed, 1) if self.reviewed else None


def year_stats(year: int, unit_ids: set[int] | None = None, on=None) -> dict[int, UnitYear]:
    """{unit_id: UnitYear} over the documents published in `year` (one query). `unit_ids`
    None means every unit; pass app.scope.visible_unit_ids() for a user's view."""
    on = on or today()
    q = select(NormativeDoc).options(joinedload(NormativeDoc.unit)).where(
        extract("year", NormativeDoc.published_on) == year)
    if unit_ids is not None:
        q = q.where(NormativeDoc.unit_id.in_(unit_ids or [-1]))
    out: dict[int, UnitYear] = {}
    for doc in db.session.scalars(q):
        s = out.setdefault(doc.unit_id, UnitYear(doc.unit))
        s.expected += 1
        if doc.state != DRAFT:
            s.filed += 1
        status = judge(doc.filed_at, doc.due_on, on)
        if status == ON_TIME:
            s.on_time += 1
        elif status == LATE:
            s.late += 1
        elif status == MISSING:
            s.missing += 1
        if doc.review_result:
            s.reviewed += 1
            if doc.review_result in CORRECTED:
                s.corrected += 1
        if doc.responded_at is None and judge(None, doc.response_due, on) == MISSING:
            s.response_overdue += 1
    return dict(sorted(out.items(), key=lambda kv: kv[1].unit.code))


def due_for_unit(user=None):
    """(drafts not yet filed, by deadline; refused ones; reviews awaiting the unit's response, by
    deadline) in the user's scope: the unit's home page."""
    q = restrict(select(NormativeDoc), NormativeDoc.unit_id, user)
    drafts = db.session.scalars(q.where(NormativeDoc.state == DRAFT).order_by(NormativeDoc.due_on)).all()
    returned = db.session.scalars(q.where(NormativeDoc.state == REJECTED)).all()
    awaiting = db.session.scalars(q.where(NormativeDoc.state == AWAITING).order_by(NormativeDoc.response_due)).all()
    return drafts, returned, awaiting
