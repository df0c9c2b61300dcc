"""Excel templates and import for every declared form, through the same engine as the web form.

A template has one row per unit and period: unit code, unit name, period, then every field of
the form (labels from its declaration, grouped in a header row above). A filler's template
holds their unit; an importer with a city-wide scope gets every expected unit. Uploading shows
every error per cell (the form's own parsing and rules); confirming commits the whole file in
one transaction through open_filing() and save_values() (all rows or none, see commit()).
Locked filings are never overwritten — a correction request is offered instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import SimpleNamespace

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..filing.deadlines import check_may_draft
from ..filing.errors import FilingError
from ..filing.periods import Period, PeriodError
from ..filing.timeliness import is_expected
from ..filing.values import check_all, check_context, check_may_open, current_values, open_filing, save_values
from ..filing.workflow import EDITABLE, state_label
from ..forms import VERSIONS, get_form
from ..forms.base import MONEY, FormSpec
from ..models.filing import Filing
from ..models.unit import Unit
from ..scope import in_scope
from . import UNDONE
from .template import blank_template
from .xlsx import read_template

FIXED = ["单位编码", "单位名称", "报告期"]
HEADER_ROW = 4  # marker, title, group row, headers
log = logging.getLogger(__name__)


def _letters(spec: FormSpec) -> dict[str, str]:
    """{field name: its column letter} in the template."""
    return {name: get_column_letter(i + 1 + len(FIXED)) for i, name in enumerate(spec.field_names)}


def headers(spec: FormSpec) -> list[str]:
    return FIXED + [f.label + ("（元）" if f.kind == MONEY else "") for f in spec.fields]


def template_bytes(spec: FormSpec, period: Period, units: list[Unit]) -> bytes:
    """A template for `period` with a row per unit, pre-filled with each filing's current values."""
    filings = {f.unit_id: f for f in db.session.scalars(select(Filing).where(
        Filing.form_code == spec.code, Filing.period_key == period.key,
        Filing.unit_id.in_([u.id for u in units])))}
    rows = []
    for u in units:
        f = filings.get(u.id)
        values = current_values(f) if f else {}
        rows.append([u.code, u.short_name, period.key] + [_cell(fd, values.get(fd.name)) for fd in spec.fields])
    groups = [""] * len(FIXED) + [fd.group for fd in spec.fields]
    version = f"，{spec.version_label}" if spec.version else ""
    return blank_template(spec.template_kind, f"{spec.title}（{period.label}{version}）", headers(spec), rows=rows,
                          group_row=groups, notes=[
                              "每行为一个单位一个报告期；请勿修改前三列、表头、合并单元格或填写公式。",
                              "金额单位为元，最多两位小数；其余为非负整数。",
                              "已上报或已通过的报表不会被导入覆盖，如需更正请在系统中提交修改申请。",
                          ])


def _cell(fd, value):
    """A stored value as a spreadsheet cell: counts as integers, money as 元 (exact below 10^15 fen)."""
    if value is None:
        return None
    if fd.kind == MONEY:
        return float(fd.input_value(value))
    return value


@dataclass
class RowPlan:
    """One row of an upload: the unit, period, raw values and what saving them would change."""

    row: int
    unit: Unit
    period: Period
    raw: dict
    filing: Filing | None
    changes: dict = field(default_factory=dict)


@dataclass
class FormPreview:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # to explain before submitting (not blocking)
    plans: list[RowPlan] = field(default_factory=list)
    locked: list[Filing] = field(default_factory=list)
    spec: FormSpec | None = None  # the version the file was made for: its labels and formats

    def change_rows(self, plan: RowPlan) -> list[tuple[str, str, str]]:
        """What confirming would change in one filing, field by field: (label, old, new) as
        shown on a page ("—" for a figure not yet filled)."""
        return [(f.label + ("（元）" if f.kind == MONEY else ""), f.display(plan.changes[f.name][0]),
                 f.display(plan.changes[f.name][1]))
                for f in self.spec.fields if f.name in plan.changes]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> list[RowPlan]:
        return [p for p in self.plans if p.changes or p.filing is None]


