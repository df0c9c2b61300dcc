"""行政处罚 — administrative penalties, per unit per quarter.

Two versions: "2021" (the 2021 law's kinds and 普通程序) and "2027" from 2027Q1, which adds
从轻处罚, decisions on enterprises (涉企), applications to the court for enforcement and the
amounts actually collected. 罚没收入 (罚款 + 没收违法所得) is a derived figure
(app/reporting/measures.py); the value of confiscated property is shown apart, never added in.
"""

from ..filing.periods import QUARTER
from .base import MONEY, Balance, FarAbove, Field, FormSpec, HistoryOutlier, Issue, NeedsCount, NotGreater, Rate, Rule

CASES, KINDS, AMOUNTS, PROCEDURE, OTHER = "案件", "处罚决定（按种类）", "罚没金额（元）", "程序", "其他情况"

KIND_FIELDS = [
    Field("k_warning", "警告", group=KINDS),
    Field("k_criticism", "通报批评", group=KINDS),
    Field("k_fine", "罚款", group=KINDS),
    Field("k_gains", "没收违法所得", group=KINDS),
    Field("k_property", "没收非法财物", group=KINDS),
    Field("k_suspend_licence", "暂扣许可证件", group=KINDS),
    Field("k_downgrade", "降低资质等级", group=KINDS),
    Field("k_revoke_licence", "吊销许可证件", group=KINDS),
    Field("k_restrict_business", "限制开展生产经营活动", group=KINDS),
    Field("k_suspend_operations", "责令停产停业", group=KINDS),
    Field("k_closure", "责令关闭", group=KINDS),
    Field("k_occupation_ban", "限制从业", group=KINDS),
    Field("k_detention", "行政拘留", group=KINDS),
    Field("k_other", "其他", group=KINDS),
]
KIND_NAMES = tuple(f.name for f in KIND_FIELDS)

# Kinds the law reserves to some bodies: {kind: (who, a word every such unit's name holds)}.
# 行政拘留 only by public security (治安管理处罚法); a unit's own list (Unit.penalty_kinds) overrides.
RESERVED = {"k_detention": ("公安机关", "公安")}


def allowed_kinds(unit) -> set[str]:
    """The penalty kinds `unit` may impose: its own list when set, else every kind the law does
    not reserve to other bodies."""
    labels = {f.label: f.name for f in KIND_FIELDS}
    own = (getattr(unit, "penalty_kinds", None) or "").strip()
    if own:
        parts = own.replace(",", "、").replace("，", "、").split("、")
        return {labels[x.strip()] for x in parts if x.strip() in labels}
    name = getattr(unit, "name", "") or ""
    return {k for k in KIND_NAMES if k not in RESERVED or RESERVED[k][1] in name}


class UnitMayImpose(Rule):
    """A kind of penalty the unit may not impose (a unit attribute) must be 0: checked on save."""

    def check(self, spec, values, ctx):
        if ctx.unit is None:
            return []
        allowed = allowed_kinds(ctx.unit)
        issues = []
        for name in KIND_NAMES:
            if values.get(name) and name not in allowed:
                f = spec.field(name)
                why = f"（{f.label}只能由{RESERVED[name][0]}决定）" if name in RESERVED else ""
                issues.append(Issue((name,), f"{f.quoted}为{values[name]:,}件：{ctx.unit.short_name}不能作出该种类的"
                                             f"处罚{why}；本单位可作出的处罚种类由系统管理员在单位信息中设置"))
        return issues

