"""Periods in SQL: which filings fall in a range, and the period each one rolls up into.

A form is filed per *native* period (quarter, half-year or year: ``Filing.year`` and
``Filing.sub``). A report asks for periods of a *target* kind that is the same or coarser:
quarters roll up to half-years and years, half-years to years. The roll-up is a CASE on
``Filing.sub``, so the database does the grouping.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, literal, tuple_

from ..filing.periods import HALF, QUARTER, YEAR, Period, period_of
from ..models.filing import Filing

PER_YEAR = {QUARTER: 4, HALF: 2, YEAR: 1}
COARSENESS = {QUARTER: 0, HALF: 1, YEAR: 2}
KIND_LABELS = {QUARTER: _l("季度"), HALF: _l("半年"), YEAR: _l("年度")}


class RangeError(ValueError):
    """A period range a form cannot be reported over (message in Chinese)."""


def check_range(native: str, first: Period, last: Period) -> None:
    """Refuse ranges of mixed kinds, reversed ranges and kinds finer than the form's."""
    if first.kind != last.kind:
        raise RangeError(_("起止报告期的类型应相同"))
    if last < first:
        raise RangeError(_("截止报告期不能早于起始报告期"))
    if COARSENESS[first.kind] < COARSENESS[native]:
        raise RangeError(_("该报表按%(kind)s报送，不能按更短的报告期统计", kind=KIND_LABELS[native]))


def native_bounds(native: str, first: Period, last: Period) -> tuple[Period, Period]:
    """The first and last native periods inside [first, last]."""
    return period_of(native, first.start), period_of(native, last.end)


def ordinal(native: str):
    """year × periods-per-year + sub: consecutive native periods have consecutive ordinals."""
    return Filing.year * PER_YEAR[native] + Filing.sub


def range_clause(native: str):
    """Condition with bound parameters (y_lo, s_lo, y_hi, s_hi; see range_params): the filing's
    period lies within [first, last]. The year test comes first, for the index; the bounds are
    row comparisons, (year, sub) >= (y_lo, s_lo), not ordinals: PostgreSQL estimates a row
    comparison from the year's statistics, but knows nothing of an expression like
    year × 4 + sub and then picks a nested loop and a spilling hash aggregate (1.5× slower)."""
    return and_(
        Filing.year.between(bindparam("y_lo"), bindparam("y_hi")),
        tuple_(Filing.year, Filing.sub) >= tuple_(bindparam("y_lo"), bindparam("s_lo")),
        tuple_(Filing.year, Filing.sub) <= tuple_(bindparam("y_hi"), bindparam("s_hi")),
    )


def range_params(native: str, first: Period, last: Period) -> dict[str, int]:
    """The values of range_clause's parameters for [first, last]."""
    lo, hi = native_bounds(native, first, last)
    return {"y_lo": lo.year, "s_lo": lo.index, "y_hi": hi.year, "s_hi": hi.index}


def bucket_sub(native: str, target: str):
    """The target period's index (Filing.sub rolled up): sub itself, a CASE, or 1 for years."""
    if target == native:
        return Filing.sub
    if target == YEAR:
        return literal(1)
    ratio = PER_YEAR[native] // PER_YEAR[target]
    return case({s: (s - 1) // ratio + 1 for s in range(1, PER_YEAR[native] + 1)}, value=Filing.sub)


def periods_per_bucket(native: str, target: str) -> int:
    return PER_YEAR[native] // PER_YEAR[target]


def native_count(native: str, first: Period, last: Period) -> int:
    """How many native periods the range spans."""
    lo, hi = native_bounds(native, first, last)
    per = PER_YEAR[native]
    return (hi.year * per + hi.index) - (lo.year * per + lo.index) + 1
