"""The half-yearly litigation form derived from the litigation register (行政应诉).

For a half-year [S, E]: 新收 = complaints received in it, by 审级 and 案件类型; 经复议 and
复议机关共同被告 among them; 已审结 = judgements or rulings dated in it (2024 form: by 审级, with
the first instance's outcomes and the appeal's and retrial's own); 上期结转 = received before S and
not judged before S; 未审结 = received by E and not judged by E; 开庭审理 and 负责人出庭 (正职/副职):
hearings in it; 司法建议 received and answered in it. What the register does not hold (法院通知
负责人出庭, 本机关败诉 on appeal or retrial, 被告改变行为后原告撤诉) stays hand-filed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, or_, select

from ..extensions import db
from ..filing.periods import Period
from ..forms import get_form
from ..models.cases import LitigationCase

FORM = "litigation"
INSTANCE_FIELDS = {"一审": "first_instance", "二审": "appeals", "再审": "retrials"}
CONCLUDED_2024 = {"一审": "f1_concluded", "二审": "a_concluded", "再审": "rt_concluded"}


def _units(q, unit_ids):
    return q if unit_ids is None else q.where(LitigationCase.unit_id.in_(unit_ids))


def derived_litigation(unit_ids: list[int] | None, period: Period) -> dict[str, int]:
    """{field: figure} of the litigation form version in force, from the suits of `unit_ids`."""
    s, e = period.start, period.end
    spec = get_form(FORM, period)
    by_instance = spec.has_field("f1_concluded")
    out: dict[str, int] = defaultdict(int)
    received = _units(select(LitigationCase.instance, LitigationCase.matter, LitigationCase.recon_case_id.is_not(None),
                             LitigationCase.co_defendant, func.count())
                      .where(LitigationCase.complaint_received.between(s, e)), unit_ids)
    for instance, matter, after, co, n in db.session.execute(received.group_by(*received.selected_columns[:-1])):
        out["new_total"] += n
        out[INSTANCE_FIELDS[instance]] += n
        out["t_" + matter[2:]] += n
        if after:
            out["after_reconsideration"] += n
        if co:
            out["co_defendant"] += n
    judged = _units(select(LitigationCase.instance, LitigationCase.outcome, func.count())
                    .where(LitigationCase.judgement_date.between(s, e)), unit_ids)
    for instance, outcome, n in db.session.execute(judged.group_by(*judged.selected_columns[:-1])):
        out["concluded"] += n
        if by_instance:
            out[CONCLUDED_2024[instance]] += n
            out[("f1_" + outcome[2:]) if instance == "一审" else outcome] += n
        else:  # 2015: one outcome list; appeals and retrials under 其他结果
            out[outcome if instance == "一审" else "o_other"] += n
    open_at = or_(LitigationCase.judgement_date.is_(None), LitigationCase.judgement_date >= s)
    out["carried_over"] = db.session.scalar(_units(select(func.count()).select_from(LitigationCase).where(
        LitigationCase.complaint_received < s, open_at), unit_ids)) or 0
    out["pending"] = db.session.scalar(_units(select(func.count()).select_from(LitigationCase).where(
        LitigationCase.complaint_received <= e,
        or_(LitigationCase.judgement_date.is_(None), LitigationCase.judgement_date > e)), unit_ids)) or 0
    hearings = _units(select(LitigationCase.head_attended, LitigationCase.head_rank, func.count())
                      .where(LitigationCase.hearing_date.between(s, e)), unit_ids)
    for attended, rank, n in db.session.execute(hearings.group_by(*hearings.selected_columns[:-1])):
        out["hearings_held"] += n
        if attended:
            out["head_attended"] += n
            out["head_principal" if rank == "正职" else "head_deputy"] += n
    out["suggestions_received"] = db.session.scalar(_units(select(func.count()).select_from(LitigationCase).where(
        LitigationCase.suggestion_received.between(s, e)), unit_ids)) or 0
    out["suggestions_answered"] = db.session.scalar(_units(select(func.count()).select_from(LitigationCase).where(
        LitigationCase.suggestion_answered.between(s, e)), unit_ids)) or 0
    derivable = {"carried_over", "new_total", "after_reconsideration", "co_defendant", "concluded", "pending",
                 "hearings_held", "head_attended", "head_principal", "head_deputy", "suggestions_received",
                 "suggestions_answered", *INSTANCE_FIELDS.values(), *CONCLUDED_2024.values()}
    names = [f.name for f in spec.fields
             if f.name in derivable or f.name.startswith(("t_", "f1_", "o_", "a_", "rt_"))
             and f.name not in ("a_lost", "rt_lost", "f1_withdrawn_changed")]
    return {name: int(out.get(name, 0)) for name in names}


def prefill_litigation(filing) -> dict:
    """The litigation form's prefill hook: the derived figures, when the unit keeps its register here."""
    from .stats import keeps_register

    period = Period.parse(filing.period_key)
    if not keeps_register(filing.unit_id, period, FORM):
        return {}
    return derived_litigation([filing.unit_id], period)
