"""Periods, deadlines and money: properties over many values (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.filing.periods import HALF, QUARTER, YEAR, Period, PeriodError, last_complete, period_of
from app.money import MoneyError, fen_to_wan, format_yuan, parse_yuan

kinds = st.sampled_from([QUARTER, HALF, YEAR])
days = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2090, 12, 31))


@given(kinds, days)
def test_period_contains_its_day_and_round_trips(kind, day):
    p = period_of(kind, day)
    assert p.start <= day <= p.end
    assert Period.parse(p.key) == p
    assert p.next().previous() == p
    assert p.next().start == p.end + dt.timedelta(days=1)
    assert p.same_last_year().year == p.year - 1


@given(kinds, days)
def test_deadline_is_the_15th_after_the_end(kind, day):
    p = period_of(kind, day)
    d = p.default_deadline()
    assert d.day == 15 and d > p.end and (d - p.end).days <= 46
    assert last_complete(kind, day).end < day


def test_notice_deadlines():
    assert Period.parse("2006Q2").default_deadline() == dt.date(2006, 7, 15)
    assert Period.parse("2006Q4").default_deadline() == dt.date(2007, 1, 15)
    assert Period.parse("2006H1").default_deadline() == dt.date(2006, 7, 15)
    assert Period.parse("2006H2").default_deadline() == dt.date(2007, 1, 15)
    assert Period.parse("2006").default_deadline() == dt.date(2007, 1, 15)
    assert Period.parse("2024H1").label == "2024年上半年"
    assert Period.parse("2024H2").label == "2024年下半年"


@pytest.mark.parametrize("key", ["2024Q5", "2024H3", "24Q1", "", "2024q1", "abcd"])
def test_bad_period_keys(key):
    with pytest.raises(PeriodError):
        Period.parse(key)


@given(st.integers(min_value=0, max_value=10**14))
def test_money_round_trip(fen):
    assert parse_yuan(format_yuan(fen)) == fen
    assert fen_to_wan(fen) == (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"), "ROUND_HALF_UP")


@pytest.mark.parametrize("text", ["1.001", "abc", "NaN", "inf", "", "1e-3"])
def test_money_rejects(text):
    with pytest.raises(MoneyError):
        parse_yuan(text)
