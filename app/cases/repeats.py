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

from sqlalchemy import and_, func, select, tuple_

from ..extensions import db
from ..models.cases import LitigationCase, ReconApplicant, ReconCase
from . import fields as F
from .applicant_id import applicant_number
from .query import recon_query

CLOSE_NAME = 0.85
GROUP_SIZE = 5
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕",
                           "【": "〔", "】": "〕"})


def normalise_number(text: str) -> str:
    """A 文号 as compared: no spaces, brackets as 〔〕."""
    return re.sub(r"\s+", "", text or "").translate(_BRACKETS)


def _applicant_key(a) -> str:
    """`a.id_key` is the blind index of the citizen id (equal ids, equal keys; app/pii)."""
    return f"id:{a.id_key}" if a.id_key else f"np:{a.name}|{a.phone or ''}"


@dataclass
class Repeat:
    """One act challenged in several cases: who answers for it, the act, the cases, the applicants."""

    respondent: str
    act: str
    how: str  # "文号" or "名称相近"
    case_ids: list[int] = field(default_factory=list)
    applicant_count: int = 0
    keys: set[str] = field(default_factory=set)  # while clustering by name: the applicants seen


def _period(q, start: dt.date | None, end: dt.date | None):
    if start:
        q = q.where(ReconCase.receipt_date >= start)
    if end:
        q = q.where(ReconCase.receipt_date <= end)
    return q


def _key_expr():
    """An applicant's identity in SQL: the citizen id (its blind index), else name and phone."""
    return func.coalesce("id:" + ReconApplicant.id_number_index,
                         "np:" + ReconApplicant.name + "|" + func.coalesce(ReconApplicant.phone, ""))


def repeated_acts(start: dt.date | None, end: dt.date | None, user=None, min_applicants: int = 2) -> list[Repeat]:
    """Acts challenged by at least `min_applicants` different applicants, most challenged first.

    Numbered acts are grouped in the database (``act_key``: the 文号 as compared, kept by the
    write path); acts without a 文号 are clustered here by name within their respondent."""
    scoped = _period(recon_query(user), start, end).subquery()
    key = _key_expr()
    groups = db.session.execute(
        select(scoped.c.respondent_name, scoped.c.act_key, func.count(func.distinct(key)))
        .join(ReconApplicant, ReconApplicant.case_id == scoped.c.id)
        .where(scoped.c.act_key != "")
        .group_by(scoped.c.respondent_name, scoped.c.act_key)
        .having(func.count(func.distinct(key)) >= min_applicants)
        .having(func.count(func.distinct(scoped.c.id)) >= 2)).all()
    found = {(r, a): Repeat(r, a, "文号", applicant_count=n) for r, a, n in groups}
    if found:
        rows = db.session.execute(select(scoped.c.id, scoped.c.respondent_name, scoped.c.act_key)
                                  .where(tuple_(scoped.c.respondent_name, scoped.c.act_key).in_(list(found)))
                                  .order_by(scoped.c.receipt_date, scoped.c.id)).all()
        for cid, r, a in rows:
            found[(r, a)].case_ids.append(cid)
    out = list(found.values())
    rows = db.session.execute(
        select(scoped.c.id, scoped.c.respondent_name, scoped.c.act_name,
               ReconApplicant.id_number_index.label("id_key"), ReconApplicant.name, ReconApplicant.phone)
        .join(ReconApplicant, ReconApplicant.case_id == scoped.c.id)
        .where(scoped.c.act_key == "", scoped.c.act_name != "")
        .order_by(scoped.c.respondent_name, scoped.c.id)).all()
    clusters: dict[str, list[Repeat]] = defaultdict(list)
    for row in rows:  # close names within one respondent
        name = row.act_name.strip()
        home = next((c for c in clusters[row.respondent_name]
                     if difflib.SequenceMatcher(None, c.act, name).ratio() >= CLOSE_NAME), None)
        if home is None:
            home = Repeat(row.respondent_name, name, "名称相近")
            clusters[row.respondent_name].append(home)
        if row.id not in home.case_ids:
            home.case_ids.append(row.id)
        home.keys.add(_applicant_key(row))
        home.applicant_count = len(home.keys)
    out += [c for cs in clusters.values() for c in cs if c.applicant_count >= min_applicants and len(c.case_ids) >= 2]
    return sorted(out, key=lambda r: (-r.applicant_count, -len(r.case_ids), r.respondent, r.act))


@dataclass
class FrequentApplicant:
    name: str
    id_number: str | None
    case_ids: list[int]


def frequent_applicants(start: dt.date | None, end: dt.date | None, user=None,
                        min_cases: int = 3) -> list[FrequentApplicant]:
    """Applicants with at least `min_cases` cases (by citizen id, else name + phone), most first."""
    scoped = _period(recon_query(user), start, end).subquery()
    key = _key_expr()
    keys = db.session.scalars(
        select(key).join(scoped, ReconApplicant.case_id == scoped.c.id).group_by(key)
        .having(func.count(func.distinct(ReconApplicant.case_id)) >= min_cases).limit(500)).all()
    groups: dict[str, FrequentApplicant] = {}
    if keys:
        rows = db.session.execute(
            select(key, ReconApplicant.case_id, ReconApplicant.name, ReconApplicant.id_number_sealed)
            .join(scoped, ReconApplicant.case_id == scoped.c.id).where(key.in_(keys))
            .order_by(ReconApplicant.case_id)).all()
        for k, cid, name, sealed in rows:
            g = groups.get(k) or groups.setdefault(k, FrequentApplicant(name, applicant_number(sealed), []))
            if cid not in g.case_ids:
                g.case_ids.append(cid)
    return sorted(groups.values(), key=lambda g: (-len(g.case_ids), g.name))


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
