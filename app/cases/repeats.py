"""Repeated challenges, hotspots and reconsideration → litigation chains, over any period.

- The same act challenged by several applicants: cases naming the same 被申请人 and 文号 (文号
  compared without spaces and with its brackets unified), or — where no 文号 was recorded — the
  same 被申请人 and a close act name (difflib ratio ≥ CLOSE_NAME);
- one applicant with many cases: the same citizen id, else the same name and phone;
- group applications: cases of GROUP_SIZE people or more;
- 热点: counts by 被申请人, 领域 and 事项, each linking to its cases;
- chains: cases sued after reconsideration, and 复议后被诉率 = those concluded in the period that
  were sued, over the cases concluded (the white paper's definition).

Everything reads through the organisation scope (app.cases.query).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models.cases import LitigationCase, ReconApplicant, ReconCase
from . import fields as F
from .query import recon_query

CLOSE_NAME = 0.85
GROUP_SIZE = 5
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕",
                           "【": "〔", "】": "〕"})


def normalise_number(text: str) -> str:
    """A 文号 as compared: no spaces, brackets as 〔〕."""
    return re.sub(r"\s+", "", text or "").translate(_BRACKETS)


def _applicant_key(a) -> str:
    return f"id:{a.id_number}" if a.id_number else f"np:{a.name}|{a.phone or ''}"


@dataclass
class Repeat:
    """One act challenged in several cases: who answers for it, the act, the cases, the applicants."""

    respondent: str
    act: str
    how: str  # "文号" or "名称相近"
    case_ids: list[int] = field(default_factory=list)
    applicants: set[str] = field(default_factory=set)

    @property
    def applicant_count(self) -> int:
        return len(self.applicants)


def _period(q, start: dt.date | None, end: dt.date | None):
    if start:
        q = q.where(ReconCase.receipt_date >= start)
    if end:
        q = q.where(ReconCase.receipt_date <= end)
    return q


def repeated_acts(start: dt.date | None, end: dt.date | None, user=None, min_applicants: int = 2) -> list[Repeat]:
    """Acts challenged by at least `min_applicants` different applicants, most challenged first."""
    scoped = _period(recon_query(user), start, end).subquery()
    rows = db.session.execute(
        select(scoped.c.id, scoped.c.respondent_name, scoped.c.act_number, scoped.c.act_name,
               ReconApplicant.id_number, ReconApplicant.name, ReconApplicant.phone)
        .join(ReconApplicant, ReconApplicant.case_id == scoped.c.id)).all()
    by_number: dict[tuple[str, str], Repeat] = {}
    unnumbered: dict[str, list] = defaultdict(list)
    for r in rows:
        number = normalise_number(r.act_number)
        if number:
            rep = by_number.setdefault((r.respondent_name, number), Repeat(r.respondent_name, number, "文号"))
        else:
            unnumbered[r.respondent_name].append(r)
            continue
        if r.id not in rep.case_ids:
            rep.case_ids.append(r.id)
        rep.applicants.add(_applicant_key(r))
    found = list(by_number.values())
    for respondent, items in unnumbered.items():  # close names within one respondent
        clusters: list[Repeat] = []
        for r in items:
            name = (r.act_name or "").strip()
            if not name:
                continue
            home = next((c for c in clusters
                         if difflib.SequenceMatcher(None, c.act, name).ratio() >= CLOSE_NAME), None)
            if home is None:
                home = Repeat(respondent, name, "名称相近")
                clusters.append(home)
            if r.id not in home.case_ids:
                home.case_ids.append(r.id)
            home.applicants.add(_applicant_key(r))
        found.extend(clusters)
    out = [r for r in found if r.applicant_count >= min_applicants and len(r.case_ids) >= 2]
    return sorted(out, key=lambda r: (-r.applicant_count, -len(r.case_ids), r.respondent, r.act))


@dataclass
class FrequentApplicant:
    key: str  # id:… or np:name|phone (the id never leaves this module unmasked: see views)
    name: str
    id_number: str | None
    case_ids: list[int]


def frequent_applicants(start: dt.date | None, end: dt.date | None, user=None,
                        min_cases: int = 3) -> list[FrequentApplicant]:
    """Applicants with at least `min_cases` cases (by citizen id, else name + phone)."""
    scoped = _period(recon_query(user), start, end).subquery()
    rows = db.session.execute(
        select(ReconApplicant.case_id, ReconApplicant.id_number, ReconApplicant.name, ReconApplicant.phone)
        .join(scoped, ReconApplicant.case_id == scoped.c.id)).all()
    groups: dict[str, FrequentApplicant] = {}
    for r in rows:
        key = _applicant_key(r)
        g = groups.setdefault(key, FrequentApplicant(key, r.name, r.id_number, []))
        if r.case_id not in g.case_ids:
            g.case_ids.append(r.case_id)
    out = [g for g in groups.values() if len(g.case_ids) >= min_cases]
    return sorted(out, key=lambda g: (-len(g.case_ids), g.name))


def group_applications(start: dt.date | None, end: dt.date | None, user=None) -> list[ReconCase]:
    """Cases brought by GROUP_SIZE people or more (集体申请), largest first."""
    q = _period(recon_query(user), start, end).where(ReconCase.people >= GROUP_SIZE)
    return list(db.session.scalars(q.order_by(ReconCase.people.desc(), ReconCase.id).limit(200)))


HOTSPOT_DIMENSIONS = {"respondent": ReconCase.respondent_name, "domain": ReconCase.domain, "matter": ReconCase.matter}


def hotspots(dimension: str, start: dt.date | None, end: dt.date | None, user=None,
             limit: int = 30) -> list[tuple[str, str, int]]:
    """[(value, label, cases)] of the busiest values of a dimension (被申请人, 领域, 事项)."""
    column = HOTSPOT_DIMENSIONS[dimension]
    scoped = _period(recon_query(user), start, end).subquery()
    col = scoped.c[column.key]
    rows = db.session.execute(select(col, func.count()).group_by(col).order_by(func.count().desc(), col)
                              .limit(limit)).all()
    labels = {"domain": F.DOMAINS, "matter": {**dict(F.recon_form.MATTER_FIELDS),
                                              **dict(F.recon_form.MATTER_FIELDS_2024)}}.get(dimension, {})
    return [(value, labels.get(value, value), n) for value, n in rows]


def sued_after_rate(start: dt.date, end: dt.date, user=None) -> tuple[int, int]:
    """(concluded in [start, end] and later sued, concluded): 复议后被诉率's numerator and base."""
    concluded = recon_query(user).where(ReconCase.decided_on.between(start, end)).subquery()
    total = db.session.scalar(select(func.count()).select_from(concluded))
    sued = db.session.scalar(select(func.count(func.distinct(concluded.c.id)))
                             .join(LitigationCase, LitigationCase.recon_case_id == concluded.c.id))
    return sued or 0, total or 0


def chains(start: dt.date | None, end: dt.date | None, user=None, limit: int = 200) -> list[tuple]:
    """[(reconsideration case, suit)] for cases of the period sued afterwards (both ways linked)."""
    scoped = _period(recon_query(user), start, end).subquery()
    rows = db.session.execute(
        select(ReconCase, LitigationCase)
        .join(scoped, scoped.c.id == ReconCase.id)
        .join(LitigationCase, and_(LitigationCase.recon_case_id == ReconCase.id))
        .order_by(ReconCase.receipt_date.desc()).limit(limit)).all()
    return [(r[0], r[1]) for r in rows]
