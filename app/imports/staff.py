"""Importing a unit's staff register from Excel: per-cell errors, then all-or-nothing.

People are matched by citizen ID within the importing unit: a known ID updates that person,
a new one adds a person. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..audit import record
from ..extensions import db
from ..models.staff import EDUCATION, STAFF_STATUS, StaffMember
from ..staff.citizen_id import CitizenIdError, parse_citizen_id
from ..staff.duplicates import duplicate_message
from . import UNDONE
from .template import HEADER_ROW, blank_template
from .xlsx import read_template

KIND = "staff"
YES_NO = {"是": True, "否": False}
log = logging.getLogger(__name__)


def _text(max_len, required=False):
    def parse(value, label):
        text = "" if value is None else str(value).strip()
        if required and not text:
            raise ValueError(f"「{label}」为必填项")
        if len(text) > max_len:
            raise ValueError(f"「{label}」不能超过{max_len}个字")
        return text
    return parse


def _choice(options):
    def parse(value, label):
        text = "" if value is None else str(value).strip()
        if text not in options:
            raise ValueError(f"「{label}」应为以下之一：{'、'.join(options)}")
        return text
    return parse


def _yes_no(value, label):
    text = "" if value is None else str(value).strip()
    if text not in YES_NO:
        raise ValueError(f"「{label}」应填“是”或“否”")
    return YES_NO[text]


def _date(value, label):
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"「{label}」应为日期，如 2015-07-01") from None


def _citizen_id(value, label):
    try:
        return parse_citizen_id("" if value is None else str(value))
    except CitizenIdError as exc:
        raise ValueError(str(exc)) from None


# (header, attribute, parser)
COLUMNS = [
    ("姓名", "name", _text(64, required=True)),
    ("身份证号", "citizen_id", _citizen_id),
    ("民族", "ethnicity", _text(16)),
    ("学历", "education", _choice(EDUCATION)),
    ("专业", "major", _text(64)),
    ("是否法学专业", "law_major", _yes_no),
    ("政治面貌", "political_status", _text(16)),
    ("职务", "post", _text(64)),
    ("职级", "rank", _text(32)),
    ("参加工作时间", "start_date", _date),
    ("是否通过国家统一法律职业资格考试", "passed_legal_exam", _yes_no),
    ("状态", "status", _choice(STAFF_STATUS)),
]
HEADERS = [h for h, _, _ in COLUMNS]


def template_bytes() -> bytes:
    """The blank staff-register template."""
    return blank_template(KIND, "人员名册导入模板", HEADERS, notes=[
        "每行一人；身份证号用于识别人员：已在本单位名册中的人员将被更新，其余为新增。",
        "学历：" + "、".join(EDUCATION) + "；状态：" + "、".join(STAFF_STATUS) + "；是/否列填“是”或“否”。",
        "请勿修改表头、合并单元格或填写公式。",
    ])


@dataclass
class Preview:
    """What an import would do: cell errors (then nothing is written), or adds and updates."""

    errors: list[str] = field(default_factory=list)
    adds: list[dict] = field(default_factory=list)
    updates: list[tuple[StaffMember, dict]] = field(default_factory=list)
    unchanged: int = 0
    row_of: dict[str, int] = field(default_factory=dict)  # citizen ID → its row in the file

    @property
    def ok(self) -> bool:
        return not self.errors


def preview(data: bytes, unit_id: int) -> Preview:
    """Check every cell of an uploaded register; raise ImportFileError for file-level faults."""
    sheet = read_template(data, KIND, HEADERS, HEADER_ROW)
    out = Preview()
    seen: dict[str, int] = {}
    parsed_rows = []
    for rownum, raw in zip(sheet.row_numbers, sheet.rows, strict=True):
        row, ok = {}, True
        for col, (header, attr, parse) in enumerate(COLUMNS):
            try:
                value = parse(raw.get(header), header)
            except ValueError as exc:
                out.errors.append(f"{get_column_letter(col + 1)}{rownum}：{exc}")
                ok = False
                continue
            if attr == "citizen_id":
                row.update(citizen_id=value.number, birth_date=value.birth_date, sex=value.sex)
            else:
                row[attr] = value
        if ok:
            if row["citizen_id"] in seen:
                out.errors.append(f"B{rownum}：「身份证号」与第{seen[row['citizen_id']]}行重复")
                continue
            seen[row["citizen_id"]] = out.row_of[row["citizen_id"]] = rownum
            parsed_rows.append((rownum, row))
    if not sheet.rows:
        out.errors.append("文件中没有数据行")
    existing = {s.citizen_id: s for s in db.session.scalars(
        select(StaffMember).where(StaffMember.citizen_id.in_(list(seen))))}
    for rownum, row in parsed_rows:
        person = existing.get(row["citizen_id"])
        if person is None:
            out.adds.append(row)
        elif person.unit_id != unit_id:
            out.errors.append(f"B{rownum}：{duplicate_message(row['citizen_id'])}")
        else:
            changes = {k: v for k, v in row.items() if getattr(person, k) != v}
            if changes:
                out.updates.append((person, changes))
            else:
                out.unchanged += 1
    return out


def commit(data: bytes, unit_id: int, user) -> Preview:
    """Apply an import in ONE transaction (people, their audit rows and the import's own row);
    on any error — a refused row, a database error, the process dying — nothing is written and
    the user is told which row stopped it."""
    result = preview(data, unit_id)
    if not result.ok:
        return result
    where = "导入记录"
    try:
        # The import's own row first: it takes the audit chain's lock before any person is written.
        record("import.staff", "unit", unit_id, {"added": len(result.adds), "updated": len(result.updates),
                                                 "unchanged": result.unchanged}, user=user)
        for row in result.adds:
            where = f"第{result.row_of[row['citizen_id']]}行（{row['name']}）"
            person = StaffMember(unit_id=unit_id, **row)
            db.session.add(person)
            db.session.flush()
            record("staff.create", "staff_member", person.id, {"source": "import", "name": person.name}, user=user)
        for person, changes in result.updates:
            where = f"第{result.row_of[person.citizen_id]}行（{person.name}）"
            old = {k: str(getattr(person, k)) for k in changes}
            for k, v in changes.items():
                setattr(person, k, v)
            db.session.flush()
            record("staff.update", "staff_member", person.id,
                   {"source": "import", "changes": {k: [old[k], str(v)] for k, v in changes.items()}}, user=user)
        where = "提交"
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result.errors.append(f"{where}：「身份证号」已被登记（可能是他人刚刚添加）。{UNDONE}，请重新上传")
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("staff import for unit %s failed", unit_id)  # no names in the log
        result.errors.append(f"{where}：数据库写入失败（可能与他人的操作冲突）。{UNDONE}，请稍后重新上传")
    return result
