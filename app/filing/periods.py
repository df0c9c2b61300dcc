"""Reporting periods (quarter, half-year, year) and their default deadlines.

A period is identified by a key: '2024Q3', '2024H1', '2024'. Deadlines follow the 2006
notice: quarterly figures by the 15th of the first month of the next quarter; half-yearly
by 15 Jul / 15 Jan; yearly by 15 Jan of the next year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

QUARTER, HALF, YEAR = "quarter", "half", "year"
_PER_YEAR = {QUARTER: 4, HALF: 2, YEAR: 1}
_KEY = re.compile(r"([0-9]{4})(?:([QH])([1-4]))?", re.ASCII)
# Years a period may name: every date of it, the one before and the one after stays valid.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class PeriodError(ValueError):
    """A period key that does not name a period."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period. `index` is the quarter (1–4), the half (1–2) or 1 for a year."""

    year: int
    kind: str
    index: int = 1

    @classmethod
    def parse(cls, key: str) -> Period:
        """'2024Q3' → Period(2024, quarter, 3). Raises PeriodError."""
        m = _KEY.fullmatch(str(key).strip())
        if not m or not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
            raise PeriodError(f"无效的报告期：{str(key)[:20]}")
        year, letter, idx = int(m.group(1)), m.group(2), m.group(3)
        if letter is None:
            return cls(year, YEAR, 1)
        kind = QUARTER if letter == "Q" else HALF
        if int(idx) > _PER_YEAR[kind]:
            raise PeriodError(f"无效的报告期：{key}")
        return cls(year, kind, int(idx))

    @property
    def key(self) -> str:
        if self.kind == QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind == HALF:
            return f"{self.year}H{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == QUARTER:
            return f"{self.year}年第{self.index}季度"
        if self.kind == HALF:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年度"

    @property
    def months(self) -> int:
        return 12 // _PER_YEAR[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * self.months + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return self.next().start - dt.timedelta(days=1)

    @property
    def opens_on(self) -> dt.date:
        """The first day figures can be filed: the day after the period ends (a period is filed
        once it is over; the office may allow early drafts, app/filing/deadlines.py)."""
        return self.next().start

    def is_open(self, on: dt.date) -> bool:
        """Has the period ended by `on`, so that its figures can be filed?"""
        return on >= self.opens_on

    def next(self) -> Period:
        if self.index < _PER_YEAR[self.kind]:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def previous(self) -> Period:
        """环比 base: the period just before."""
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, _PER_YEAR[self.kind])

    def same_last_year(self) -> Period:
        """同比 base: the same period a year earlier."""
        return Period(self.year - 1, self.kind, self.index)

    def default_deadline(self) -> dt.date:
        """The 15th of the month after the period ends (Q4, H2, year: 15 Jan)."""
        return self.next().start.replace(day=15) if self.kind != YEAR else dt.date(self.year + 1, 1, 15)

    def __str__(self) -> str:
        return self.label


def periods_between(kind: str, first: Period, last: Period) -> list[Period]:
    """Every period of `kind` from `first` to `last`, inclusive."""
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p.next()
    return out


def period_of(kind: str, day: dt.date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == YEAR:
        return Period(day.year, YEAR, 1)
    months = 12 // _PER_YEAR[kind]
    return Period(day.year, kind, (day.month - 1) // months + 1)


def last_complete(kind: str, today: dt.date) -> Period:
    """The latest period of `kind` that has ended before `today`."""
    return period_of(kind, today).previous()


def first_of(kind: str, year: int) -> Period:
    return Period(year, kind, 1)
