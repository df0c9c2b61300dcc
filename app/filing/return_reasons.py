"""退回原因: the list a return's reason is chosen from — declared here, once.

Every return (the municipal reviewer's 退回单位, the unit approver's 退回填报人) stores one code
(FilingTransition.reason_code); the free-text comment adds the detail. Returns made before the
list existed count as 其他 (migration 0020 sets their code). The 退回原因统计 report
(app.filing.return_stats) groups by these codes, in this order.
"""

from __future__ import annotations

from ..i18n import N_
from .errors import Invalid

OTHER = "other"

# code → label, in the order the choice and the statistics show them.
REASONS: dict[str, str] = {
    "data_logic": N_("数据逻辑错误"),          # 合计与分项不符, 结案数大于受理数 …
    "unexplained_change": N_("与上期差异过大未说明"),
    "missing_data": N_("漏填"),                # 应填未填的栏目或附表
    "unit_scope": N_("单位/口径错误"),           # 金额单位（元/万元）、统计口径、期别
    "weak_explanation": N_("情况说明不充分"),
    OTHER: N_("其他"),
}


def reason_label(code: str | None) -> str:
    """The label of a stored code; an unknown or missing code reads as 其他."""
    return REASONS.get(code or OTHER, REASONS[OTHER])


def clean_reason(code, comment: str | None) -> str:
    """The code a return stores: one of REASONS. None or "" counts as 其他 (callers that offer no
    choice, e.g. older API clients), and 其他 needs the free text to say what is wrong. Raises
    Invalid naming the field for anything else."""
    if code is None or code == "":
        if not comment:  # nothing chosen, nothing said
            raise Invalid("「退回原因」为必填项", {"comment": "「退回原因」为必填项"})
        return OTHER
    if not isinstance(code, str) or code not in REASONS:
        raise Invalid("「退回原因」应从列表中选择", {"reason_code": "「退回原因」应从列表中选择"})
    if code == OTHER and not comment:
        raise Invalid("退回原因为“其他”时，「退回说明」为必填项", {"comment": "「退回说明」为必填项"})
    return code
