"""Legal time limits of the case registers — the one place they are computed.

Rules (../shared/domain/README.md, "Legal time limits"; 行政复议法 2023, 行政诉讼法):

- 行政复议法 art. 30: decide whether to accept within 5 days of receipt;
- art. 31: 补正 — the applicant has 10 days from the notice; the 5 days run again from the
  material's arrival;
- art. 88: the law's "3, 5, 7 and 10 days" are working days (不含法定休假日) — so the two limits
  above count working days; the 60/30 days to decide and the extension are calendar days;
- art. 62: decide within 60 days of acceptance (简易程序: 30 days); extendable once, by at most
  30 days, with the office head's approval;
- art. 39: a suspension (中止) does not count; the time runs on from the resumption;
- 行政诉讼法 art. 67: the defendant answers (答辩) within 15 days of receiving the complaint;
- art. 85: an appeal lies within 15 days of service of a judgement, 10 days of a ruling.

Days are counted from the day after the event. A calendar-day limit ending on a weekend or a
public holiday moves to the next working day; a working-day limit counts working days only. A
weekend day the State Council made a working day (调休) counts as one. The holiday calendar is
data an administrator keeps (``Holiday``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models.cases import Holiday

ACCEPT_DAYS = 5
AMEND_DAYS = 10
DECIDE_DAYS = {"普通程序": 60, "简易程序": 30}
MAX_EXTENSION = 30
ANSWER_DAYS = 15
APPEAL_DAYS = {"判决": 15, "裁定": 10}
SOON_DAYS = 7  # the home page's "due within 7 days"


@dataclass(frozen=True)
class Deadline:
    """A case's current limit: the day it ends (None while suspended or closed) and the rule."""

    due: dt.date | None
    rule: str
    paused_days_left: int | None = None  # while suspended: the days that remain after resumption

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due is None else (self.due - today).days

    def status(self, today: dt.date) -> str:
        """'overdue', 'soon' (within SOON_DAYS), 'running', 'paused' or 'closed'."""
        if self.due is None:
            return "paused" if self.paused_days_left is not None else "closed"
        left = (self.due - today).days
        return "overdue" if left < 0 else "soon" if left <= SOON_DAYS else "running"


class Calendar:
    """Working days: weekends and the administrator's holidays off, 调休 days on."""

    def __init__(self, holidays: dict[dt.date, bool]):
        self.holidays = holidays  # day → True when a 调休 working day, False when a holiday

    @classmethod
    def load(cls) -> Calendar:
        return cls(dict(db.session.execute(select(Holiday.day, Holiday.workday)).all()))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return self.holidays[day]
        return day.weekday() < 5

    def roll(self, day: dt.date) -> dt.date:
        """`day`, or the next working day when it is not one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def limit(self, start: dt.date, days: int) -> dt.date:
        """The last day of a limit of `days` calendar days counted from the day after `start`."""
        return self.roll(start + dt.timedelta(days=days))

    def working_limit(self, start: dt.date, days: int) -> dt.date:
        """The last day of a limit of `days` working days counted from the day after `start`."""
        day = start
        while days > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day


def recon_deadline(case, calendar: Calendar | None = None) -> Deadline:
    """The current limit of a reconsideration case, from the facts recorded so far."""
    cal = calendar or Calendar.load()
    if case.decided_on or case.intake in ("rejected", "other"):
        return Deadline(None, "已办结")
    if case.intake != "accepted":
        if case.amend_requested and not case.amend_received:
            return Deadline(cal.working_limit(case.amend_requested, AMEND_DAYS),
                            "补正：申请人自收到补正通知之日起10个工作日内提交（行政复议法第31、88条）")
        if case.amend_received:
            return Deadline(cal.working_limit(case.amend_received, ACCEPT_DAYS),
                            "补正材料收到后5个工作日内决定是否受理（行政复议法第30、31、88条）")
        return Deadline(cal.working_limit(case.receipt_date, ACCEPT_DAYS),
                        "收到申请后5个工作日内审查决定是否受理（行政复议法第30、88条）")
    base = DECIDE_DAYS.get(case.procedure, 60)
    rule = (f"自受理之日起{base}日内作出决定（行政复议法第62条"
            + ("，简易程序" if case.procedure == "简易程序" else "") + "）")
    days = base
    if case.extension_days:
        days += case.extension_days
        rule += f"；经批准延期{case.extension_days}日"
    if case.suspended_on and not case.resumed_on:
        used = (case.suspended_on - case.intake_date).days
        return Deadline(None, rule + f"；自{case.suspended_on}起中止，期间不计入（第39条）",
                        paused_days_left=max(days - used, 0))
    if case.suspended_on and case.resumed_on:
        paused = (case.resumed_on - case.suspended_on).days
        days += paused
        rule += f"；中止{paused}日不计入（第39条）"
    return Deadline(cal.limit(case.intake_date, days), rule)


def answer_deadline(suit, calendar: Calendar | None = None) -> Deadline:
    """答辩: 15 days from receiving the complaint (行政诉讼法第67条), until answered."""
    if suit.answered_on:
        return Deadline(None, "已答辩")
    cal = calendar or Calendar.load()
    return Deadline(cal.limit(suit.complaint_received, ANSWER_DAYS),
                    "收到起诉状副本之日起15日内提交答辩状和证据（行政诉讼法第67条）")


def appeal_deadline(suit, calendar: Calendar | None = None) -> Deadline:
    """Appeal: 15 days from service of a judgement, 10 of a ruling (行政诉讼法第85条); first
    instance only, once served."""
    if suit.instance != "一审" or not suit.served_on or not suit.judgement_kind:
        return Deadline(None, "无上诉期限")
    cal = calendar or Calendar.load()
    days = APPEAL_DAYS[suit.judgement_kind]
    return Deadline(cal.limit(suit.served_on, days),
                    f"{suit.judgement_kind}书送达之日起{days}日内可提起上诉（行政诉讼法第85条）")


def litigation_deadline(suit, calendar: Calendar | None = None) -> Deadline:
    """The litigation case's current limit: the answer while due, then the appeal."""
    cal = calendar or Calendar.load()
    first = answer_deadline(suit, cal)
    return first if first.due is not None else appeal_deadline(suit, cal)
