"""行政复议 — administrative reconsideration, per unit per half-year.

Two versions: the 2015 national form (filed until 2023H2) and the 2024 form that follows the
行政复议法 revised in 2023, in force 2024-01-01 (确认无效 art. 67, 简易程序 art. 53, 听证 and the
行政复议委员会, 调解 throughout, new matters, 意见书 and 建议书).
"""

from ..filing.periods import HALF
from .base import (
    MONEY,
    Balance,
    ChangedFromPrefill,
    CrossForm,
    Field,
    FormSpec,
    HistoryOutlier,
    NeedsCount,
    NotGreater,
    Rate,
)

INTAKE, APPLICANTS, REJECT, MATTERS, PROCEDURE, OUTCOMES, OTHER = (
    "收案情况", "申请人情况", "不予受理原因", "受理案件（按事项）", "审理程序", "审结情况", "其他情况")

MATTER_FIELDS = [
    ("m_penalty", "行政处罚"), ("m_enforcement", "行政强制"), ("m_levy", "行政征收"),
    ("m_licence", "行政许可"), ("m_ownership", "行政确权"), ("m_confirmation", "行政确认"),
    ("m_information", "信息公开"), ("m_complaint", "举报投诉处理"), ("m_inaction", "行政不作为"),
    ("m_other", "其他事项"),
]
# 2024: the law's new matters; 信息公开 named as in the law.
MATTER_FIELDS_2024 = [
    ("m_penalty", "行政处罚"), ("m_enforcement", "行政强制"), ("m_levy", "行政征收"),
    ("m_licence", "行政许可"), ("m_ownership", "行政确权"), ("m_confirmation", "行政确认"),
    ("m_agreement", "行政协议"), ("m_compensation", "行政赔偿"), ("m_injury", "工伤认定"),
    ("m_social", "社会保障/最低生活保障给付"), ("m_expropriation", "征收征用补偿"),
    ("m_information", "政府信息公开"), ("m_complaint", "举报投诉处理"), ("m_inaction", "行政不作为"),
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
OUTCOME_FIELDS_2024 = [
    ("o_dismissed", "驳回复议请求"), ("o_upheld", "维持"), ("o_unlawful", "确认违法"), ("o_void", "确认无效"),
    ("o_revoked", "撤销"), ("o_varied", "变更"), ("o_ordered", "责令履行"),
    ("o_mediated", "调解（受理后）"), ("o_settled", "和解"),
    ("o_withdrawn_corrected", "被申请人纠正后申请人撤回"), ("o_terminated", "终止（其他）"),
    ("o_other", "其他结果"),
]
# 直接纠错 (white-paper definition): 撤销 + 确认违法 + 变更 + 责令履行, and 确认无效 from 2024.
DIRECT_2015 = ("o_unlawful", "o_revoked", "o_varied", "o_ordered")
DIRECT_2024 = (*DIRECT_2015, "o_void")

# 被申请人层级 × 行政管理领域 (2024): one field per cell; the level is the field group.
LEVELS = [("cg", "市政府"), ("cd", "市政府部门"), ("dg", "区政府"), ("dd", "区政府部门"),
          ("tw", "乡镇政府/街道"), ("ot", "其他")]
DOMAINS = [("ps", "公安"), ("nr", "自然资源"), ("hc", "住房城乡建设"), ("mk", "市场监管"),
           ("hr", "人力资源社会保障"), ("ev", "生态环境"), ("tr", "交通运输"), ("um", "城市管理"),
           ("hl", "卫生健康"), ("ed", "教育"), ("ot", "其他领域")]
RESPONDENT_FIELDS = [Field(f"x_{lv}_{dm}", f"{level}·{domain}", group=f"受理案件：被申请人为{level}（按行政管理领域）")
                     for lv, level in LEVELS for dm, domain in DOMAINS]
PROCEDURE_FIELDS = [("p_simplified", "适用简易程序"), ("p_hearing", "听证"), ("p_committee", "提请行政复议委员会咨询"),
                    ("p_extended", "延期"), ("p_suspended", "中止")]
BAND_FIELDS = [("band_2_4", "其中：申请人2至4人"), ("band_5_9", "其中：申请人5至9人"),
               ("band_10_29", "其中：申请人10至29人"), ("band_30_plus", "其中：申请人30人以上")]


# Cross-form: penalty-matter cases this body accepted, against the same unit's penalty decisions
# challenged by reconsideration over the half-year (its four quarters summed).
PENALTY_CHECK = CrossForm("m_penalty", "penalty", "reconsidered", "被申请行政复议")


def _prefill_from_register(filing) -> dict:
    """A unit that keeps its case register here gets its figures from the cases (app.cases.stats)."""
    from ..cases.stats import prefill_from_register

    return prefill_from_register(filing)


def _register_panel(filing) -> dict:
    from ..cases.stats import register_panel

    return register_panel(filing)


# Figures the register derives: a hand-filed figure that differs needs an explanation (and the
# reviewer sees the difference on the filing page, app/templates/cases/_register_panel.html).
REGISTER_CHECK = ChangedFromPrefill((
    "new_applications", "accepted", "rejected", "other_handled", "applicants", "concluded", "pending",
    *[n for n, _ in MATTER_FIELDS_2024], *[n for n, _ in OUTCOME_FIELDS_2024], *[n for n, _ in REJECT_FIELDS],
), source="案件登记数")


def _fields(pairs, group):
    return [Field(name, label, group=group) for name, label in pairs]


def _names(pairs):
    return tuple(name for name, _ in pairs)


RECONSIDERATION_2015 = FormSpec(
    code="reconsideration",
    title="行政复议案件情况统计表",
    menu_title="行政复议",
    period_kind=HALF,
    version="2015",
    version_note="2015年全国行政复议统计表口径（至2023年下半年）",
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
        NotGreater("concluded", ("carried_over", "accepted")),
        Balance("concluded", _names(OUTCOME_FIELDS)),
        Balance("pending", ("carried_over", "accepted"), ("concluded",)),
        NotGreater("new_applications", "applicants"),
        NotGreater("incidental_reviews", "accepted"),
        NeedsCount("compensation_amount", "compensation_cases"),
        NotGreater("opinions_implemented", "opinions_issued"),
        PENALTY_CHECK,
        ChangedFromPrefill(("carried_over",)),
        REGISTER_CHECK,
        HistoryOutlier(("new_applications",)),
    ],
    rates=[
        Rate("correction_rate", "直接纠错率", DIRECT_2015, ("concluded",)),
        Rate("mediation_rate", "调解和解率", ("o_mediated", "o_settled"), ("concluded",)),
    ],
    carry_over={"carried_over": "pending"},
    prefill_hook=_prefill_from_register,
    detail_panel=("cases/_register_panel.html", _register_panel),
)

