"""行政复议 — administrative reconsideration, per unit per half-year (2015 national form)."""

from ..filing.periods import HALF
from .base import MONEY, Balance, ChangedFromPrefill, Field, FormSpec, HistoryOutlier, NotGreater, Rate

INTAKE, REJECT, MATTERS, OUTCOMES, OTHER = (
    "收案情况", "不予受理原因", "受理案件（按事项）", "审结情况", "其他情况")

MATTER_FIELDS = [
    ("m_penalty", "行政处罚"), ("m_enforcement", "行政强制"), ("m_levy", "行政征收"),
    ("m_licence", "行政许可"), ("m_ownership", "行政确权"), ("m_confirmation", "行政确认"),
    ("m_information", "信息公开"), ("m_complaint", "举报投诉处理"), ("m_inaction", "行政不作为"),
    ("m_other", "其他事项"),
]
REJECT_FIELDS = [
    ("r_no_party", "申请人或被申请人不适格"), ("r_no_interest", "无利害关系"), ("r_late", "超过申请期限"),
    ("r_remit", "不属于本机关管辖"), ("r_no_request", "没有具体复议请求"),
    ("r_duplicate", "已被其他机关受理"), ("r_scope", "不属于复议范围"), ("r_other", "其他原因"),
]
OUTCOME_FIELDS = [
    ("o_dismissed", "驳回"), ("o_upheld", "维持"), ("o_unlawful", "确认违法"), ("o_revoked", "撤销"),
    ("o_varied", "变更"), ("o_ordered", "责令履行"), ("o_mediated", "调解"),
    ("o_settled", "终止（和解）"), ("o_terminated", "终止（其他）"), ("o_other", "其他结果"),
]


def _fields(pairs, group):
    return [Field(name, label, group=group) for name, label in pairs]


def _names(pairs):
    return tuple(name for name, _ in pairs)


RECONSIDERATION = FormSpec(
    code="reconsideration",
    title="行政复议案件情况统计表",
    menu_title="行政复议",
    period_kind=HALF,
    fields=[
        Field("carried_over", "上期结转", group=INTAKE),
        Field("new_applications", "本期新收", group=INTAKE),
        Field("accepted", "受理", group=INTAKE),
        Field("rejected", "不予受理", group=INTAKE),
        Field("other_handled", "告知及其他处理", group=INTAKE),
        Field("applicants", "申请人总数", group=INTAKE),
        *_fields(REJECT_FIELDS, REJECT),
        *_fields(MATTER_FIELDS, MATTERS),
        Field("concluded", "已审结", group=OUTCOMES),
        *_fields(OUTCOME_FIELDS, OUTCOMES),
        Field("pending", "未审结", group=OUTCOMES),
        Field("incidental_reviews", "规范性文件附带审查", group=OTHER),
        Field("compensation_cases", "行政赔偿件数", group=OTHER),
        Field("compensation_amount", "行政赔偿金额", MONEY, group=OTHER),
        Field("opinions_issued", "行政复议意见书制发", group=OTHER),
        Field("opinions_implemented", "行政复议意见书已落实", group=OTHER),
    ],
    rules=[
        Balance("new_applications", ("accepted", "rejected", "other_handled")),
        Balance("rejected", _names(REJECT_FIELDS)),
        Balance("accepted", _names(MATTER_FIELDS)),
        Balance("concluded", _names(OUTCOME_FIELDS)),
        Balance("pending", ("carried_over", "accepted"), ("concluded",)),
        NotGreater("opinions_implemented", "opinions_issued"),
        ChangedFromPrefill(("carried_over",)),
        HistoryOutlier(("new_applications",)),
    ],
    rates=[
        Rate("correction_rate", "纠错率", ("o_unlawful", "o_revoked", "o_varied", "o_ordered"), ("concluded",)),
        Rate("mediation_rate", "调解和解率", ("o_mediated", "o_settled"), ("concluded",)),
    ],
    carry_over={"carried_over": "pending"},
)
