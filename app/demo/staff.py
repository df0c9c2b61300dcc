"""Demo staff registers, courses, participation, certificates (some expiring within 90 days) and
yearly institution reports from 2006 with their frozen staff statistics.

Staff grow with caseload (`staffing`): a unit's reconsideration, litigation and legal-review posts
follow the cases it filed that year, so a district's office grows from a handful in 2006 to dozens
after the 2024 jump. Each active unit's register holds as many people in service as its latest
report's 实有人数 (plus some who left or retired). Load it after the case and penalty demos."""

from __future__ import annotations

import datetime as dt
import math
import random

from sqlalchemy import func, insert, select

from ..clock import today
from ..extensions import db
from ..filing.periods import Period, last_complete
from ..models.filing import Filing
from ..models.staff import Certificate, StaffMember, StaffSnapshot, TrainingCourse, TrainingRecord
from ..models.unit import Unit
from ..pii import protected_fields, seal_columns
from ..staff.citizen_id import check_digit
from ..staff.stats import staff_stats
from .filings import load_form_demo

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰辉鹏飞宇浩然思远晓东海燕子涵欣怡文博雨萱梓轩"
MAJORS = [("法学", True), ("法律", True), ("行政管理", False), ("汉语言文学", False), ("经济学", False),
          ("公共管理", False), ("计算机科学与技术", False)]
RANKS = ["一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员", "一级科员", "二级调研员", "四级调研员"]
POSTS = ["处长", "副处长", "科长", "副科长", "科员", "主任科员"]
COURSES = ["行政复议法专题培训", "行政诉讼应诉能力培训", "行政处罚法实务", "行政执法规范化培训", "法治政府建设专题研讨"]


def citizen_id(rng: random.Random, birth: dt.date, male: bool) -> str:
    """A valid 18-character ID for a Beijing resident born on `birth`."""
    seq = rng.randint(0, 49) * 2 + (1 if male else 0)
    first17 = f"1101{rng.randint(1, 17):02d}{birth:%Y%m%d}{rng.randint(0, 9)}{seq:02d}"
    return first17 + check_digit(first17)


def caseloads() -> dict[tuple[int, int], dict[str, int]]:
    """{(unit id, year): {"reconsideration": received, "litigation": new suits, "penalty": decisions}}
    from the filings loaded so far (one query per form)."""
    from ..models.values import value_model

    out: dict[tuple[int, int], dict[str, int]] = {}
    for form, column in (("reconsideration", "new_applications"), ("litigation", "new_total"),
                         ("penalty", "decisions_total")):
        values = value_model(form)
        rows = db.session.execute(
            select(Filing.unit_id, Filing.year, func.sum(getattr(values, column)))
            .join(values, (values.filing_id == Filing.id) & (values.revision == Filing.revision))
            .where(Filing.form_code == form).group_by(Filing.unit_id, Filing.year)).all()
        for unit_id, year, total in rows:
            out.setdefault((unit_id, year), {})[form] = int(total or 0)
    return out


def staffing(load: dict[str, int], year: int) -> dict[str, int]:
    """Posts a unit needs for a year's caseload: a reconsideration officer decides ≈ 60 cases a
    year (≈ 150 from 2024, with the simplified procedure), a litigation officer defends ≈ 80
    suits, a legal reviewer checks ≈ 15,000 penalty decisions; plus the head and a clerk."""
    per_case = 150 if year >= 2024 else 60
    rec = math.ceil(load.get("reconsideration", 0) / per_case)
    lit = math.ceil(load.get("litigation", 0) / 80)
    review = math.ceil(load.get("penalty", 0) / 15000)
    return {"reconsideration_staff": rec, "litigation_staff": lit, "headcount": rec + lit + review + 2}


