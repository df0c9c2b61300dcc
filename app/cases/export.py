"""The reconsideration register as .xlsx (app.exports): the cases a filter finds in the caller's
scope, applicants' ids as the caller may see them, the current deadline with its rule."""

from __future__ import annotations

import io

from sqlalchemy.orm import selectinload

from ..clock import today
from ..exports.sheet import Col, write_sheet
from ..exports.styles import Styles, open_workbook
from ..extensions import db
from ..models.cases import ReconCase
from .recon import sees_full_ids
from .search import CaseFilter, matching, ordered
from .serialize import recon_json
from .timelimits import Calendar

MAX_ROWS = 200_000  # beyond a year of the whole city; a bigger export asks for a narrower filter

COLUMNS = [("case_no", "案号"), ("unit_name", "复议机关"), ("receipt_date", "收到申请日期"), ("applicants", "申请人"),
           ("id_numbers", "申请人身份证号"), ("people", "申请人数"), ("respondent_name", "被申请人"),
           ("respondent_level", "被申请人层级"), ("domain", "行政管理领域"), ("matter", "申请事项"),
           ("act_name", "被申请行为名称"), ("act_number", "文号"), ("intake", "受理情况"), ("intake_date", "受理日期"),
           ("refusal_reason", "不予受理原因"), ("procedure", "审理程序"), ("extension_days", "延期天数"),
           ("suspended_on", "中止日期"), ("resumed_on", "恢复审理日期"), ("decided_on", "决定日期"),
           ("outcome", "决定类型"), ("deadline", "当前期限"), ("deadline_rule", "期限依据")]


def export_recon(f: CaseFilter, user) -> tuple[bytes, int]:
    """(.xlsx bytes, rows) of the cases `f` finds for `user`."""
    cal = Calendar.load()
    q = ordered(matching(f, user)).options(selectinload(ReconCase.applicants), selectinload(ReconCase.unit),
                                           selectinload(ReconCase.respondent_unit)).limit(MAX_ROWS)
    rows = []
    for case in db.session.scalars(q):
        j = recon_json(case, sees_full_ids(case, user), cal)
        applicants = j["applicants"]
        j["applicants"] = "、".join(a["name"] for a in applicants)
        j["id_numbers"] = "、".join(a["id_number"] for a in applicants if a["id_number"])
        rows.append([j.get(key) if j.get(key) is not None else "" for key, _ in COLUMNS])
    buf = io.BytesIO()
    wb = open_workbook(buf)
    cols = [Col(label, "count" if key == "people" else "text") for key, label in COLUMNS]
    meta = [("导出日期", str(today())), ("案件数", str(len(rows)))]
    write_sheet(wb, Styles(wb), "行政复议案件", "行政复议案件登记", meta, cols, rows, samples=rows[:20])
    wb.close()
    return buf.getvalue(), len(rows)

