"""行政应诉 — administrative litigation defence, per unit per half-year.

Two versions: the 2015 form (until 2023H2), whose outcomes mix all instances, and the 2024
form (from 2024H1, with the reconsideration form's new version), which counts 一审, 二审 and
再审 apart with their own outcomes and 败诉率, 被告改变行为后原告撤诉 as an outcome of its own
(a loss the plain 败诉率 hides), 行政协议 cases, 司法建议, and 负责人出庭 by 正职/副职 over the
hearings the court asked the head to attend.
"""

from ..filing.periods import HALF
from .base import Balance, ChangedFromPrefill, CrossForm, Field, FormSpec, HistoryOutlier, NotGreater, Rate
from .reconsideration import MATTER_FIELDS, MATTER_FIELDS_2024

INTAKE, TYPES, OUTCOMES, COURT = "收案情况", "新收案件（按案件类型）", "审结情况", "出庭应诉"
FIRST, APPEAL, RETRIAL, ADVICE = "一审审结情况", "二审审结情况", "再审审结情况", "司法建议"

OUTCOME_FIELDS = [
    ("o_claims_dismissed", "驳回诉讼请求"), ("o_suit_dismissed", "驳回起诉"), ("o_revoked", "撤销"),
    ("o_varied", "变更"), ("o_unlawful", "确认违法"), ("o_void", "确认无效"),
    ("o_perform", "履行法定职责"), ("o_pay", "给付"), ("o_withdrawn", "原告撤诉"),
    ("o_mediated", "调解"), ("o_other", "其他结果"),
]
LOST = ("o_revoked", "o_varied", "o_unlawful", "o_void", "o_perform", "o_pay")
TYPE_FIELDS = [("t_" + name[2:], label) for name, label in MATTER_FIELDS]
TYPE_FIELDS_2024 = [("t_" + name[2:], label) for name, label in MATTER_FIELDS_2024]

FIRST_FIELDS = [
    ("f1_claims_dismissed", "驳回诉讼请求"), ("f1_suit_dismissed", "驳回起诉"), ("f1_revoked", "撤销"),
    ("f1_varied", "变更"), ("f1_unlawful", "确认违法"), ("f1_void", "确认无效"),
    ("f1_perform", "履行法定职责"), ("f1_pay", "给付"),
    ("f1_withdrawn_changed", "被告改变行为后原告撤诉"), ("f1_withdrawn", "原告撤诉（其他）"),
    ("f1_mediated", "调解"), ("f1_other", "一审其他结果"),
]
LOST_FIRST = ("f1_revoked", "f1_varied", "f1_unlawful", "f1_void", "f1_perform", "f1_pay")
APPEAL_FIELDS = [("a_upheld", "驳回上诉、维持原判"), ("a_reversed", "改判"), ("a_remanded", "撤销原判、发回重审"),
                 ("a_withdrawn", "撤回上诉"), ("a_other", "二审其他结果")]
RETRIAL_FIELDS = [("rt_upheld", "再审维持"), ("rt_reversed", "再审改判"), ("rt_remanded", "再审发回重审"),
                  ("rt_other", "再审其他结果")]


# Cross-form: suits after reconsideration against the same unit's reconsideration cases concluded.
RECONSIDERATION_CHECK = CrossForm("after_reconsideration", "reconsideration", "concluded", "已审结")


def _prefill_from_register(filing) -> dict:
    """A unit that keeps its litigation register here gets its figures from the suits (app.cases.litigation_stats)."""
    from ..cases.litigation_stats import prefill_litigation

    return prefill_litigation(filing)


def _fields(pairs, group):
    return [Field(name, label, group=group) for name, label in pairs]


def _names(pairs):
    return tuple(name for name, _ in pairs)


LITIGATION_2015 = FormSpec(
    code="litigation",
    title="行政应诉案件情况统计表",
    menu_title="行政应诉",
    period_kind=HALF,
    version="2015",
    version_note="审结结果不分审级（至2023年下半年）",
    fields=[
        Field("carried_over", "上期结转", group=INTAKE),
        Field("first_instance", "一审新收", group=INTAKE),
        Field("appeals", "二审", group=INTAKE),
        Field("retrials", "再审", group=INTAKE),
        Field("new_total", "新收合计", group=INTAKE),
        Field("after_reconsideration", "经复议", group=INTAKE),
        Field("co_defendant", "复议机关共同被告", group=INTAKE),
        *_fields(TYPE_FIELDS, TYPES),
        Field("concluded", "已审结", group=OUTCOMES),
        *_fields(OUTCOME_FIELDS, OUTCOMES),
        Field("pending", "未审结", group=OUTCOMES),
        Field("hearings_held", "开庭审理", group=COURT),
        Field("head_attended", "负责人出庭应诉", group=COURT),
    ],
    rules=[
        Balance("new_total", ("first_instance", "appeals", "retrials")),
        Balance("new_total", _names(TYPE_FIELDS)),
        NotGreater("concluded", ("carried_over", "new_total")),
        Balance("concluded", _names(OUTCOME_FIELDS)),
        Balance("pending", ("carried_over", "new_total"), ("concluded",)),
        NotGreater("co_defendant", "after_reconsideration"),
        NotGreater("after_reconsideration", "new_total"),
        NotGreater("hearings_held", ("carried_over", "new_total")),
        NotGreater("head_attended", "hearings_held"),
        RECONSIDERATION_CHECK,
        ChangedFromPrefill(("carried_over",)),
        HistoryOutlier(("new_total",)),
    ],
    rates=[
        Rate("loss_rate", "败诉率", LOST, ("concluded",)),
        Rate("head_attendance_rate", "负责人出庭率", ("head_attended",), ("hearings_held",)),
    ],
    carry_over={"carried_over": "pending"},
    prefill_hook=_prefill_from_register,
)

