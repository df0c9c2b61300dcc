"""法制机构和人员情况 — the yearly institution report; headcount pre-filled from the register."""

from ..filing.periods import YEAR
from .base import CHOICE, TEXT, ChangedFromPrefill, Field, FormSpec, NotGreater, Rate

ORG, STAFF, CONTACT = "机构设置", "人员", "联系方式"
SETUP_FORMS = (("standalone", "独立设置"), ("merged", "合署办公"), ("nameplate", "加挂牌子"))


def _prefill_from_register(filing) -> dict:
    from ..filing.periods import Period
    from ..forms import form_of
    from ..staff.stats import active_headcount, qualification_work

    out = {"headcount": active_headcount(filing.unit_id)}
    if form_of(filing).has_field("q_trained"):
        out.update(qualification_work(filing.unit_id, Period.parse(filing.period_key).year))
    return out


def _freeze_staff_stats(filing) -> None:
    from ..staff.snapshots import freeze

    freeze(filing)


def _frozen_panel(filing) -> dict:
    from ..staff.snapshots import frozen

    return {"frozen": frozen(filing)}


INSTITUTION_2006 = FormSpec(
    code="institution",
    title="法制机构和人员情况统计表",
    menu_title="法制机构和人员",
    period_kind=YEAR,
    version="2006",
    version_note="机构设置与人员（至2025年度）",
    fields=[
        Field("setup_form", "机构设置形式", CHOICE, group=ORG, choices=SETUP_FORMS),
        Field("authorised_posts", "行政编制数", group=STAFF),
        Field("headcount", "实有人数", group=STAFF),
        Field("reconsideration_staff", "专职行政复议人员", group=STAFF),
        Field("litigation_staff", "专职行政应诉人员", group=STAFF),
        Field("head_name", "机构负责人", TEXT, group=CONTACT, max_length=32),
        Field("phone", "联系电话", TEXT, group=CONTACT, max_length=32),
        Field("address", "办公地址", TEXT, group=CONTACT, max_length=128),
    ],
    rules=[
        NotGreater("reconsideration_staff", "headcount"),
        NotGreater("litigation_staff", "headcount"),
        NotGreater("headcount", "authorised_posts", level="warning"),
        ChangedFromPrefill(("headcount",), source="人员名册在职人数"),
    ],
    rates=[Rate("staffing_rate", "编制到位率", ("headcount",), ("authorised_posts",))],
    prefill_hook=_prefill_from_register,
    hooks={"sign_off": _freeze_staff_stats},
    detail_panel=("staff/_frozen.html", _frozen_panel),
    copy_previous=True,
)


# 行政复议人员资格 work the 2006 notice names, derived from the training and certificate
# registers (pre-filled; a changed figure needs an explanation, like 实有人数).
QUALIFICATION = "行政复议人员资格管理"
QUALIFICATION_FIELDS = [
    Field("q_trained", "参加资格培训人数", group=QUALIFICATION),
    Field("q_passed", "考核合格人数", group=QUALIFICATION),
    Field("q_failed", "考核不合格人数", group=QUALIFICATION),
    Field("q_issued", "颁发资格证书数", group=QUALIFICATION),
    Field("q_valid", "年末有效资格证书数", group=QUALIFICATION),
]

INSTITUTION_2026 = FormSpec(
    code="institution",
    title=INSTITUTION_2006.title,
    menu_title=INSTITUTION_2006.menu_title,
    period_kind=YEAR,
    version="2026",
    valid_from="2026",
    version_note="增加行政复议人员资格管理：培训、考核（合格/不合格）、发证、年末有效证书，由人员名册与培训、证书记录生成",
    fields=[*INSTITUTION_2006.fields[:5], *QUALIFICATION_FIELDS, *INSTITUTION_2006.fields[5:]],
    rules=[
        *INSTITUTION_2006.rules,
        NotGreater("q_passed", "q_trained"),
        NotGreater("q_failed", "q_trained"),
        ChangedFromPrefill(tuple(f.name for f in QUALIFICATION_FIELDS), source="培训与证书记录"),
    ],
    rates=INSTITUTION_2006.rates,
    prefill_hook=_prefill_from_register,
    hooks=INSTITUTION_2006.hooks,
    detail_panel=INSTITUTION_2006.detail_panel,
    copy_previous=True,
)

INSTITUTION = INSTITUTION_2026  # the newest version