PENALTY_2021 = FormSpec(
    code="penalty",
    title="行政处罚情况统计表",
    menu_title="行政处罚",
    period_kind=QUARTER,
    version="2021",
    version_note="2021年修订的行政处罚法（2021年7月15日施行）的处罚种类与普通程序",
    fields=[
        Field("cases_opened", "立案数", group=CASES),
        Field("cases_closed", "结案数", group=CASES),
        Field("decisions_total", "处罚决定总数", group=CASES),
        *KIND_FIELDS,
        Field("amount_fines", "罚款金额", MONEY, group=AMOUNTS),
        Field("amount_gains", "没收违法所得金额", MONEY, group=AMOUNTS),
        Field("amount_property", "没收非法财物价值", MONEY, group=AMOUNTS),
        Field("proc_summary", "简易程序", group=PROCEDURE),
        # 普通程序: the 2021 Administrative Penalty Law's term (一般程序 before); the same figure.
        Field("proc_ordinary", "普通程序", group=PROCEDURE),
        Field("hearings_notified", "告知听证", group=OTHER),
        Field("hearings_held", "举行听证", group=OTHER),
        Field("legal_reviews", "法制审核", group=OTHER),
        Field("no_penalty", "不予处罚", group=OTHER),
        Field("reduced_penalty", "减轻处罚", group=OTHER),
        Field("reconsidered", "被申请行政复议", group=OTHER),
        Field("reconsidered_corrected", "其中：被纠错", group=OTHER),
        Field("sued", "被提起行政诉讼", group=OTHER),
        Field("sued_lost", "其中：败诉", group=OTHER),
        Field("referred", "移送司法机关", group=OTHER),
    ],
    rules=[
        UnitMayImpose(),
        Balance("decisions_total", KIND_NAMES),
        Balance("decisions_total", ("proc_summary", "proc_ordinary")),
        NotGreater("hearings_held", "hearings_notified"),
        NotGreater("hearings_notified", "proc_ordinary"),
        NotGreater("legal_reviews", "proc_ordinary"),
        NeedsCount("amount_fines", "k_fine"),
        NeedsCount("amount_gains", "k_gains"),
        NeedsCount("amount_property", "k_property"),
        FarAbove("cases_closed", "cases_opened"),
        NotGreater("reconsidered_corrected", "reconsidered"),
        NotGreater("sued_lost", "sued"),
        HistoryOutlier(("decisions_total", "amount_fines")),
    ],
    rates=[
        # Over the decisions challenged — not the reconsideration form's 直接纠错率 (over cases
        # concluded): named apart so that one name never means two things (指标说明).
        Rate("challenge_correction_rate", "处罚决定被复议纠错率", ("reconsidered_corrected",), ("reconsidered",)),
        Rate("sued_loss_rate", "处罚决定被诉败诉率", ("sued_lost",), ("sued",)),
        Rate("hearing_rate", "听证举行率", ("hearings_held",), ("hearings_notified",)),
    ],
)


# 2027: new fields, each placed after a 2021 field of its group.
_2027_FIELDS = {
    "reduced_penalty": [Field("mild_penalty", "从轻处罚", group=OTHER)],
    "referred": [Field("enterprise_decisions", "涉企处罚决定", group=OTHER),
                 Field("court_enforcement", "申请法院强制执行", group=OTHER)],
    "amount_property": [Field("collected_fines", "罚款实收金额", MONEY, group=AMOUNTS),
                        Field("collected_gains", "没收违法所得实收金额", MONEY, group=AMOUNTS)],
}

PENALTY_2027 = FormSpec(
    code="penalty",
    title=PENALTY_2021.title,
    menu_title=PENALTY_2021.menu_title,
    period_kind=QUARTER,
    version="2027",
    valid_from="2027Q1",
    version_note="增加从轻处罚、涉企处罚决定、申请法院强制执行、罚款与没收违法所得实收金额",
    fields=[g for f in PENALTY_2021.fields for g in (f, *_2027_FIELDS.get(f.name, ()))],
    rules=[
        *PENALTY_2021.rules,
        NotGreater("mild_penalty", "decisions_total"),
        NotGreater("enterprise_decisions", "decisions_total"),
        NotGreater("court_enforcement", "decisions_total"),
    ],
    rates=PENALTY_2021.rates,
)

PENALTY = PENALTY_2027  # the newest version
