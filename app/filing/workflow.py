"""THE filing state machine: states, who may move a filing where, and the record of each move.

草稿 draft → 待单位审核 pending (filler submits) → 已上报 submitted (unit approver signs off)
→ 已通过 accepted (municipal reviewer) — or 已退回 returned, with a reason, by the approver
(from pending) or the reviewer (from submitted); a returned filing goes back to draft when
the filler edits it. Values can change only in draft and returned (the lock); after sign-off
only a correction request changes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from ..audit import record
from ..clock import utcnow
from ..extensions import db
from ..forms import form_of
from ..models.filing import Filing, FilingTransition
from ..scope import in_scope
from ..security import FILING, has_perm
from .errors import Conflict, Forbidden, Invalid

DRAFT, PENDING, SUBMITTED, ACCEPTED, RETURNED = "draft", "pending", "submitted", "accepted", "returned"
STATES = {
    DRAFT: "草稿",
    PENDING: "待单位审核",
    SUBMITTED: "已上报",
    ACCEPTED: "已通过",
    RETURNED: "已退回",
}
EDITABLE = frozenset({DRAFT, RETURNED})
REPORTED = frozenset({SUBMITTED, ACCEPTED})  # signed off by the unit: counts as filed


@dataclass(frozen=True)
class Action:
    """One allowed move: from `sources` to `target`, for holders of `capability`."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    capability: str
    reason_required: bool = False
    style: str = "primary"


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("submit", "提交单位审核", frozenset({DRAFT, RETURNED}), PENDING, "can_fill"),
        Action("sign_off", "审核签发并上报", frozenset({PENDING}), SUBMITTED, "can_approve", style="success"),
        Action("unit_return", "退回填报人", frozenset({PENDING}), RETURNED, "can_approve", True, "warning"),
        Action("accept", "审核通过", frozenset({SUBMITTED}), ACCEPTED, "can_review", style="success"),
        Action("return", "退回单位", frozenset({SUBMITTED}), RETURNED, "can_review", True, "warning"),
        Action("reopen", "重新编辑", frozenset({RETURNED}), DRAFT, "can_fill", style="default"),
    )
}


def state_label(state: str) -> str:
    return STATES.get(state, state)


def may(user, filing: Filing, action: Action) -> bool:
    """Role and scope allow `user` to take `action` on `filing` (state aside)."""
    return has_perm(user, action.capability, FILING) and in_scope(filing.unit_id, user)


def available_actions(user, filing: Filing) -> list[Action]:
    """The actions the user can take on the filing now (for buttons)."""
    return [
        a for a in ACTIONS.values()
        if a.name != "reopen" and filing.state in a.sources and may(user, filing, a)
    ]


TEXT_MAX = 2000  # a comment, an explanation


def clean_text(value, label: str, field: str) -> str | None:
    """Free text a user typed (a reason, an explanation): stripped, None when empty. Raises
    Invalid when it is not text, too long, or holds characters no database column keeps."""
    from ..forms.base import bad_char

    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"「{label}」应为文本", {field: f"「{label}」应为文本"})
    if any(bad_char(c) and c not in "\n\r\t" for c in value):
        raise Invalid(f"「{label}」含有无效字符", {field: f"「{label}」含有无效字符"})
    value = value.strip()
    if len(value) > TEXT_MAX:
        raise Invalid(f"「{label}」不能超过{TEXT_MAX}个字", {field: f"「{label}」不能超过{TEXT_MAX}个字"})
    return value or None


def check_version(filing: Filing, expected_version) -> None:
    """Refuse when the page was loaded from an older version of the filing."""
    if expected_version in (None, ""):
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError, OverflowError):
        raise Conflict("页面数据已过期，请刷新后重试") from None
    if expected != filing.version:
        raise Conflict("该报表已被他人修改或处理，请刷新后重试")


def apply(filing: Filing, action_name: str, user, comment: str | None = None,
          expected_version=None, explanation: str | None = None, commit: bool = True,
          reason_code: str | None = None) -> FilingTransition:
    """Move `filing` by `action_name`, recording the transition and an audit row.

    A return stores its reason's code from the declared list (app.filing.return_reasons;
    none given: 其他, with the comment required). Submitting keeps the number of validation
    warnings; the first sign-off keeps the days past the deadline (app.filing.timeliness) —
    the reviewer's list sorts and filters on both.

    Raises Forbidden (role/scope), Conflict (state/version) or Invalid (missing reason,
    blocking errors, unexplained warnings). On any error nothing is written.
    """
    from .deadlines import check_may_submit
    from .periods import Period
    from .return_reasons import clean_reason
    from .timeliness import days_late
    from .values import current_values, validate_for_submit

    action = ACTIONS.get(action_name)
    if action is None:
        raise Invalid("未知的操作")
    if not may(user, filing, action):
        raise Forbidden(f"您无权执行“{action.label}”")
    check_version(filing, expected_version)
    if filing.state not in action.sources:
        raise Conflict(f"报表当前状态为“{state_label(filing.state)}”，不能执行“{action.label}”")
    comment = clean_text(comment, "退回说明" if action.reason_required else "意见", "comment")
    reason_code = clean_reason(reason_code, comment) if action.reason_required else None
    if action.name == "submit":
        explanation = clean_text(explanation, "情况说明", "explanation") or filing.explanation
        warnings = validate_for_submit(filing, current_values(filing), explanation)
        # After the figures' checks, so that one attempt names every problem with them first.
        check_may_submit(filing.form_code, Period.parse(filing.period_key))
        filing.explanation = explanation
        filing.warning_count = len(warnings)
    source = filing.state
    filing.state = action.target
    filing.updated_at = utcnow()
    if action.target == SUBMITTED and filing.first_reported_at is None:
        filing.first_reported_at = filing.updated_at
        filing.days_late = days_late(filing.form_code, filing.period_key, filing.first_reported_at)
    step = FilingTransition(
        filing=filing,
        action=action.name,
        from_state=source,
        to_state=action.target,
        user_id=user.id,
        username=user.username,
        comment=comment,
        reason_code=reason_code,
    )
    db.session.add(step)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("该报表已被他人处理，请刷新后查看最新状态") from None
    record(f"filing.{action.name}", "filing", filing.id,
           {"from": source, "to": action.target, "comment": comment,
            **({"reason": reason_code} if reason_code else {})}, user=user)
    hook = form_of(filing).hooks.get(action.name)
    if hook is not None:
        hook(filing)
    moved = (source in REPORTED) != (action.target in REPORTED)  # filed, or no longer: others compare with it
    if commit:
        db.session.commit()
    if moved:
        from .values import recount_neighbours

        recount_neighbours(filing, commit=commit)
    return step
