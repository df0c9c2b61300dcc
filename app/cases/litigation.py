"""The litigation register's one write path (行政应诉): register and update a suit against the
caller's unit. Instances link up (二审/再审 → the lower instance of the same unit), a suit after
reconsideration links to the reconsideration case (only one the caller may see: a forged id is
refused), and the limits (答辩 15 days, appeal 15/10 days) come from app.cases.timelimits."""

from __future__ import annotations

from sqlalchemy import select

from ..audit import record
from ..clock import today
from ..extensions import db
from ..forms import litigation as lit_form
from ..models.cases import HEAD_RANKS, INSTANCES, JUDGEMENT_KINDS, LitigationCase
from ..scope import acting_user, in_scope
from .query import get_recon
from .recon import CaseError, CaseForbidden, CaseStale, _date, _flag, _text, may_keep

LABELS = {
    "court_case_no": "法院案号", "court": "审理法院", "instance": "审级", "previous": "原审案件", "plaintiffs": "原告",
    "act_name": "被诉行为名称", "act_number": "被诉行为文号", "matter": "案件类型", "recon_case": "经复议案件",
    "co_defendant": "复议机关共同被告", "complaint_received": "收到起诉状日期", "answered_on": "答辩日期",
    "hearing_date": "开庭日期", "head_attended": "负责人出庭", "head_name": "出庭负责人", "head_rank": "出庭负责人职务",
    "judgement_kind": "裁判类型", "judgement_date": "裁判日期", "served_on": "裁判文书送达日期", "outcome": "裁判结果",
    "suggestion_received": "收到司法建议日期", "suggestion_answered": "回复司法建议日期",
}
DATES = ("complaint_received", "answered_on", "hearing_date", "judgement_date", "served_on", "suggestion_received",
         "suggestion_answered")
TEXTS = ("court_case_no", "court", "plaintiffs", "act_name", "act_number", "head_name")
# 裁判结果 by 审级: a first instance's outcomes are the form's (o_*); an appeal's and a retrial's
# those of the 2024 form's 二审 and 再审 sections.
OUTCOMES = {"一审": dict(lit_form.OUTCOME_FIELDS), "二审": dict(lit_form.APPEAL_FIELDS),
            "再审": dict(lit_form.RETRIAL_FIELDS)}
COLUMNS = ("court_case_no", "court", "instance", "previous_id", "plaintiffs", "act_name", "act_number", "matter",
           "recon_case_id", "co_defendant", *DATES, "head_attended", "head_name", "head_rank", "judgement_kind",
           "outcome")


def _pick(value, options, name, errors):
    if value in (None, ""):
        return None
    value = str(value).strip()
    if isinstance(options, dict):
        for key, label in options.items():
            if value in (key, label):
                return key
        shown = options.values()
    else:
        if value in options:
            return value
        shown = options
    errors[name] = f"「{LABELS[name]}」应为：" + "、".join(shown)
    return None


def _apply(suit: LitigationCase, data: dict, user, errors: dict) -> None:
    for name in DATES:
        if name in data:
            setattr(suit, name, _date(data[name], name, errors, LABELS))
    for name in TEXTS:
        if name in data:
            setattr(suit, name, _text(data[name]) or ("" if name in ("act_name", "act_number") else None))
    for name in ("co_defendant", "head_attended"):
        if name in data:
            setattr(suit, name, _flag(data[name]))
    if "instance" in data:
        suit.instance = _pick(data["instance"], INSTANCES, "instance", errors) or "一审"
    if "head_rank" in data:
        suit.head_rank = _pick(data["head_rank"], HEAD_RANKS, "head_rank", errors)
    if "judgement_kind" in data:
        suit.judgement_kind = _pick(data["judgement_kind"], JUDGEMENT_KINDS, "judgement_kind", errors)
    if "outcome" in data:
        suit.outcome = _pick(data["outcome"], OUTCOMES.get(suit.instance, OUTCOMES["一审"]), "outcome", errors)
    if "matter" in data and data["matter"]:
        from . import fields as F

        day = suit.complaint_received or today()
        suit.matter = _pick(data["matter"], F.matters(day), "matter", errors) or "m_other"
    if "recon_case" in data:
        ref = data["recon_case"]
        suit.recon_case_id = None
        if ref not in (None, ""):
            case = get_recon(ref, user)
            if case is None:
                errors["recon_case"] = f"「{LABELS['recon_case']}」不存在或不在您的权限范围内"
            else:
                suit.recon_case_id = case.id
    if "previous" in data:
        ref = data["previous"]
        suit.previous_id = None
        if ref not in (None, ""):
            try:
                prev = db.session.get(LitigationCase, int(ref))
            except (TypeError, ValueError):
                prev = None
            if prev is None or prev.unit_id != suit.unit_id or prev.id == suit.id:
                errors["previous"] = f"「{LABELS['previous']}」应为本单位登记的原审案件"
            else:
                suit.previous_id = prev.id


