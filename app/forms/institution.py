"""法制机构和人员情况 — the yearly institution report; headcount pre-filled from the register."""

from ..filing.periods import YEAR
from .base import CHOICE, TEXT, ChangedFromPrefill, Field, FormSpec, NotGreater, Rate

ORG, STAFF, CONTACT = "机构设置", "人员", "联系方式"
SETUP_FORMS = (("standalone", "独立设置"), ("merged", "合署办公"), ("nameplate", "加挂牌子"))


def _prefill_from_register(filing) -> dict:
    from ..staff.stats import active_headcount

    return {"headcount": active_headcount(filing.unit_id)}


def _freeze_staff_stats(filing) -> None:
    from ..staff.snapshots import freeze

    freeze(filing)


def _frozen_panel(filing) -> dict:
    from ..staff.snapshots import frozen

    return {"frozen": frozen(filing)}


INSTITUTION = FormSpec(
    code="institution",
    title="法制机构和人员情况统计表",
    menu_title="法制机构和人员",
    period_kind=YEAR,
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
)