def preview(data: bytes, form_code: str, user) -> FormPreview:
    """Check every cell of an upload without writing; ImportFileError for file-level faults."""
    by_kind = {v.template_kind: v for v in VERSIONS[form_code]}
    sheet = read_template(data, {k: headers(v) for k, v in by_kind.items()}, None, HEADER_ROW)
    spec = by_kind[sheet.kind]  # the version the template was made for
    cols = headers(spec)
    letter = _letters(spec)
    out = FormPreview(spec=spec)
    if not sheet.rows:
        out.errors.append("文件中没有数据行")
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    seen = {}
    for rownum, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        code = str(cells["单位编码"] or "").strip()
        unit = units.get(code)
        if unit is None or not in_scope(unit.id, user):
            out.errors.append(f"A{rownum}：单位编码“{code}”不存在或不在您的权限范围内")
            continue
        try:
            period = Period.parse(str(cells["报告期"] or ""))
            if period.kind != spec.period_kind:
                raise PeriodError("报告期类型与报表不符")
        except PeriodError as exc:
            out.errors.append(f"C{rownum}：{exc}")
            continue
        if get_form(form_code, period) is not spec:
            out.errors.append(f"C{rownum}：{period.label}应使用{get_form(form_code, period).version_label}模板填报，"
                              f"本文件为{spec.version_label}模板，请重新下载该报告期的模板")
            continue
        if (unit.id, period.key) in seen:
            out.errors.append(f"A{rownum}：与第{seen[(unit.id, period.key)]}行重复（同一单位同一报告期）")
            continue
        seen[(unit.id, period.key)] = rownum
        if not is_expected(unit, form_code, period):
            out.errors.append(f"A{rownum}：{unit.short_name}无需填报{period.label}")
            continue
        raw = {fd.name: cells[col] for fd, col in zip(spec.fields, cols[len(FIXED):], strict=True)}
        # The web form's and the API's checks, with the same context (history, carry-over, the
        # unit's other forms): every bad cell and every broken rule of the row at once.
        target = SimpleNamespace(form_code=form_code, unit_id=unit.id, period_key=period.key)
        values, errors, issues = check_all(spec, raw, check_context(target))
        for name, message in errors.items():
            out.errors.append(f"{letter[name]}{rownum}：{message}")
        blocking = [i for i in issues if i.level == "error"]
        for issue in issues:
            where = "、".join(letter[n] + str(rownum) for n in issue.fields)
            (out.errors if issue.level == "error" else out.warnings).append(f"{where}：{issue.message}")
        if errors or blocking:
            continue
        filing = db.session.scalar(select(Filing).where(
            Filing.form_code == form_code, Filing.unit_id == unit.id, Filing.period_key == period.key))
        if filing is None:
            try:  # the confirmation would have to create it: may this user, for this period?
                check_may_open(user, unit)
                check_may_draft(form_code, period)
            except FilingError as exc:
                out.errors.append(f"A{rownum}：{exc.message}（{unit.short_name}）")
                continue
        old = current_values(filing) if filing else {}
        changes = {k: (old.get(k), v) for k, v in values.items() if old.get(k) != v}
        if filing is not None and filing.state not in EDITABLE and changes:
            out.errors.append(f"第{rownum}行：{unit.short_name}{period.label}的报表状态为“{state_label(filing.state)}”，"
                              "已锁定，不能通过导入覆盖；如需更正请提交修改申请")
            out.locked.append(filing)
            continue
        out.plans.append(RowPlan(rownum, unit, period, raw, filing, changes))
    return out


def commit(data: bytes, form_code: str, user) -> FormPreview:
    """Apply the upload in ONE transaction: every new filing, its values, revisions and audit
    rows, and the import's own audit row, commit together or not at all.

    Any failure — a row the engine refuses, a conflict with another user, a database error, or
    the process dying — leaves nothing of the import behind; the user is told which row (and
    cell) stopped it. The file must then be uploaded again.
    """
    result = preview(data, form_code, user)
    if not result.ok:
        return result
    from ..audit import record

    row, where = None, "导入记录"
    try:
        # The import's own row first: it takes the audit chain's lock before any filing is
        # written, so every import holds its locks in the same order (chain, then filings).
        record("import.form", "form", None, {"form": form_code, "rows": len(result.plans),
                                             "changed": len(result.changed)}, user=user)
        for row in result.changed:
            where = f"第{row.row}行（{row.unit.short_name}{row.period.label}）"
            apply_row(row, form_code, user)
        row, where = None, "提交"
        db.session.commit()
    except FilingError as exc:
        db.session.rollback()
        cells = _cells(get_form(form_code, row.period), exc.errors, row.row) if row else ""
        result.errors.append(f"{where}{cells}：{exc.message}。{UNDONE}")
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("form import %s failed at %s", form_code, where)
        result.errors.append(f"{where}：数据库写入失败（可能与他人的操作冲突）。{UNDONE}，请稍后重新上传")
    return result


def apply_row(plan: RowPlan, form_code: str, user) -> None:
    """One row of an import, inside the caller's transaction (never commits): the filing opened
    as a draft if new, then its values saved through the engine."""
    filing = plan.filing or open_filing(form_code, plan.period, user, unit=plan.unit, commit=False)
    save_values(filing, plan.raw, user, source="import", commit=False)


def _cells(spec: FormSpec, errors: dict, row: int) -> str:
    """The cells named by an engine error's fields, e.g. "（D5、E5）"; "" when none."""
    letters = _letters(spec)
    cells = [f"{letters[name]}{row}" for name in errors if name in letters]
    return f"（{'、'.join(cells)}）" if cells else ""
