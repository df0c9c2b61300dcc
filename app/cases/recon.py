"""The reconsideration register's one write path: register and update a case.

Views, the API and the Excel import call `create_recon_case` / `update_recon_case`; both check
the caller (``can_keep`` on ``CaseRegister``, the case's unit in scope), parse and validate every
field against the form version in force (Chinese messages naming the field), number new cases
(app.cases.numbering), keep applicants' ids through app.cases.applicant_id and write the audit
row (old → new). They flush and leave the commit to the caller, so an import commits all its
rows or none; on a `CaseError` the caller rolls back and nothing is saved.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..audit import record
from ..clock import today
from ..extensions import db
from ..models.cases import APPLICANT_KINDS, INTAKES, PROCEDURES, RECEIPT_CHANNELS, ReconApplicant, ReconCase
from ..models.unit import Unit
from ..scope import acting_user, in_scope
from ..security import has_perm
from . import fields as F
from .applicant_id import CitizenIdError, read_applicant_id, store_applicant_id
from .numbering import RECON, next_number
from .timelimits import MAX_EXTENSION

REGISTER = "CaseRegister"
L = F.RECON_LABELS

DATES = ("receipt_date", "act_date", "amend_requested", "amend_received", "intake_date", "suspended_on",
         "resumed_on", "decided_on")
TEXTS = ("respondent_name", "act_name", "act_number", "extension_reason", "extension_approver", "note")
FLAGS = ("hearing", "committee", "opinion_issued", "suggestion_issued")
COLUMNS = ("case_no", *DATES, *TEXTS, *FLAGS, "receipt_channel", "group_size", "respondent_unit_id",
           "respondent_level", "domain", "matter", "intake", "refusal_reason", "procedure", "extension_days",
           "outcome")


class CaseError(ValueError):
    """Refused input: {field: Chinese message naming the field}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class CaseForbidden(PermissionError):
    """The caller may not keep this register or this case."""


class CaseStale(RuntimeError):
    """The case changed since the caller read it (its `version`)."""


def may_keep(user) -> bool:
    """True when `user` keeps a register: ``can_keep`` on CaseRegister and a unit of their own."""
    return getattr(user, "unit_id", None) is not None and has_perm(user, "can_keep", REGISTER)


def sees_full_ids(case: ReconCase, user=None) -> bool:
    """Whether `user` sees the applicants' ids of `case` in full: the handling unit's keepers only."""
    user = user or acting_user()
    return has_perm(user, "can_full_applicant_id", REGISTER) and getattr(user, "unit_id", None) is not None \
        and in_scope(case.unit_id, user) and not _city_only(user, case)


def _city_only(user, case) -> bool:
    """A city-wide account sees every unit, but handles only its own unit's cases."""
    from ..scope import is_city_wide

    return is_city_wide(user) and case.unit_id != user.unit_id


# ---------------------------------------------------------------- parsing


def _date(value, name: str, errors: dict, labels: dict = L) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = f"「{labels[name]}」应为日期（如2026-03-05），当前为“{value}”"
        return None


