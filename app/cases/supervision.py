"""督办: open cases by their legal time limit — due within 7 days, overdue, suspended.

The home page of the office and of a unit shows the first two; the 督办 page lists all three.
Only cases still open are read (decided and refused ones have no limit left), and each one's
limit comes from app.cases.timelimits with one calendar for the whole list.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.cases import LitigationCase, ReconCase
from ..scope import restrict
from .timelimits import ANSWER_DAYS, SOON_DAYS, Calendar, answer_deadline, recon_deadline


def open_recon(user=None):
    """SELECT of the open reconsideration cases the user's units handle."""
    q = select(ReconCase).where(ReconCase.decided_on.is_(None),
                                or_(ReconCase.intake.is_(None), ReconCase.intake == "accepted"))
    return restrict(q, ReconCase.unit_id, user)


def refresh_due_dates(batch: int = 2000) -> int:
    """Recompute the stored limit (``due_on``) of every open case — after the holiday calendar
    changed; returns how many changed."""
    cal = Calendar.load()
    changed, last = 0, 0
    while True:
        cases = db.session.scalars(select(ReconCase).where(
            ReconCase.decided_on.is_(None), or_(ReconCase.intake.is_(None), ReconCase.intake == "accepted"),
            ReconCase.id > last).order_by(ReconCase.id).limit(batch)).all()
        if not cases:
            return changed
        for case in cases:
            due = recon_deadline(case, cal).due
            if case.due_on != due:
                case.due_on = due
                changed += 1
        last = cases[-1].id
        db.session.flush()


def due_cases(user, today: dt.date, limit: int = 200) -> dict[str, list]:
    """{'soon': [(case, deadline)], 'overdue': [(case, deadline)], 'paused': [case],
    'answers': [(suit, deadline)], 'counts': {list: how many}} for the units the user handles
    cases for (None: the caller). The lists are chosen by the stored limit (``due_on``, SQL on an
    index), at most `limit` each, nearest first; each shown case's limit is computed now by
    timelimits (the same rule, and the rule's text)."""
    from ..scope import acting_user

    user = user if user is not None else acting_user()
    cal = Calendar.load()
    soon_end = today + dt.timedelta(days=SOON_DAYS)
    paused = and_(ReconCase.suspended_on.is_not(None), ReconCase.resumed_on.is_(None))
    wheres = {"overdue": ReconCase.due_on < today, "soon": ReconCase.due_on.between(today, soon_end),
              "paused": paused}
    out: dict[str, list] = {"soon": [], "overdue": [], "paused": [], "answers": [], "counts": {}}
    for key, where in wheres.items():
        q = open_recon(user).where(where)
        out["counts"][key] = db.session.scalar(select(func.count()).select_from(q.subquery()))
        cases = db.session.scalars(q.options(selectinload(ReconCase.unit))
                                   .order_by(ReconCase.due_on, ReconCase.receipt_date, ReconCase.id).limit(limit))
        for case in cases:
            out[key].append(case if key == "paused" else (case, recon_deadline(case, cal)))
    # 答辩: a limit of ANSWER_DAYS ends no earlier than ANSWER_DAYS after receipt, so only suits
    # received SOON_DAYS − ANSWER_DAYS days ago or earlier can be due within SOON_DAYS or overdue.
    unanswered = restrict(select(LitigationCase).where(
        LitigationCase.answered_on.is_(None),
        LitigationCase.complaint_received <= today + dt.timedelta(days=SOON_DAYS - ANSWER_DAYS)),
        LitigationCase.unit_id, user)
    out["counts"]["answers"] = db.session.scalar(select(func.count()).select_from(unanswered.subquery()))
    for suit in db.session.scalars(unanswered.options(selectinload(LitigationCase.unit))
                                   .order_by(LitigationCase.complaint_received, LitigationCase.id).limit(limit)):
        out["answers"].append((suit, answer_deadline(suit, cal)))
    return out
