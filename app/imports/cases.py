"""Importing reconsideration cases from Excel: every row through the register's one write path
(app.cases.recon.create_recon_case), per-cell errors, all or nothing.

One row is one case; several applicants are separated by 、 in 申请人 (their ids, in the same
order, in 申请人身份证号). A row may carry its old 案号 (cases registered before the portal);
without one the portal numbers it. The preview runs the whole import in a transaction and rolls
it back; the confirmation runs it again and commits only when no row was refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from sqlalchemy.exc import SQLAlchemyError

from ..audit import record
from ..cases import fields as F
from ..cases.recon import CaseError, CaseForbidden, create_recon_case
from ..extensions import db
from ..models.cases import APPLICANT_KINDS, INTAKES, PROCEDURES, RECEIPT_CHANNELS
from . import UNDONE
from .template import HEADER_ROW, blank_template
from .xlsx import read_template

KIND = "recon_cases"
log = logging.getLogger(__name__)

# (header, field of the write path); the applicant columns are read together
COLUMNS = [
    ("案号", "case_no"), ("收到申请日期", "receipt_date"), ("收件方式", "receipt_channel"),
    ("申请人类型", "applicants.kind"), ("申请人", "applicants.name"), ("申请人身份证号", "applicants.id_number"),
    ("申请人电话", "applicants.phone"), ("集体申请人数", "group_size"), ("被申请人单位代码", "respondent_unit"),
    ("被申请人", "respondent_name"), ("被申请人层级", "respondent_level"), ("行政管理领域", "domain"),
    ("申请事项", "matter"), ("被申请行为名称", "act_name"), ("文号", "act_number"), ("行为作出日期", "act_date"),
    ("补正通知日期", "amend_requested"), ("补正材料收到日期", "amend_received"), ("受理情况", "intake"),
    ("受理（不予受理）日期", "intake_date"), ("不予受理原因", "refusal_reason"), ("审理程序", "procedure"),
    ("听证", "hearing"), ("提请行政复议委员会咨询", "committee"), ("延期天数", "extension_days"),
    ("延期理由", "extension_reason"), ("延期批准人", "extension_approver"), ("中止日期", "suspended_on"),
    ("恢复审理日期", "resumed_on"), ("决定日期", "decided_on"), ("决定类型", "outcome"),
    ("制发意见书", "opinion_issued"), ("制发建议书", "suggestion_issued"), ("备注", "note"),
]
HEADERS = [h for h, _ in COLUMNS]
LETTER = {name: get_column_letter(i + 1) for i, (_h, name) in enumerate(COLUMNS)}
FLAGS = ("hearing", "committee", "opinion_issued", "suggestion_issued")


def template_bytes() -> bytes:
    """The blank case template, with the choices the current form version accepts."""
    from ..clock import today

    day = today()
    return blank_template(KIND, "行政复议案件导入模板", HEADERS, notes=[
        "每行一件案件。案号留空由系统按本单位、年度连续编号；填写的案号（系统启用前的旧案）不得与本单位已有案号重复。",
        "多个申请人用“、”分隔，身份证号按同一顺序填写；申请人类型：" + "、".join(APPLICANT_KINDS) + "。",
        "收件方式：" + "、".join(RECEIPT_CHANNELS) + "；审理程序：" + "、".join(PROCEDURES)
        + "；受理情况：" + "、".join(INTAKES.values()) + "。",
        "被申请人层级：" + "、".join(F.LEVELS.values()) + "；行政管理领域：" + "、".join(F.DOMAINS.values()) + "。",
        "申请事项：" + "、".join(F.matters(day).values()) + "。",
        "决定类型：" + "、".join(F.outcomes(day).values()) + "；不予受理原因："
        + "、".join(F.refusal_reasons(day).values()) + "。",
        "日期填写为 2026-03-05 格式；听证、提请委员会、意见书、建议书填“是”或“否”。",
        "整份文件全部检查通过后才会导入；任何一行有错误，所有行都不会导入。",
    ])


@dataclass
class Result:
    """Cell errors (then nothing is written), or the 案号 the rows got."""

    errors: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _split(value) -> list[str]:
    text = "" if value is None else str(value).strip()
    return [part.strip() for part in text.replace("，", "、").replace(",", "、").split("、")] if text else []


def row_data(raw: dict) -> dict:
    """A row as the write path's input."""
    data = {}
    for header, name in COLUMNS:
        if name.startswith("applicants."):
            continue
        value = raw.get(header)
        if name in FLAGS:
            value = str(value).strip() == "是" if value is not None else False
        data[name] = value
    names = _split(raw.get("申请人"))
    kinds, ids, phones = _split(raw.get("申请人类型")), _split(raw.get("申请人身份证号")), _split(raw.get("申请人电话"))
    data["applicants"] = [{"name": n, "kind": kinds[i] if i < len(kinds) else (kinds[0] if kinds else "公民"),
                           "id_number": ids[i] if i < len(ids) else "", "phone": phones[i] if i < len(phones) else ""}
                          for i, n in enumerate(names)]
    return data


def _cell(field_name: str, rownum: int) -> str:
    base = field_name.split(".")
    if base[0] == "applicants":
        column = {"name": "applicants.name", "kind": "applicants.kind",
                  "id_number": "applicants.id_number"}.get(base[-1], "applicants.name")
        return f"{LETTER[column]}{rownum}"
    return f"{LETTER.get(field_name, 'A')}{rownum}"


def _run(data: bytes, user) -> Result:
    """Register every row (flushed, not committed); collect the refusals per cell."""
    sheet = read_template(data, KIND, HEADERS, HEADER_ROW)
    out = Result()
    if not sheet.rows:
        out.errors.append("文件中没有数据行")
        return out
    record("import.recon_cases", "unit", user.unit_id, {"rows": len(sheet.rows)}, user=user)
    for rownum, raw in zip(sheet.row_numbers, sheet.rows, strict=True):
        try:
            with db.session.begin_nested():  # a refused row leaves nothing of itself behind
                case = create_recon_case(row_data(raw), user, allow_case_no=True)
            out.numbers.append(case.case_no)
        except CaseError as exc:
            out.errors += [f"{_cell(name, rownum)}：{message}" for name, message in exc.errors.items()]
        except CaseForbidden as exc:
            out.errors.append(str(exc))
            break
    return out


def preview(data: bytes, user) -> Result:
    """Check every row through the write path; nothing is kept (raises ImportFileError for the file)."""
    try:
        return _run(data, user)
    finally:
        db.session.rollback()


def commit(data: bytes, user) -> Result:
    """Import in ONE transaction: every row, or — on any refused row or database error — none."""
    try:
        result = _run(data, user)
        if not result.ok:
            db.session.rollback()
            return result
        db.session.commit()
        return result
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("case import for unit %s failed", user.unit_id)
        return Result(errors=[f"数据库写入失败（可能与他人的操作冲突）。{UNDONE}，请稍后重新上传"])
