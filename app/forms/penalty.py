"""行政处罚 — administrative penalties, per unit per quarter."""

from ..filing.periods import QUARTER
from .base import MONEY, Balance, FarAbove, Field, FormSpec, HistoryOutlier, NeedsCount, NotGreater, Rate

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

PENALTY = FormSpec(
    code="penalty",
    title="行政处罚情况统计表",
    menu_title="行政处罚",
    period_kind=QUARTER,
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