RECONSIDERATION_2024 = FormSpec(
    code="reconsideration",
    title="行政复议案件情况统计表",
    menu_title="行政复议",
    period_kind=HALF,
    version="2024",
    valid_from="2024H1",
    version_note="2023年修订的行政复议法（2024年1月1日施行）：增加确认无效（计入直接纠错）、被申请人层级×行政管理领域、"
                 "新增事项、简易程序与听证等审理程序、申请人构成、受理前调解与和解、建议书、复议后被诉",
    fields=[
        Field("carried_over", "上期结转", group=INTAKE),
        Field("new_applications", "本期新收", group=INTAKE),
        Field("accepted", "受理", group=INTAKE),
        Field("rejected", "不予受理", group=INTAKE),
        Field("other_handled", "告知及其他处理", group=INTAKE),
        Field("pre_mediated", "其中：受理前调解化解", group=INTAKE),
        Field("applicants", "申请人总数", group=APPLICANTS),
        Field("applicants_citizen", "公民", group=APPLICANTS),
        Field("applicants_org", "法人或其他组织", group=APPLICANTS),
        Field("joint_applications", "共同申请（件）", group=APPLICANTS),
        *_fields(BAND_FIELDS, APPLICANTS),
        *_fields(REJECT_FIELDS, REJECT),
        *RESPONDENT_FIELDS,
        *_fields(MATTER_FIELDS_2024, MATTERS),
        Field("p_amended", "补正", group=PROCEDURE),
        *_fields(PROCEDURE_FIELDS, PROCEDURE),
        Field("concluded", "已审结", group=OUTCOMES),
        *_fields(OUTCOME_FIELDS_2024, OUTCOMES),
        Field("pending", "未审结", group=OUTCOMES),
        Field("incidental_reviews", "规范性文件附带审查", group=OTHER),
        Field("compensation_cases", "行政赔偿件数", group=OTHER),
        Field("compensation_amount", "行政赔偿金额", MONEY, group=OTHER),
        Field("opinions_issued", "行政复议意见书制发", group=OTHER),
        Field("opinions_implemented", "行政复议意见书已落实", group=OTHER),
        Field("suggestions_issued", "行政复议建议书制发", group=OTHER),
        Field("suggestions_implemented", "行政复议建议书已落实", group=OTHER),
        Field("sued_after", "复议后被诉", group=OTHER),
    ],
    rules=[
        Balance("new_applications", ("accepted", "rejected", "other_handled")),
        NotGreater("pre_mediated", "other_handled"),
        Balance("applicants", ("applicants_citizen", "applicants_org")),
        NotGreater("new_applications", "applicants"),
        NotGreater("joint_applications", "new_applications"),
        Balance("joint_applications", _names(BAND_FIELDS)),
        Balance("rejected", _names(REJECT_FIELDS)),
        Balance("accepted", tuple(f.name for f in RESPONDENT_FIELDS)),
        Balance("accepted", _names(MATTER_FIELDS_2024)),
        NotGreater("p_amended", "new_applications"),
        *[NotGreater(name, ("carried_over", "accepted")) for name, _ in PROCEDURE_FIELDS],
        NotGreater("concluded", ("carried_over", "accepted")),
        Balance("concluded", _names(OUTCOME_FIELDS_2024)),
        Balance("pending", ("carried_over", "accepted"), ("concluded",)),
        NotGreater("incidental_reviews", "accepted"),
        NeedsCount("compensation_amount", "compensation_cases"),
        NotGreater("opinions_implemented", "opinions_issued"),
        NotGreater("suggestions_implemented", "suggestions_issued"),
        NotGreater("sued_after", "concluded", level="warning"),
        PENALTY_CHECK,
        ChangedFromPrefill(("carried_over",)),
        REGISTER_CHECK,
        HistoryOutlier(("new_applications",)),
    ],
    rates=[
        Rate("correction_rate", "直接纠错率", DIRECT_2024, ("concluded",)),
        Rate("mediation_rate", "调解和解率", ("o_mediated", "o_settled"), ("concluded",)),
        Rate("resolution_rate", "综合化解率", (*DIRECT_2024, "o_mediated", "o_settled", "o_withdrawn_corrected"),
             ("concluded",)),
        Rate("sued_after_rate", "复议后被诉率", ("sued_after",), ("concluded",)),
    ],
    carry_over={"carried_over": "pending"},
    prefill_hook=_prefill_from_register,
    detail_panel=("cases/_register_panel.html", _register_panel),
)

RECONSIDERATION = RECONSIDERATION_2024  # the version in force now