def load_staff_demo(seed: int = 2006, audit: list | None = None) -> dict[str, int]:
    """Insert registers, courses, records, certificates and institution reports."""
    rng = random.Random(seed)
    now = today()
    citizen_field = next(f for f in protected_fields() if f.model is StaffMember)
    units = [u for u in db.session.scalars(select(Unit).order_by(Unit.code)) if u.active_on(now)]
    loads = caseloads()
    latest = last_complete("year", now).year
    people, used = [], set()
    for unit in units:
        in_service = staffing(loads.get((unit.id, latest), {}), latest)["headcount"]
        for i in range(in_service + rng.randint(0, 3)):
            male = rng.random() < 0.55
            birth = dt.date(rng.randint(1963, 1999), rng.randint(1, 12), rng.randint(1, 28))
            number = citizen_id(rng, birth, male)
            while number in used:
                number = citizen_id(rng, birth, male)
            used.add(number)
            major, law = rng.choice(MAJORS)
            status = "在职" if i < in_service else rng.choice(["调离", "退休"])
            people.append(dict(
                unit_id=unit.id, name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
                **seal_columns(citizen_field, number), sex="男" if male else "女", birth_date=birth, ethnicity="汉族",
                education=rng.choices(["博士", "硕士", "本科", "大专", "其他"], [3, 35, 55, 6, 1])[0],
                major=major, law_major=law, political_status=rng.choice(["中共党员", "中共党员", "群众", "民主党派"]),
                post=rng.choice(POSTS), rank=rng.choice(RANKS),
                start_date=dt.date(birth.year + rng.randint(22, 26), 7, 1),
                passed_legal_exam=law and rng.random() < 0.6, status=status,
                left_on=now - dt.timedelta(days=rng.randint(30, 900)) if status != "在职" else None))
    db.session.execute(insert(StaffMember), people)  # bulk: the sealed columns directly (app/pii)
    staff = list(db.session.scalars(select(StaffMember)))
    courses = []
    for year in range(2016, now.year + 1):
        for name in rng.sample(COURSES, 3):
            start = dt.date(year, rng.randint(3, 11), rng.randint(1, 20))
            if start > now:
                continue
            organiser = "市政府法制办" if year < 2019 else "市司法局"
            courses.append(TrainingCourse(name=f"{year}年{name}", organiser=organiser, start_date=start,
                                          end_date=start + dt.timedelta(days=rng.randint(0, 4)),
                                          hours=rng.choice([8, 12, 16, 24, 32])))
    db.session.add_all(courses)
    db.session.flush()
    records = [dict(course_id=c.id, staff_id=s.id, result=rng.choices(["优秀", "合格", "不合格"], [20, 75, 5])[0])
               for c in courses for s in rng.sample(staff, min(len(staff), 60))]
    db.session.execute(insert(TrainingRecord), records)
    certs, numbers = [], 0
    for s in staff:
        for cert_type, chance in (("行政执法证", 0.85), ("行政复议人员资格证", 0.3), ("法律职业资格证", 0.25)):
            if rng.random() > chance or (cert_type == "法律职业资格证" and not s.passed_legal_exam):
                continue
            numbers += 1
            issued = dt.date(rng.randint(2012, 2025), rng.randint(1, 12), rng.randint(1, 28))
            valid = None if cert_type == "法律职业资格证" else issued + dt.timedelta(days=365 * 6)
            if rng.random() < 0.08:  # some expire soon, so the 90-day list has entries
                valid = now + dt.timedelta(days=rng.randint(1, 89))
            status = "有效" if valid is None or valid >= now else "过期"
            certs.append(dict(staff_id=s.id, cert_type=cert_type, number=f"BJ{issued.year}{numbers:06d}",
                              issuer="北京市人民政府" if cert_type != "法律职业资格证" else "司法部",
                              issue_date=issued, valid_until=valid, status=status))
    db.session.execute(insert(Certificate), certs)
    db.session.flush()
    reports = _institution_reports(rng, audit)
    db.session.commit()
    return {"staff": len(people), "courses": len(courses), "certificates": len(certs), "institution": reports}


def _institution_reports(rng: random.Random, audit: list | None = None) -> int:
    from ..forms import get_form
    from ..staff.stats import qualification_work

    loads = caseloads()
    setup: dict[int, str] = {}

    def make(unit, period):
        posts = staffing(loads.get((unit.id, period.year), {}), period.year)
        collects = get_form("institution", period).has_field("q_trained")
        extra = qualification_work(unit.id, period.year) if collects else {}
        form = setup.setdefault(unit.id, rng.choice(["standalone", "standalone", "merged", "nameplate"]))
        return extra | posts | dict(
            setup_form=form, authorised_posts=posts["headcount"] + rng.randint(0, 3),
            head_name=rng.choice(SURNAMES) + rng.choice(GIVEN), phone=f"010-{rng.randint(60000000, 89999999)}",
            address=f"北京市{unit.short_name}办公楼")

    n = load_form_demo("institution", Period(2006, "year", 1), make, rng, audit)
    # Freeze the statistics of every signed-off report, as the engine does on sign-off.
    current = {}
    signed = db.session.execute(select(Filing.id, Filing.unit_id, Filing.year).where(
        Filing.form_code == "institution", Filing.state.in_(["submitted", "accepted"]))).all()
    rows = []
    for fid, unit_id, year in signed:
        if unit_id not in current:
            current[unit_id] = staff_stats({unit_id}, today(), year)
        rows.append(dict(filing_id=fid, data={**current[unit_id], "year": year}))
    if rows:
        db.session.execute(insert(StaffSnapshot), rows)
    return n
