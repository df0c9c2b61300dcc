"""督办: open cases by their legal time limit — due within 7 days, overdue, suspended.

The home page of the office and of a unit shows the first two; the 督办 page lists all three.
Only cases still open are read (decided and refused ones have no limit left), and each one's
limit comes from app.cases.timelimits with one calendar for the whole list.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.cases import LitigationCase, ReconCase
from ..scope import restrict
from .timelimits import SOON_DAYS, Calendar, answer_deadline, recon_deadline


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


def due_cases(user, today: dt.date) -> dict[str, list]:
    """{'soon': [(case, deadline)], 'overdue': [(case, deadline)], 'paused': [case],
    'answers': [(suit, deadline)]} for the units the user handles cases for (None: the caller).
    Reads only the open cases whose stored limit ends within SOON_DAYS (or passed) and the
    suspended ones, then shows each one's limit as timelimits computes it now."""
    from ..scope import acting_user

    user = user if user is not None else acting_user()
    cal = Calendar.load()
    out: dict[str, list] = {"soon": [], "overdue": [], "paused": [], "answers": []}
    near = or_(ReconCase.due_on <= today + dt.timedelta(days=SOON_DAYS),
               and_(ReconCase.suspended_on.is_not(None), ReconCase.resumed_on.is_(None)))
    cases = db.session.scalars(open_recon(user).where(near).options(selectinload(ReconCase.unit))
                               .order_by(ReconCase.receipt_date, ReconCase.id)).all()
    for case in cases:
        dl = recon_deadline(case, cal)
        status = dl.status(today)
        if status in ("soon", "overdue"):
            out[status].append((case, dl))
        elif status == "paused":
            out["paused"].append(case)
    suits = db.session.scalars(restrict(select(LitigationCase).where(LitigationCase.answered_on.is_(None)),
                                        LitigationCase.unit_id, user)
                               .options(selectinload(LitigationCase.unit))).all()
    for suit in suits:
        dl = answer_deadline(suit, cal)
        if dl.status(today) in ("soon", "overdue"):
            out["answers"].append((suit, dl))
    for key in ("soon", "overdue", "answers"):
        out[key].sort(key=lambda pair: pair[1].due)
    return out