LITIGATION_2024 = FormSpec(
    code="litigation",
    title="行政应诉案件情况统计表",
    menu_title="行政应诉",
    period_kind=HALF,
    version="2024",
    valid_from="2024H1",
    version_note="一审、二审、再审分别统计审结结果和败诉率；被告改变行为后原告撤诉单列；行政协议案件；司法建议；"
                 "负责人出庭分正职、副职，以法院通知出庭的案件为基数",
    fields=[
        Field("carried_over", "上期结转", group=INTAKE),
        Field("first_instance", "一审新收", group=INTAKE),
        Field("appeals", "二审", group=INTAKE),
        Field("retrials", "再审", group=INTAKE),
        Field("new_total", "新收合计", group=INTAKE),
        Field("after_reconsideration", "经复议", group=INTAKE),
        Field("co_defendant", "复议机关共同被告", group=INTAKE),
        *_fields(TYPE_FIELDS_2024, TYPES),
        Field("f1_concluded", "一审审结", group=FIRST),
        *_fields(FIRST_FIELDS, FIRST),
        Field("a_concluded", "二审审结", group=APPEAL),
        *_fields(APPEAL_FIELDS, APPEAL),
        Field("a_lost", "其中：二审本机关败诉", group=APPEAL),
        Field("rt_concluded", "再审审结", group=RETRIAL),
        *_fields(RETRIAL_FIELDS, RETRIAL),
        Field("rt_lost", "其中：再审本机关败诉", group=RETRIAL),
        Field("concluded", "已审结", group=OUTCOMES),
        Field("pending", "未审结", group=OUTCOMES),
        Field("hearings_held", "开庭审理", group=COURT),
        Field("head_notified", "法院通知负责人出庭", group=COURT),
        Field("head_principal", "正职负责人出庭", group=COURT),
        Field("head_deputy", "副职负责人出庭", group=COURT),
        Field("head_attended", "负责人出庭应诉", group=COURT),
        Field("suggestions_received", "收到司法建议", group=ADVICE),
        Field("suggestions_answered", "司法建议已回复", group=ADVICE),
    ],
    rules=[
        Balance("new_total", ("first_instance", "appeals", "retrials")),
        Balance("new_total", _names(TYPE_FIELDS_2024)),
        Balance("f1_concluded", _names(FIRST_FIELDS)),
        Balance("a_concluded", _names(APPEAL_FIELDS)),
        NotGreater("a_lost", "a_concluded"),
        Balance("rt_concluded", _names(RETRIAL_FIELDS)),
        NotGreater("rt_lost", "rt_concluded"),
        NotGreater("concluded", ("carried_over", "new_total")),
        Balance("concluded", ("f1_concluded", "a_concluded", "rt_concluded")),
        Balance("pending", ("carried_over", "new_total"), ("concluded",)),
        NotGreater("co_defendant", "after_reconsideration"),
        NotGreater("after_reconsideration", "new_total"),
        NotGreater("hearings_held", ("carried_over", "new_total")),
        NotGreater("head_notified", "hearings_held"),
        Balance("head_attended", ("head_principal", "head_deputy")),
        NotGreater("head_attended", "head_notified"),
        NotGreater("suggestions_answered", "suggestions_received"),
        RECONSIDERATION_CHECK,
        ChangedFromPrefill(("carried_over",)),
        HistoryOutlier(("new_total",)),
    ],
    rates=[
        Rate("loss_rate", "败诉率", (*LOST_FIRST, "a_lost", "rt_lost"), ("concluded",)),
        Rate("loss_rate_first", "一审败诉率", LOST_FIRST, ("f1_concluded",)),
        Rate("loss_rate_appeal", "二审败诉率", ("a_lost",), ("a_concluded",)),
        Rate("loss_rate_retrial", "再审败诉率", ("rt_lost",), ("rt_concluded",)),
        Rate("loss_rate_with_withdrawals", "败诉率（含被告改变行为后原告撤诉）",
             (*LOST_FIRST, "f1_withdrawn_changed", "a_lost", "rt_lost"), ("concluded",)),
        Rate("head_attendance_rate", "负责人出庭率", ("head_attended",), ("head_notified",)),
    ],
    carry_over={"carried_over": "pending"},
    prefill_hook=_prefill_from_register,
)

LITIGATION = LITIGATION_2024  # the version in force now