def _int(value, name: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors[name] = f"「{L[name]}」应为整数"
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[name] = f"「{L[name]}」应为整数，当前为“{value}”"
        return None
    if number != int(number):
        errors[name] = f"「{L[name]}」应为整数，当前为“{value}”"
        return None
    return int(number)


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip() in ("1", "是", "true", "True", "y", "Y")
    return bool(value)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _choose(value, options: dict[str, str], name: str, errors: dict, required: bool = True) -> str | None:
    if value in (None, ""):
        if required:
            errors[name] = f"请填写「{L[name]}」"
        return None
    key = F.choice(value if not isinstance(value, str) else value.strip(), options)
    if key is None:
        errors[name] = f"「{L[name]}」应为：" + "、".join(options.values())
    return key


def _apply(case: ReconCase, data: dict, errors: dict) -> None:
    """Set the fields present in `data` on `case` (parsed); problems go to `errors`."""
    for name in DATES:
        if name in data:
            setattr(case, name, _date(data[name], name, errors))
    for name in TEXTS:
        if name in data:
            setattr(case, name, _text(data[name]) or (None if name not in ("act_name", "act_number") else ""))
    for name in FLAGS:
        if name in data:
            setattr(case, name, _flag(data[name]))
    for name in ("group_size", "extension_days"):
        if name in data:
            setattr(case, name, _int(data[name], name, errors))
    if "respondent_unit" in data:
        code = _text(data["respondent_unit"])
        unit = db.session.scalar(select(Unit).where(Unit.code == code)) if code else None
        if code and unit is None:
            errors["respondent_unit"] = f"「{L['respondent_unit']}」{code}不在单位名录中"
        case.respondent_unit_id = unit.id if unit else None
        if unit and not case.respondent_name:
            case.respondent_name = unit.name
    day = case.receipt_date or today()
    simple = {"receipt_channel": {c: c for c in RECEIPT_CHANNELS}, "procedure": {p: p for p in PROCEDURES},
              "respondent_level": F.LEVELS, "domain": F.DOMAINS, "matter": F.matters(day)}
    for name, options in simple.items():
        if name in data:
            setattr(case, name, _choose(data[name], options, name, errors))
    if "intake" in data:
        case.intake = _choose(data["intake"], INTAKES, "intake", errors, required=False)
    if "refusal_reason" in data:
        case.refusal_reason = _choose(data["refusal_reason"], F.refusal_reasons(day), "refusal_reason", errors,
                                      required=False)
    if "outcome" in data:
        case.outcome = _choose(data["outcome"], F.outcomes(day), "outcome", errors, required=False)


def _applicants(case: ReconCase, rows, errors: dict) -> list[ReconApplicant]:
    """The applicant rows to keep. A masked id sent back unchanged keeps the stored one."""
    if not isinstance(rows, list) or not rows:
        errors["applicants"] = "请填写「申请人」（至少一人）"
        return []
    old = {a.name: a.id_number for a in case.applicants}
    out = []
    for i, row in enumerate(rows, 1):
        row = row if isinstance(row, dict) else {}
        name = _text(row.get("name"))
        kind = _text(row.get("kind")) or "公民"
        if not name:
            errors[f"applicants.{i}.name"] = f"请填写第{i}位「申请人」的姓名或名称"
        if kind not in APPLICANT_KINDS:
            errors[f"applicants.{i}.kind"] = f"第{i}位「申请人类型」应为：" + "、".join(APPLICANT_KINDS)
        typed = _text(row.get("id_number"))
        stored = None
        if "*" in typed and old.get(name) and read_applicant_id(old[name], False) == typed:
            stored = old[name]
        elif typed:
            if kind != "公民":
                errors[f"applicants.{i}.id_number"] = f"第{i}位申请人为{kind}，不填「身份证号」"
            else:
                try:
                    stored = store_applicant_id(typed)
                except CitizenIdError as exc:
                    errors[f"applicants.{i}.id_number"] = f"第{i}位申请人：{exc}"
        out.append(ReconApplicant(kind=kind, name=name, id_number=stored, phone=_text(row.get("phone")) or None))
    return out


# ---------------------------------------------------------------- rules


def _derive(case: ReconCase, applicants: list[ReconApplicant]) -> None:
    """What the write path keeps for the statistics and the lists: applicant counts (the rows and
    the group's size), the 文号 as compared, the current limit's last day."""
    from .repeats import normalise_number
    from .timelimits import recon_deadline

    case.people = max(case.group_size or 0, len(applicants), 1)
    case.org_applicants = sum(1 for a in applicants if a.kind != "公民")
    case.act_key = normalise_number(case.act_number)[:128]
    case.due_on = recon_deadline(case).due


def _check(case: ReconCase, errors: dict) -> None:
    """Whole-case rules: required facts, dates in order and not in the future, the procedure's limits."""
    on = today()
    for name in ("receipt_date",):
        if getattr(case, name) is None and name not in errors:
            errors[name] = f"请填写「{L[name]}」"
    for name in ("respondent_name", "respondent_level", "domain", "matter"):
        if not getattr(case, name) and name not in errors:
            errors[name] = f"请填写「{L[name]}」"
    for name in DATES:
        value = getattr(case, name)
        if value and value > on and name not in errors:
            errors[name] = f"「{L[name]}」{value}晚于今天"

    def before(a: str, b: str) -> None:  # a must not be after b
        va, vb = getattr(case, a), getattr(case, b)
        if va and vb and va > vb and b not in errors:
            errors[b] = f"「{L[b]}」{vb}早于「{L[a]}」{va}"

    before("act_date", "receipt_date")
    before("receipt_date", "amend_requested")
    if case.amend_received and not case.amend_requested:
        errors["amend_received"] = "未发补正通知，不应填写「补正材料收到日期」"
    before("amend_requested", "amend_received")
    if case.intake and not case.intake_date:
        errors["intake_date"] = f"请填写「{L['intake_date']}」"
    if case.intake_date and not case.intake:
        errors["intake"] = f"请填写「{L['intake']}」"
    before("receipt_date", "intake_date")
    if case.intake == "accepted" and case.amend_requested and not case.amend_received:
        errors["intake"] = "补正材料尚未收到，不能受理（请先填写「补正材料收到日期」）"
    before("amend_received", "intake_date")
    if case.intake == "rejected" and not case.refusal_reason:
        errors["refusal_reason"] = f"不予受理时请填写「{L['refusal_reason']}」"
    if case.intake != "rejected" and case.refusal_reason:
        errors["refusal_reason"] = f"未决定不予受理，不应填写「{L['refusal_reason']}」"
    accepted = case.intake == "accepted"
    for name in ("extension_days", "suspended_on", "decided_on"):
        if getattr(case, name) and not accepted and name not in errors:
            errors[name] = f"案件尚未受理，不能填写「{L[name]}」"
    if case.extension_days is not None and "extension_days" not in errors:
        if not 1 <= case.extension_days <= MAX_EXTENSION:
            errors["extension_days"] = f"「{L['extension_days']}」应为1至{MAX_EXTENSION}日（行政复议法第62条）"
        if case.procedure == "简易程序":
            errors["extension_days"] = "简易程序案件不能延期，请先转为普通程序"
        for name in ("extension_reason", "extension_approver"):
            if not getattr(case, name):
                errors[name] = f"延期时请填写「{L[name]}」"
    before("intake_date", "suspended_on")
    if case.resumed_on and not case.suspended_on:
        errors["resumed_on"] = "未中止，不应填写「恢复审理日期」"
    before("suspended_on", "resumed_on")
    before("intake_date", "decided_on")
    before("resumed_on", "decided_on")
    if case.decided_on and case.suspended_on and not case.resumed_on and "decided_on" not in errors:
        errors["decided_on"] = "案件中止中，恢复审理后才能作出决定（请先填写「恢复审理日期」）"
    if case.decided_on and not case.outcome and "outcome" not in errors:
        errors["outcome"] = f"请填写「{L['outcome']}」"
    if case.outcome and not case.decided_on and "decided_on" not in errors:
        errors["decided_on"] = f"请填写「{L['decided_on']}」"
    if case.group_size is not None and case.group_size < 2 and "group_size" not in errors:
        errors["group_size"] = f"「{L['group_size']}」应不少于2人"


# ---------------------------------------------------------------- audit


def snapshot(case: ReconCase) -> dict:
    """The case as the audit trail keeps it (applicants' ids masked)."""
    out = {name: getattr(case, name) for name in COLUMNS}
    out["applicants"] = [{"kind": a.kind, "name": a.name, "id_number": read_applicant_id(a.id_number, False),
                          "phone": a.phone} for a in case.applicants]
    return out


def _changes(old: dict, new: dict) -> dict:
    return {k: [old.get(k), new[k]] for k in new if old.get(k) != new[k]}


# ---------------------------------------------------------------- the write path


def create_recon_case(data: dict, user=None, *, allow_case_no: bool = False) -> ReconCase:
    """Register a case for the caller's unit; numbered unless an import carries its old 案号."""
    user = user or acting_user()
    if not may_keep(user):
        raise CaseForbidden("只有本单位的案件登记人员可以登记行政复议案件")
    errors: dict[str, str] = {}
    case = ReconCase(unit_id=user.unit_id, receipt_channel="当面", procedure="普通程序", act_name="",
                     act_number="", hearing=False, committee=False, opinion_issued=False, suggestion_issued=False)
    _apply(case, data, errors)
    case.applicants = _applicants(case, data.get("applicants"), errors)
    _check(case, errors)
    given = _text(data.get("case_no")) if allow_case_no else ""
    if given and db.session.scalar(select(ReconCase.id).where(ReconCase.unit_id == user.unit_id,
                                                              ReconCase.case_no == given)):
        errors["case_no"] = f"「案号」{given}已存在"
    if errors:
        raise CaseError(errors)
    _derive(case, case.applicants)
    if given:
        case.case_no = given
    else:
        unit = db.session.get(Unit, user.unit_id)
        case.case_year = case.receipt_date.year
        case.case_seq, case.case_no = next_number(unit, case.case_year, RECON)
    db.session.add(case)
    db.session.flush()
    record("case.create", "recon_case", case.id, {"new": snapshot(case)}, user=user)
    return case


def load_for_update(case_id, user=None) -> ReconCase:
    """The case `case_id` when the caller keeps its unit's register; CaseForbidden otherwise."""
    user = user or acting_user()
    try:
        case = db.session.get(ReconCase, int(case_id))
    except (TypeError, ValueError):
        case = None
    if case is None or not may_keep(user) or not in_scope(case.unit_id, user) or _city_only(user, case):
        raise CaseForbidden("案件不存在或不在您的权限范围内")
    return case


def update_recon_case(case_id, data: dict, version: int, user=None) -> ReconCase:
    """Change the fields present in `data` (a list under 'applicants' replaces them); refused when
    `version` is not the case's current one."""
    user = user or acting_user()
    case = load_for_update(case_id, user)
    if case.version != version:
        raise CaseStale("该案件已被他人修改，请重新打开后再改")
    old = snapshot(case)
    errors: dict[str, str] = {}
    if "case_no" in data and _text(data["case_no"]) != case.case_no:
        errors["case_no"] = "「案号」由系统编号，不能修改"
    data = {k: v for k, v in data.items() if k != "case_no"}
    with db.session.no_autoflush:
        _apply(case, data, errors)
        if "applicants" in data:
            new_applicants = _applicants(case, data["applicants"], errors)
        _check(case, errors)
    if errors:
        db.session.expire(case)  # the parsed values are dropped: nothing of them can be flushed
        raise CaseError(errors)
    if "applicants" in data:
        case.applicants = new_applicants
    _derive(case, case.applicants)
    db.session.flush()
    changes = _changes(old, snapshot(case))
    record("case.update", "recon_case", case.id, {"changes": changes}, user=user)
    return case
