"""Deadlines: the form's rule, unless an administrator moved one period's deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..extensions import db
from ..forms import get_form
from ..models.filing import DeadlineOverride
from .periods import Period


def rule_deadline(form_code: str, period: Period) -> dt.date:
    """The deadline the form's rule gives (no override)."""
    spec = get_form(form_code)
    if spec.deadline_rule is not None:
        return spec.deadline_rule(period)
    return period.default_deadline()


def deadline(form_code: str, period: Period) -> dt.date:
    """The deadline in force for one form and period."""
    moved = db.session.scalar(
        select(DeadlineOverride.deadline).where(
            DeadlineOverride.form_code == form_code, DeadlineOverride.period_key == period.key
        )
    )
    return moved or rule_deadline(form_code, period)


def deadlines_for(form_code: str, periods: list[Period]) -> dict[str, dt.date]:
    """Deadlines of many periods with one query."""
    moved = dict(
        db.session.execute(
            select(DeadlineOverride.period_key, DeadlineOverride.deadline).where(
                DeadlineOverride.form_code == form_code,
                DeadlineOverride.period_key.in_([p.key for p in periods]),
            )
        ).all()
    )
    return {p.key: moved.get(p.key) or rule_deadline(form_code, p) for p in periods}


def move_deadline(form_code: str, period: Period, new_deadline: dt.date, reason: str, user) -> None:
    """Move one period's deadline; the reason is required and kept (and audited)."""
    from ..audit import record

    reason = (reason or "").strip()
    if not reason:
        raise ValueError("「调整原因」为必填项")
    row = db.session.scalar(
        select(DeadlineOverride).where(
            DeadlineOverride.form_code == form_code, DeadlineOverride.period_key == period.key
        )
    )
    old = deadline(form_code, period)
    if row is None:
        row = DeadlineOverride(form_code=form_code, period_key=period.key)
        db.session.add(row)
    row.deadline, row.reason, row.set_by = new_deadline, reason, getattr(user, "username", None)
    db.session.flush()
    from .timeliness import refresh_days_late

    refresh_days_late(form_code, period)  # the reviewer's list shows days late against this deadline
    record("deadline.move", "deadline_override", row.id,
           {"form": form_code, "period": period.key, "old": old.isoformat(),
            "new": new_deadline.isoformat(), "reason": reason}, user=user)
