"""Demo case registers: the city office's and 东城区's reconsideration cases, and suits against
东城区, written through the registers' own write paths (app.cases.recon / litigation).

About 1,950 cases received over the last 18 months, in every state: refused, accepted and
decided, extended, suspended (and resumed), some open and due within days, some overdue; one 文号
challenged by a dozen applicants, one applicant with many cases, a group application of 36; a
few decided cases sued afterwards (one appealed). 东城区 keeps its register in the portal from
2026 (its reconsideration form is prefilled from the cases). The holiday calendar holds the
public holidays of the current and next year as an illustration: the administrator replaces it
with the State Council's notice.

One call from the demo loader: ``load_registers_demo()``.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from ..cases import fields as F
from ..cases.litigation import create_litigation_case, update_litigation_case
from ..cases.recon import create_recon_case
from ..clock import today
from ..extensions import db
from ..models import PortalUser
from ..models.cases import Holiday, ReconCase
from ..models.filing import FormAssignment
from ..staff.citizen_id import check_digit
from ..unit_list import unit_by_code

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国志海燕红梅东晓"
RESPONDENTS = [  # (name, unit code or None, 层级, 领域)
    ("东城区市场监督管理局", None, "dd", "mk"), ("东城区城市管理委员会", None, "dd", "um"),
    ("东城区住房和城乡建设委员会", None, "dd", "hc"), ("东城区人力资源和社会保障局", None, "dd", "hr"),
    ("北京市公安局东城分局", None, "dd", "ps"), ("东城区人民政府", "0100", "dg", "ot"),
    ("东城区东华门街道办事处", None, "tw", "um"), ("北京市公安局", "2300", "cd", "ps"),
    ("北京市规划和自然资源委员会", None, "cd", "nr"), ("北京市生态环境局", None, "cd", "ev"),
]
OUTCOME_WEIGHTS = {"o_dismissed": 22, "o_upheld": 38, "o_unlawful": 4, "o_void": 1, "o_revoked": 5, "o_varied": 1,
                   "o_ordered": 2, "o_mediated": 9, "o_settled": 8, "o_withdrawn_corrected": 4, "o_terminated": 5,
                   "o_other": 1}
HOLIDAYS = {  # illustrative: month-day spans per name (the administrator enters the real calendar)
    "元旦": [(1, 1)], "劳动节": [(5, d) for d in range(1, 6)], "国庆节": [(10, d) for d in range(1, 8)],
}


def _id(rnd: random.Random) -> str:
    birth = dt.date(1955, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 45))
    first = f"1101{rnd.randrange(1, 20):02d}{birth:%Y%m%d}{rnd.randrange(1000):03d}"
    return first + check_digit(first)


def _person(rnd: random.Random) -> dict:
    name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.6 else "")
    return {"kind": "公民", "name": name, "id_number": _id(rnd), "phone": f"13{rnd.randrange(10**9):09d}"}


def _case(rnd: random.Random, receipt: dt.date, on: dt.date) -> dict:
    """One application received on `receipt`, taken as far as `on` allows."""
    name, code, level, domain = rnd.choice(RESPONDENTS)
    matters = list(F.matters(receipt))
    data = {"receipt_date": receipt, "receipt_channel": rnd.choice(["当面", "邮寄", "网上"]),
            "respondent_name": name, "respondent_unit": code or "", "respondent_level": level, "domain": domain,
            "matter": rnd.choice(matters), "act_name": "行政处理决定书",
            "act_number": f"京{name[:2]}决〔{receipt.year}〕{rnd.randrange(1, 9999)}号",
            "act_date": receipt - dt.timedelta(days=rnd.randrange(5, 50)),
            "applicants": [_person(rnd)] if rnd.random() < 0.8 else
            [{"kind": "法人或其他组织", "name": f"北京{rnd.choice(SURNAMES)}{rnd.choice(GIVEN)}科技有限公司"}]}
    ready = receipt
    if rnd.random() < 0.12 and receipt + dt.timedelta(days=8) <= on:
        data["amend_requested"] = receipt + dt.timedelta(days=2)
        ready = receipt + dt.timedelta(days=rnd.randrange(4, 9))
        data["amend_received"] = ready
    if ready + dt.timedelta(days=5) > on or rnd.random() < 0.01:
        return data  # intake not yet decided
    roll = rnd.random()
    if roll < 0.12:
        reasons = list(F.refusal_reasons(receipt))
        data.update(intake="不予受理", intake_date=ready + dt.timedelta(days=4), refusal_reason=rnd.choice(reasons))
        return data
    if roll < 0.17:
        data.update(intake="告知及其他处理", intake_date=ready + dt.timedelta(days=3))
        return data
    accepted = ready + dt.timedelta(days=rnd.randrange(0, 5))
    simple = rnd.random() < 0.3
    data.update(intake="受理", intake_date=accepted, procedure="简易程序" if simple else "普通程序",
                hearing=rnd.random() < 0.06, committee=rnd.random() < 0.03)
    span = 30 if simple else 60
    if not simple and rnd.random() < 0.15 and accepted + dt.timedelta(days=50) <= on:
        days = rnd.randrange(10, 31)
        data.update(extension_days=days, extension_reason="案情重大复杂", extension_approver="复议机构负责人")
        span += days
    if rnd.random() < 0.05 and accepted + dt.timedelta(days=15) <= on:
        data["suspended_on"] = accepted + dt.timedelta(days=15)
        resumed = data["suspended_on"] + dt.timedelta(days=rnd.randrange(10, 40))
        if resumed > on:
            return data  # still suspended
        data["resumed_on"] = resumed
        span += (resumed - data["suspended_on"]).days
    decided = accepted + dt.timedelta(days=rnd.randrange(15, span + 1))
    if data.get("resumed_on"):
        decided = max(decided, data["resumed_on"])
    if decided <= on and rnd.random() < 0.97:  # a few run past their limit: overdue
        outcomes = F.outcomes(receipt)
        keys = [k for k in OUTCOME_WEIGHTS if k in outcomes]
        data.update(decided_on=decided, outcome=rnd.choices(keys, [OUTCOME_WEIGHTS[k] for k in keys])[0],
                    opinion_issued=rnd.random() < 0.03, suggestion_issued=rnd.random() < 0.01)
    return data


def _holidays(on: dt.date) -> None:
    for year in (on.year, on.year + 1):
        for name, days in HOLIDAYS.items():
            for month, day in days:
                when = dt.date(year, month, day)
                if db.session.scalar(select(Holiday.id).where(Holiday.day == when)) is None:
                    db.session.add(Holiday(day=when, name=f"{name}（示例）"))
    db.session.flush()


def load_registers_demo(seed: int = 17) -> dict[str, int]:
    """Write the demo registers; {"recon_cases": n, "litigation_cases": m}."""
    rnd = random.Random(seed)
    on = today()
    _holidays(on)
    keepers = {code: db.session.scalar(select(PortalUser).where(PortalUser.username == name))
               for code, name in (("7900", "reviewer"), ("0100", "dongcheng_filler"))}
    if any(u is None for u in keepers.values()):
        return {"recon_cases": 0, "litigation_cases": 0}
    start = on - dt.timedelta(days=540)
    made = []
    for code, share in (("7900", 1300), ("0100", 600)):
        for _ in range(share):
            receipt = start + dt.timedelta(days=rnd.randrange((on - start).days + 1))
            made.append((receipt, code, _case(rnd, receipt, on)))
    # one act, a dozen applicants (after a mass enforcement notice)
    act_day = on - dt.timedelta(days=40)
    for i in range(12):
        data = _case(rnd, act_day + dt.timedelta(days=i % 4), on)
        data.update(respondent_name="东城区城市管理委员会", respondent_unit="", respondent_level="dd", domain="um",
                    act_name="限期拆除决定书", applicants=[_person(rnd)],
                    # the same 文号 as typed by different clerks
                    act_number=f"东城管拆〔{act_day.year}〕8号" if i % 2 else f"东城管拆[{act_day.year}] 8号")
        made.append((act_day, "7900", data))
    # one applicant, many cases (信息公开 requests)
    frequent = _person(rnd)
    for i in range(9):
        receipt = on - dt.timedelta(days=20 * i + 10)
        data = _case(rnd, receipt, on)
        data.update(applicants=[dict(frequent)], matter="m_information",
                    act_number=f"东信公〔{receipt.year}〕{100 + i}号")
        made.append((receipt, "0100", data))
    # a group application of 36 people, through two representatives
    group_day = on - dt.timedelta(days=25)
    group = _case(rnd, group_day, on)
    group.update(group_size=36, applicants=[_person(rnd), _person(rnd)], respondent_name="东城区住房和城乡建设委员会",
                 respondent_unit="", respondent_level="dd", domain="hc", act_name="房屋征收决定",
                 act_number=f"东房征〔{group_day.year}〕3号", matter=list(F.matters(group_day))[-1])
    made.append((group_day, "0100", group))
    made.sort(key=lambda item: item[0])  # numbered in the order received
    keeper_ids = {code: u.id for code, u in keepers.items()}
    city, dongcheng = unit_by_code("7900").id, unit_by_code("0100").id
    sued_ids, count = [], 0
    for i, (_receipt, code, data) in enumerate(made):
        case = create_recon_case({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()},
                                 keepers[code])
        count += 1
        if case.decided_on and case.unit_id == city and case.respondent_unit_id == dongcheng:
            db.session.flush()
            sued_ids.append(case.id)
        if i % 200 == 199:  # a session of thousands of cases makes every flush slow: commit in batches
            db.session.commit()
            db.session.expunge_all()
            keepers = {c: db.session.get(PortalUser, uid) for c, uid in keeper_ids.items()}
    db.session.flush()
    sued = [db.session.get(ReconCase, cid) for cid in sued_ids]
    suits = _suits(rnd, sued, keepers["0100"], on)
    db.session.add(FormAssignment(unit_id=unit_by_code("0100").id, form_code="reconsideration", required=True,
                                  valid_from=dt.date(on.year, 1, 1), from_register=True))
    db.session.commit()
    return {"recon_cases": count, "litigation_cases": suits}


def _suits(rnd: random.Random, sued: list, keeper, on: dt.date) -> int:
    """Suits against 东城区 after the city office's decisions (5 % of them; the first appealed)."""
    n = 0
    for case in sued[: max(len(sued) // 20, 1)]:
        received = case.decided_on + dt.timedelta(days=rnd.randrange(10, 40))
        if received > on:
            continue
        n += 1
        suit = create_litigation_case({
            "court_case_no": f"（{received.year}）京0101行初{100 + n}号", "court": "北京市东城区人民法院",
            "instance": "一审", "plaintiffs": case.applicants[0].name, "act_name": case.act_name,
            "act_number": case.act_number, "recon_case": case.id, "co_defendant": True,
            "complaint_received": received}, keeper)
        db.session.flush()
        judged = received + dt.timedelta(days=rnd.randrange(40, 120))
        if judged + dt.timedelta(days=3) <= on:
            update_litigation_case(suit.id, {
                "answered_on": received + dt.timedelta(days=10), "hearing_date": judged - dt.timedelta(days=14),
                "head_attended": rnd.random() < 0.6, "head_name": "王区长", "head_rank": rnd.choice(["正职", "副职"]),
                "judgement_kind": "判决", "judgement_date": judged, "served_on": judged + dt.timedelta(days=3),
                "outcome": rnd.choice(["驳回诉讼请求", "驳回诉讼请求", "撤销", "原告撤诉"])}, suit.version, keeper)
            db.session.flush()
            appeal_day = judged + dt.timedelta(days=12)
            if n == 1 and appeal_day <= on:
                create_litigation_case({
                    "court_case_no": f"（{appeal_day.year}）京02行终{n}号", "court": "北京市第二中级人民法院",
                    "instance": "二审", "previous": suit.id, "plaintiffs": case.applicants[0].name,
                    "complaint_received": appeal_day}, keeper)
                n += 1
    return n
