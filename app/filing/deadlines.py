"""Deadlines: the form's rule, unless an administrator moved one period's deadline; and when a
period can be filed (it opens the day after it ends; the office may allow early drafts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ..clock import today, utcnow
from ..extensions import db
from ..forms import get_form
from ..models.filing import DeadlineOverride, FormSetting
from ..settings_memo import memo
from .errors import Conflict, Forbidden, Invalid
from .periods import Period, period_of


def rule_deadline(form_code: str, period: Period) -> dt.date:
    """The deadline the form's rule gives (no override)."""
    spec = get_form(form_code)
    if spec.deadline_rule is not None:
        return spec.deadline_rule(period)
    return period.default_deadline()


def _moved() -> dict[tuple[str, str], dt.date]:
    """Every moved deadline by (form, period key): a small table, read once a request."""
    return memo("deadline_override", None, lambda: {
        (f, k): d for f, k, d in db.session.execute(
            select(DeadlineOverride.form_code, DeadlineOverride.period_key, DeadlineOverride.deadline))})


def deadline(form_code: str, period: Period) -> dt.date:
    """The deadline in force for one form and period."""
    return _moved().get((form_code, period.key)) or rule_deadline(form_code, period)


def deadlines_for(form_code: str, periods: list[Period]) -> dict[str, dt.date]:
    """Deadlines of many periods (the moved ones read once a request)."""
    moved = _moved()
    return {p.key: moved.get((form_code, p.key)) or rule_deadline(form_code, p) for p in periods}


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


# ---- When a period can be filed: it opens the day after it ends; early drafts by setting ----

def early_drafts_allowed(form_code: str) -> bool:
    """The office's setting (kept in the database, default off): may units create and save a
    draft of `form_code` for a period that has not yet opened?"""
    return bool(db.session.scalar(select(FormSetting.early_drafts).where(FormSetting.form_code == form_code)))


def early_drafts_by_form() -> dict[str, bool]:
    """{form code: early drafts allowed} for every declared form (one query)."""
    from ..forms import FORMS

    rows = dict(db.session.execute(select(FormSetting.form_code, FormSetting.early_drafts)).all())
    return {code: bool(rows.get(code)) for code in FORMS}


def set_early_drafts(form_code: str, allowed: bool, user) -> bool:
    """Turn early drafts of one form on or off (the municipal office's administrator); audited.
    Returns whether anything changed."""
    from ..audit import record
    from ..forms import FORMS
    from ..security import has_perm

    if form_code not in FORMS:
        raise Invalid("未知的报表")
    if not has_perm(user, "can_edit", "Timeliness"):
        raise Forbidden("您无权修改报表设置")
    row = db.session.get(FormSetting, form_code)
    if row is None:
        row = FormSetting(form_code=form_code, early_drafts=False)
        db.session.add(row)
    allowed = bool(allowed)
    if row.early_drafts == allowed:
        return False
    old, row.early_drafts = row.early_drafts, allowed
    row.set_by, row.set_at = getattr(user, "username", None), utcnow()
    db.session.flush()
    record("form.settings", "form_setting", None,
           {"form": form_code, "early_drafts": [old, allowed]}, user=user)
    return True


@dataclass(frozen=True)
class Opening:
    """When one form's period can be filed, as of a day: `open` once the period is over;
    `early` when, not yet open, the office allows drafts ahead (saved, not submitted)."""

    period: Period
    opens_on: dt.date
    deadline: dt.date
    open: bool
    early: bool

    @property
    def may_draft(self) -> bool:
        return self.open or self.early

    @property
    def message(self) -> str:
        """'2027-01-01 起可填报' (or '可提前填写草稿，2027-01-01 起可提交'); '' once open."""
        if self.open:
            return ""
        if self.early:
            return f"可提前填写草稿，{self.opens_on.isoformat()} 起可提交"
        return f"{self.opens_on.isoformat()} 起可填报"


def opening(form_code: str, period: Period, on: dt.date | None = None) -> Opening:
    """Whether `period` of `form_code` can be filed on `on` (default today), and from when."""
    return openings(form_code, [period], on)[period.key]


def openings(form_code: str, periods: list[Period], on: dt.date | None = None) -> dict[str, Opening]:
    """{period key: opening(...)} of many periods with two queries (deadlines and the setting), so
    that a list offering several periods costs the same whatever their number."""
    on = on or today()
    due = deadlines_for(form_code, periods)
    early = early_drafts_allowed(form_code) if any(not p.is_open(on) for p in periods) else False
    return {p.key: Opening(p, p.opens_on, due[p.key], p.is_open(on), not p.is_open(on) and early)
            for p in periods}


def draftable(form_code: str, unit, first: Period, on: dt.date | None = None) -> list[Period]:
    """The periods from `first` on that `unit` may open a draft of, newest first: the periods it
    is expected to file up to the last one over, and the running one when the office allows
    early drafts (the rule :func:`check_may_draft` enforces)."""
    from .periods import last_complete, periods_between
    from .timeliness import assignments, is_expected

    on = on or today()
    last = last_complete(get_form(form_code).period_kind, on)
    latest = last.next() if early_drafts_allowed(form_code) else last
    required = assignments(form_code)
    return [p for p in reversed(periods_between(last.kind, first, latest))
            if is_expected(unit, form_code, p, required)]


def check_may_draft(form_code: str, period: Period, on: dt.date | None = None) -> None:
    """Refuse (Conflict) to create a draft for a period not yet open, unless early drafts are allowed."""
    o = opening(form_code, period, on)
    if not o.may_draft:
        raise Conflict(f"{period.label}尚未开始填报：{o.message}")


def check_may_submit(form_code: str, period: Period, on: dt.date | None = None) -> None:
    """Refuse (Conflict) to submit a filing before its period opens (an early draft waits)."""
    if not period.is_open(on or today()):
        raise Conflict(f"{period.label}尚未结束，{period.opens_on.isoformat()} 起可提交单位审核；当前可先保存草稿")


def next_due(form_code: str, unit, on: dt.date | None = None) -> Opening | None:
    """What the unit files next for `form_code`: the earliest period it must file, has not yet
    handed over (submitted or beyond) and whose deadline has not passed — open now, or the
    running one with the day it opens; None if the unit is not expected to file the form."""
    from ..models.filing import Filing
    from .timeliness import assignments, is_expected

    on = on or today()
    required = assignments(form_code)
    p = period_of(get_form(form_code).period_kind, on).previous()
    handed = set(db.session.scalars(select(Filing.period_key).where(
        Filing.form_code == form_code, Filing.unit_id == unit.id,
        Filing.period_key.in_([p.key, p.next().key, p.next().next().key]),
        Filing.state.in_(("pending", "submitted", "accepted")))))
    for _ in range(3):
        if (is_expected(unit, form_code, p, required) and p.key not in handed
                and (not p.is_open(on) or deadline(form_code, p) >= on)):
            return opening(form_code, p, on)
        p = p.next()
    return None