def _check(suit: LitigationCase, errors: dict) -> None:
    on = today()
    for name in ("court_case_no", "court", "plaintiffs", "complaint_received"):
        if not getattr(suit, name) and name not in errors:
            errors[name] = f"请填写「{LABELS[name]}」"
    for name in DATES:
        value = getattr(suit, name)
        if value and value > on and name not in errors:
            errors[name] = f"「{LABELS[name]}」{value}晚于今天"

    def before(a, b):
        va, vb = getattr(suit, a), getattr(suit, b)
        if va and vb and va > vb and b not in errors:
            errors[b] = f"「{LABELS[b]}」{vb}早于「{LABELS[a]}」{va}"

    for a, b in (("complaint_received", "answered_on"), ("complaint_received", "hearing_date"),
                 ("complaint_received", "judgement_date"), ("judgement_date", "served_on"),
                 ("suggestion_received", "suggestion_answered")):
        before(a, b)
    if suit.instance in ("二审", "再审") and not suit.previous_id and "previous" not in errors:
        errors["previous"] = f"{suit.instance}案件请填写「{LABELS['previous']}」"
    if suit.head_attended and (not suit.head_name or not suit.head_rank):
        errors["head_rank" if suit.head_name else "head_name"] = \
            "负责人出庭时请填写「出庭负责人」及其「出庭负责人职务」（正职/副职）"
    if suit.head_attended and not suit.hearing_date and "hearing_date" not in errors:
        errors["hearing_date"] = "负责人出庭时请填写「开庭日期」"
    if (suit.judgement_date or suit.outcome or suit.served_on) and not (suit.judgement_date and suit.judgement_kind
                                                                        and suit.outcome):
        errors.setdefault("judgement_date", "请一并填写「裁判类型」「裁判日期」「裁判结果」")
    if suit.suggestion_answered and not suit.suggestion_received:
        errors["suggestion_answered"] = "未收到司法建议，不应填写「回复司法建议日期」"


def snapshot(suit: LitigationCase) -> dict:
    return {name: getattr(suit, name) for name in COLUMNS}


def create_litigation_case(data: dict, user=None) -> LitigationCase:
    """Register a suit against the caller's unit."""
    user = user or acting_user()
    if not may_keep(user):
        raise CaseForbidden("只有本单位的案件登记人员可以登记行政应诉案件")
    errors: dict[str, str] = {}
    suit = LitigationCase(unit_id=user.unit_id, instance="一审", act_name="", act_number="", matter="m_other",
                          co_defendant=False, head_attended=False)
    with db.session.no_autoflush:
        _apply(suit, data, user, errors)
        _check(suit, errors)
        if suit.court and suit.court_case_no and db.session.scalar(select(LitigationCase.id).where(
                LitigationCase.court == suit.court, LitigationCase.court_case_no == suit.court_case_no)):
            errors["court_case_no"] = f"「法院案号」{suit.court_case_no}已登记"
    if errors:
        raise CaseError(errors)
    db.session.add(suit)
    db.session.flush()
    record("case.create", "litigation_case", suit.id, {"new": snapshot(suit)}, user=user)
    return suit


def update_litigation_case(suit_id, data: dict, version: int, user=None) -> LitigationCase:
    """Change the fields present in `data`; refused when `version` is stale."""
    user = user or acting_user()
    try:
        suit = db.session.get(LitigationCase, int(suit_id))
    except (TypeError, ValueError):
        suit = None
    if suit is None or not may_keep(user) or suit.unit_id != user.unit_id or not in_scope(suit.unit_id, user):
        raise CaseForbidden("案件不存在或不在您的权限范围内")
    if suit.version != version:
        raise CaseStale("该案件已被他人修改，请重新打开后再改")
    old = snapshot(suit)
    errors: dict[str, str] = {}
    with db.session.no_autoflush:
        _apply(suit, {k: v for k, v in data.items() if k != "court_case_no"}, user, errors)
        _check(suit, errors)
    if errors:
        db.session.expire(suit)
        raise CaseError(errors)
    db.session.flush()
    new = snapshot(suit)
    record("case.update", "litigation_case", suit.id,
           {"changes": {k: [old[k], new[k]] for k in new if old[k] != new[k]}}, user=user)
    return suit


def instance_chain(suit: LitigationCase) -> list[LitigationCase]:
    """The suit's instances from the first: 一审 → 二审 → 再审 (as linked)."""
    chain = [suit]
    while chain[0].previous is not None and len(chain) < 5:
        chain.insert(0, chain[0].previous)
    later = db.session.scalars(select(LitigationCase).where(LitigationCase.previous_id == suit.id)).all()
    return chain + list(later)

