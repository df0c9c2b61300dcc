"""What a register's fields accept: Chinese labels, and the choices read from the form version in
force (申请事项, 不予受理原因, 决定类型 and the litigation outcomes are the form's own fields)."""

from __future__ import annotations

import datetime as dt

from ..filing.periods import HALF, period_of
from ..forms import get_form
from ..forms import reconsideration as recon_form

RECON_LABELS = {
    "case_no": "案号", "receipt_date": "收到申请日期", "receipt_channel": "收件方式", "group_size": "集体申请人数",
    "respondent_unit": "被申请人单位代码", "respondent_name": "被申请人", "respondent_level": "被申请人层级",
    "domain": "行政管理领域", "matter": "申请事项", "act_name": "被申请行为名称", "act_number": "文号",
    "act_date": "行为作出日期", "amend_requested": "补正通知日期", "amend_received": "补正材料收到日期",
    "intake": "受理情况", "intake_date": "受理（不予受理）日期", "refusal_reason": "不予受理原因",
    "procedure": "审理程序", "hearing": "听证", "committee": "提请行政复议委员会咨询", "extension_days": "延期天数",
    "extension_reason": "延期理由", "extension_approver": "延期批准人", "suspended_on": "中止日期",
    "resumed_on": "恢复审理日期", "decided_on": "决定日期", "outcome": "决定类型", "opinion_issued": "制发意见书",
    "suggestion_issued": "制发建议书", "note": "备注", "applicants": "申请人",
}
LEVELS = dict(recon_form.LEVELS)
DOMAINS = dict(recon_form.DOMAINS)
NOT_OUTCOMES = {"concluded", "pending"}


def recon_spec(day: dt.date):
    """The reconsideration form version in force for the half-year of `day`."""
    return get_form("reconsideration", period_of(HALF, day))


def _group(spec, group: str, skip=()) -> dict[str, str]:
    return {f.name: f.label for f in spec.fields if f.group == group and f.name not in skip}


def matters(day: dt.date) -> dict[str, str]:
    """{field: label} of the 申请事项 of the version in force on `day`."""
    return _group(recon_spec(day), recon_form.MATTERS)


def refusal_reasons(day: dt.date) -> dict[str, str]:
    return _group(recon_spec(day), recon_form.REJECT)


def outcomes(day: dt.date) -> dict[str, str]:
    return _group(recon_spec(day), recon_form.OUTCOMES, NOT_OUTCOMES)


def litigation_spec(day: dt.date):
    return get_form("litigation", period_of(HALF, day))


def choice(value, options: dict[str, str]) -> str | None:
    """The key of `value` given as a key or as its label; None when it is neither."""
    if value in options:
        return value
    for key, label in options.items():
        if label == value:
            return key
    return None
