"""问题反馈: a unit reports a problem; the municipal office answers and moves it along.

States: open (待处理) → in_progress (处理中) → resolved (已解决). The office may also resolve an
open report at once and reopen a resolved one. An office reply to an open report without a
chosen state takes it in hand (→ in progress); a unit's follow-up on a resolved report reopens
it (→ in progress). Every change is a FeedbackReply row (who, when, from, to) and an audit entry.
Which reports a user sees is the organisation scope's decision (app.scope), nothing else's.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit import record
from ..clock import utcnow
from ..extensions import db
from ..models.notice import (
    FEEDBACK_CATEGORIES,
    FEEDBACK_STATES,
    IN_PROGRESS,
    OPEN,
    RESOLVED,
    Feedback,
    FeedbackReply,
)
from ..scope import acting_user, is_city_wide, restrict
from ..security import has_perm
from . import attachments

FEEDBACK = "Feedback"
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPEN: (IN_PROGRESS, RESOLVED),
    IN_PROGRESS: (RESOLVED,),
    RESOLVED: (IN_PROGRESS,),
}
MAX_TITLE, MAX_TEXT = 200, 5000


class FeedbackError(ValueError):
    """A refused request; nothing was written."""


def can_answer(user=None) -> bool:
    return has_perm(user or acting_user(), "can_answer", FEEDBACK)


def can_file(user=None) -> bool:
    """A unit's user (not the office) holding can_file."""
    user = user or acting_user()
    return (has_perm(user, "can_file", FEEDBACK) and getattr(user, "unit_id", None) is not None
            and not is_city_wide(user))


def _text(value: str | None, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FeedbackError(f"「{label}」为必填项")
    if len(value) > limit:
        raise FeedbackError(f"「{label}」不能超过{limit}个字")
    return value


def create(user, category: str, title: str, description: str, uploads=()) -> Feedback:
    """File a report for the user's own unit (never a unit named by the request). Flushes."""
    if not can_file(user):
        raise FeedbackError("只有单位的填报员或审核人可以提交问题反馈")
    if category not in FEEDBACK_CATEGORIES:
        raise FeedbackError("请选择「问题类别」：" + "、".join(FEEDBACK_CATEGORIES.values()))
    fb = Feedback(unit_id=user.unit_id, category=category, title=_text(title, "标题", MAX_TITLE),
                  description=_text(description, "问题描述", MAX_TEXT), state=OPEN, author_id=user.id,
                  author=user.username)
    db.session.add(fb)
    db.session.flush()
    for checked in uploads:
        attachments.store(checked, user.username, feedback=fb)
    record("feedback.create", "feedback", fb.id, {"unit_id": fb.unit_id, "category": category,
                                                  "attachments": len(uploads)}, user=user)
    return fb


def allowed_moves(fb: Feedback) -> tuple[str, ...]:
    return TRANSITIONS.get(fb.state, ())


def reply(fb: Feedback, user, body: str | None, to_state: str | None = None) -> FeedbackReply:
    """An answer (the office) or a follow-up (the unit), optionally with a change of state
    (the office only). `fb` must come from the scope (get_or_404). Flushes."""
    office = can_answer(user)
    body = _text(body, "回复内容", MAX_TEXT, required=False)
    to_state = to_state or None
    if to_state is not None:
        if not office:
            raise FeedbackError("只有市司法局可以更改处理状态")
        if to_state not in FEEDBACK_STATES:
            raise FeedbackError("未知的处理状态")
        if to_state not in allowed_moves(fb):
            raise FeedbackError(f"不能从「{FEEDBACK_STATES[fb.state]}」改为「{FEEDBACK_STATES[to_state]}」")
    elif office and fb.state == OPEN and body:
        to_state = IN_PROGRESS
    elif not office and fb.state == RESOLVED and body:
        to_state = IN_PROGRESS
    if not body and to_state is None:
        raise FeedbackError("「回复内容」为必填项")
    if not office and fb.unit_id != getattr(user, "unit_id", None):
        raise FeedbackError("只能补充本单位的问题反馈")
    entry = FeedbackReply(feedback=fb, body=body, from_office=office, author_id=user.id, author=user.username,
                          from_state=fb.state if to_state else None, to_state=to_state)
    db.session.add(entry)
    if to_state:
        fb.state = to_state
    fb.updated_at = utcnow()
    db.session.flush()
    record("feedback.reply", "feedback", fb.id,
           {"reply_id": entry.id, "office": office, "from": entry.from_state, "to": to_state}, user=user)
    return entry


def scoped_query(user=None):
    """Reports the user may see (the scope decides)."""
    # unit and attachments are shown per row: load them with the page, not one query per row
    return restrict(select(Feedback).options(joinedload(Feedback.unit), selectinload(Feedback.attachments)),
                    Feedback.unit_id, user)


def counts(user=None) -> dict[str, dict[str, int]]:
    """category → state → number of reports in the user's scope (every cell present)."""
    q = restrict(select(Feedback.category, Feedback.state, func.count()).group_by(
        Feedback.category, Feedback.state), Feedback.unit_id, user)
    out = {c: {s: 0 for s in FEEDBACK_STATES} for c in FEEDBACK_CATEGORIES}
    for category, state, n in db.session.execute(q):
        out.setdefault(category, {s: 0 for s in FEEDBACK_STATES})[state] = n
    return out


def open_count(user=None) -> int:
    """Reports not yet resolved in the user's scope (the office's home page)."""
    q = restrict(select(func.count()).select_from(Feedback).where(Feedback.state != RESOLVED),
                 Feedback.unit_id, user)
    return db.session.scalar(q) or 0
