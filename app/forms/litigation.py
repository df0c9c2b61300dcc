"""行政应诉 — administrative litigation defence, per unit per half-year."""

from ..filing.periods import HALF
from .base import Balance, ChangedFromPrefill, Field, FormSpec, HistoryOutlier, NotGreater, Rate
from .reconsideration import MATTER_FIELDS

INTAKE, TYPES, OUTCOMES, COURT = "收案情况", "新收案件（按案件类型）", "审结情况", "出庭应诉"

OUTCOME_FIELDS = [
    ("o_claims_dismissed", "驳回诉讼请求"), ("o_suit_dismissed", "驳回起诉"), ("o_revoked", "撤销"),
    ("o_varied", "变更"), ("o_unlawful", "确认违法"), ("o_void", "确认无效"),
    ("o_perform", "履行法定职责"), ("o_pay", "给付"), ("o_withdrawn", "原告撤诉"),
    ("o_mediated", "调解"), ("o_other", "其他结果"),
]
LOST = ("o_revoked", "o_varied", "o_unlawful", "o_void", "o_perform", "o_pay")
TYPE_FIELDS = [("t_" + name[2:], label) for name, label in MATTER_FIELDS]

LITIGATION = FormSpec(
    code="litigation",
    title="行政应诉案件情况统计表",
    menu_title="行政应诉",
    period_kind=HALF,
    fields=[
        Field("carried_over", "上期结转", group=INTAKE),
        Field("first_instance", "一审新收", group=INTAKE),
        Field("appeals", "二审", group=INTAKE),
        Field("retrials", "再审", group=INTAKE),
        Field("new_total", "新收合计", group=INTAKE),
        Field("after_reconsideration", "经复议", group=INTAKE),
        Field("co_defendant", "复议机关共同被告", group=INTAKE),
        *[Field(name, label, group=TYPES) for name, label in TYPE_FIELDS],
        Field("concluded", "已审结", group=OUTCOMES),
        *[Field(name, label, group=OUTCOMES) for name, label in OUTCOME_FIELDS],
        Field("pending", "未审结", group=OUTCOMES),
        Field("hearings_held", "开庭审理", group=COURT),
        Field("head_attended", "负责人出庭应诉", group=COURT),
    ],
    rules=[
        Balance("new_total", ("first_instance", "appeals", "retrials")),
        Balance("new_total", tuple(name for name, _ in TYPE_FIELDS)),
        Balance("concluded", tuple(name for name, _ in OUTCOME_FIELDS)),
        Balance("pending", ("carried_over", "new_total"), ("concluded",)),
        NotGreater("co_defendant", "after_reconsideration"),
        NotGreater("after_reconsideration", "new_total"),
        NotGreater("head_attended", "hearings_held"),
        ChangedFromPrefill(("carried_over",)),
        HistoryOutlier(("new_total",)),
    ],
    rates=[
        Rate("loss_rate", "败诉率", LOST, ("concluded",)),
        Rate("head_attendance_rate", "负责人出庭率", ("head_attended",), ("hearings_held",)),
    ],
    carry_over={"carried_over": "pending"},
)
