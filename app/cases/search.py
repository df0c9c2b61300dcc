"""Search and filters of the reconsideration register (the list page, the API, the export).

One word searches 案号, applicants (name, or a citizen id matched exactly through
app.cases.applicant_id), 被申请人 and 文号. Names and numbers match from their start (an index
serves that at city scale); a full 案号 or 文号 matches exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, union

from ..models.cases import ReconApplicant, ReconCase
from .applicant_id import lookup_value
from .query import recon_query

STATUSES = {"open": "办理中", "accepted": "已受理未审结", "suspended": "中止中", "decided": "已审结",
            "refused": "不予受理/其他处理"}


@dataclass
class CaseFilter:
    """What the list asks for: a word, a year of receipt, a deciding unit, a status."""

    q: str = ""
    year: int | None = None
    unit_id: int | None = None
    status: str = ""
    # the drill-downs of 热点 and repeated challenges
    respondent: str = ""
    domain: str = ""
    matter: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def from_args(cls, args) -> CaseFilter:
        year = args.get("year", "")
        unit = args.get("unit", "")
        ids = tuple(int(x) for x in (args.get("ids") or "").split(",")[:500] if x.strip().isdigit())
        return cls(q=(args.get("q") or "").strip()[:64], year=int(year) if year.isdigit() and len(year) == 4 else None,
                   unit_id=int(unit) if unit.isdigit() else None,
                   status=args.get("status", "") if args.get("status", "") in STATUSES else "",
                   respondent=(args.get("respondent") or "")[:128], domain=(args.get("domain") or "")[:4],
                   matter=(args.get("matter") or "")[:24], date_from=_day(args.get("from")),
                   date_to=_day(args.get("to")), ids=ids)


def _day(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching(f: CaseFilter, user=None):
    """SELECT of the cases the user may see that match `f`."""
    q = recon_query(user)
    if f.q:
        # One index range per column (prefix LIKE; text_pattern_ops on PostgreSQL), united: an OR
        # across the columns and an EXISTS over the applicants would scan the whole register.
        prefix = _like_prefix(f.q)
        applicant = ReconApplicant.name.like(prefix, escape="\\")
        number = lookup_value(f.q)
        if number:
            applicant = or_(applicant, ReconApplicant.id_number == number)
        hits = union(
            select(ReconCase.id).where(ReconCase.case_no.like(prefix, escape="\\")),
            select(ReconCase.id).where(ReconCase.act_number.like(prefix, escape="\\")),
            select(ReconCase.id).where(ReconCase.respondent_name.like(prefix, escape="\\")),
            select(ReconApplicant.case_id).where(applicant),
        )
        q = q.where(ReconCase.id.in_(select(hits.subquery().c.id)))
    if f.year:
        q = q.where(ReconCase.receipt_date >= dt.date(f.year, 1, 1), ReconCase.receipt_date < dt.date(f.year + 1, 1, 1))
    if f.unit_id:
        q = q.where(ReconCase.unit_id == f.unit_id)
    if f.respondent:
        q = q.where(ReconCase.respondent_name == f.respondent)
    if f.domain:
        q = q.where(ReconCase.domain == f.domain)
    if f.matter:
        q = q.where(ReconCase.matter == f.matter)
    if f.date_from:
        q = q.where(ReconCase.receipt_date >= f.date_from)
    if f.date_to:
        q = q.where(ReconCase.receipt_date <= f.date_to)
    if f.ids:
        q = q.where(ReconCase.id.in_(f.ids))
    if f.status == "decided":
        q = q.where(ReconCase.decided_on.is_not(None))
    elif f.status == "refused":
        q = q.where(ReconCase.intake.in_(("rejected", "other")))
    elif f.status == "suspended":
        q = q.where(ReconCase.decided_on.is_(None), ReconCase.suspended_on.is_not(None),
                    ReconCase.resumed_on.is_(None))
    elif f.status == "accepted":
        q = q.where(ReconCase.decided_on.is_(None), ReconCase.intake == "accepted")
    elif f.status == "open":
        q = q.where(ReconCase.decided_on.is_(None), or_(ReconCase.intake.is_(None), ReconCase.intake == "accepted"))
    return q


def ordered(q):
    """Newest receipts first (paging is stable: id breaks ties)."""
    return q.order_by(ReconCase.receipt_date.desc(), ReconCase.id.desc())


def ids_select(cases_query):
    """The ids of a case SELECT (for drill-down links and counts)."""
    return cases_query.with_only_columns(ReconCase.id)


__all__ = ["CaseFilter", "STATUSES", "matching", "ordered", "ids_select", "select"]
