"""The demo city's model: how much each unit files, from the 2006 launch to the current period.

Volumes come from a profile per unit (districts: population; bureaus: what they enforce) and
follow the unit history: a unit's weight is its own plus that of every unit it succeeded once
those have closed, so a merge keeps the city's volume (and a successor's line jumps on the day
it takes over). Reconsideration and litigation are split from calibrated city totals per year
(app/demo/calibration.py: published Beijing figures); penalty decisions grow from a per-unit
base. Every draw comes from a seeded random.Random: the same seed gives the same city.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from ..filing.periods import Period
from .calibration import ACCEPT_RATIO, CONCLUDE_FRACTION, LITIGATION_NEW, RECEIVED

# Resident population (万人, 2019 census estimates, rounded; districts before a merge: their own part).
POPULATION = {
    "0100": 48, "0200": 62, "0300": 31, "0400": 56, "0500": 347, "0600": 323, "0700": 202, "0800": 59,
    "0900": 34, "1000": 125, "1100": 167, "1200": 122, "1300": 188, "1400": 210, "1500": 46, "1600": 42,
    "1700": 50, "1701": 0, "1800": 35, "1801": 0,
}


@dataclass(frozen=True)
class Profile:
    """What a bureau does: penalty decisions a quarter (2019 level), the average fine (yuan),
    and its weight among the departments deciding reconsideration cases (before 2022-07) and
    being sued."""

    penalty: float
    fine: int = 2000
    cases: float = 0.5


PROFILES = {
    "1900": Profile(100, 20000, 2), "2000": Profile(20, 5000, 2), "2100": Profile(5, 5000, 0.3),
    "2200": Profile(3, 2000, 0.3), "2300": Profile(30000, 200, 40), "2400": Profile(0, 0, 1),
    "2500": Profile(30, 3000, 2), "2600": Profile(40, 5000, 1), "2700": Profile(30, 8000, 0.5),
    "2800": Profile(10, 3000, 2), "2900": Profile(300, 5000, 6), "3000": Profile(200, 40000, 8),
    "3100": Profile(200, 50000, 8), "3200": Profile(400, 30000, 8), "3300": Profile(200, 3000, 2),
    "3400": Profile(5000, 1000, 4), "3500": Profile(150, 10000, 1), "3600": Profile(20, 3000, 1),
    "3700": Profile(50, 10000, 0.5), "3800": Profile(300, 5000, 1), "3900": Profile(500, 3000, 3),
    "4000": Profile(50, 5000, 1), "4100": Profile(5, 20000, 0.3), "4200": Profile(0.3, 1000, 0.1),
    "4300": Profile(0, 0, 0.5), "4400": Profile(800, 2000, 2), "4500": Profile(3000, 15000, 6),
    "4600": Profile(800, 20000, 2), "4700": Profile(400, 60000, 2), "4800": Profile(5, 5000, 0.2),
    "4900": Profile(150, 3000, 0.5), "5000": Profile(30, 5000, 0.3), "5100": Profile(80, 5000, 0.5),
    "5200": Profile(20, 10000, 0.2), "5300": Profile(10, 3000, 0.2), "5400": Profile(60, 10000, 0.3),
    "5500": Profile(150, 5000, 0.5), "5600": Profile(600, 25000, 2), "5700": Profile(300, 30000, 1),
    "5800": Profile(100, 5000, 0.5), "5900": Profile(30, 5000, 0.3), "6000": Profile(12000, 800, 5),
    "6100": Profile(4000, 1000, 2), "6200": Profile(40, 30000, 0.5), "6300": Profile(0), "6400": Profile(0),
    "6500": Profile(0), "6600": Profile(200, 10000, 0.5), "6700": Profile(10, 10000, 0.3),
    "6800": Profile(0), "6900": Profile(0), "7000": Profile(0), "7100": Profile(0), "7150": Profile(0),
    "7200": Profile(0), "7300": Profile(0), "7350": Profile(0), "7380": Profile(0), "7400": Profile(0),
    "7450": Profile(600, 20000, 1), "7480": Profile(0), "7500": Profile(0), "7600": Profile(40, 5000, 0.3),
    "7650": Profile(0), "7700": Profile(1, 2000, 0.2), "7750": Profile(60, 20000, 1), "7800": Profile(2, 2000, 0.3),
    "7900": Profile(0), "0000": Profile(0),
}
DISTRICT_KINDS = ("district", "county")
ROOT_KINDS = ("city_office",)
DISTRICT_PENALTY_PER_10K = 120  # decisions a quarter per 万 residents, 2019 level
DISTRICT_FINE = 300  # yuan: most district decisions are small on-the-spot fines


def growth(year: int) -> float:
    """Penalty decisions relative to 2019: slow growth after the 2006 launch, a dip in 2020,
    more from the 2021 law's wider enforcement."""
    table = {2019: 1.0, 2020: 0.85, 2021: 1.05, 2022: 1.0, 2023: 1.15, 2024: 1.22, 2025: 1.26, 2026: 1.3}
    return table.get(year, 0.55 + 0.45 * (year - 2006) / 13 if year < 2019 else 1.3)


PENALTY_SEASON = (0.85, 1.05, 1.1, 1.0)  # Q1 Spring Festival, Q3 summer campaigns
HALF_SEASON = (0.47, 0.53)  # the second half receives more


def half_factor(period: Period) -> float:
    """Share of the year's reconsideration/litigation receipts falling in a half-year."""
    if period.year == 2020:
        return (0.40, 0.60)[period.index - 1]  # the first months of 2020: receipts fell
    return HALF_SEASON[period.index - 1]


def quarter_factor(period: Period) -> float:
    if (period.year, period.index) == (2020, 1):
        return 0.6
    if (period.year, period.index) == (2022, 2):
        return 0.8
    return PENALTY_SEASON[period.index - 1]


class City:
    """The units with their history, and each unit's weight on a day."""

    def __init__(self, units):
        self.units = list(units)
        self.by_id = {u.id: u for u in self.units}
        self.predecessors: dict[int, list] = {}
        for u in self.units:
            if u.successor_id is not None:
                self.predecessors.setdefault(u.successor_id, []).append(u)

    def _own(self, unit, what: str) -> float:
        if unit.kind in DISTRICT_KINDS:
            return POPULATION.get(unit.code, 30)
        p = PROFILES.get(unit.code, Profile(10, 3000, 0.3))
        return p.penalty if what == "penalty" else p.cases

    def weight(self, unit, day: dt.date, what: str) -> float:
        """The unit's own weight plus that of every unit it succeeded that has closed by `day`."""
        total = self._own(unit, what)
        for pred in self.predecessors.get(unit.id, ()):
            if pred.valid_to is not None and pred.valid_to <= day:
                total += self.weight(pred, day, what)
        return total

    def fine(self, unit) -> int:
        if unit.kind in DISTRICT_KINDS:
            return DISTRICT_FINE
        own = PROFILES.get(unit.code, Profile(10, 3000))
        if own.penalty or not self.predecessors.get(unit.id):
            return own.fine or 2000
        return max(self.fine(p) for p in self.predecessors[unit.id])  # a merged body keeps its habits


def group_shares(period: Period) -> dict[str, float]:
    """Who decides reconsideration cases: the root office (for the city government), districts,
    departments. From 2022-07-01 (concentration) the departments no longer decide any."""
    if period.start < dt.date(2022, 7, 1):
        return {"root": 0.18, "district": 0.44, "department": 0.38}
    if period.year < 2024:
        return {"root": 0.40, "district": 0.60, "department": 0.0}
    return {"root": 0.55, "district": 0.45, "department": 0.0}


LITIGATION_SHARES = {"root": 0.05, "district": 0.45, "department": 0.50}


def group_of(unit) -> str:
    if unit.kind in ROOT_KINDS:
        return "root"
    return "district" if unit.kind in DISTRICT_KINDS else "department"


def lognormal(rng: random.Random, sigma: float = 0.15) -> float:
    """A multiplicative noise with mean 1."""
    return math.exp(rng.gauss(-sigma * sigma / 2, sigma))


def apportion(total: int, weights, rng: random.Random, noise: float = 0.0) -> list[int]:
    """Split `total` into integer parts whose expected values are proportional to `weights`
    (optionally jittered) and that sum exactly to `total` (systematic rounding: every part is
    the floor or the ceiling of its share, so small units are not rounded to 0 every time)."""
    w = [max(x, 0) * (rng.uniform(1 - noise, 1 + noise) if noise else 1) for x in weights]
    s = sum(w)
    if total <= 0 or s <= 0:
        return [0] * len(w) if s > 0 or total <= 0 else [total] + [0] * (len(w) - 1)
    u, acc, parts, prev = rng.random(), 0.0, [], 0
    for x in w:
        acc += total * x / s
        cur = math.floor(acc + u)
        parts.append(cur - prev)
        prev = cur
    parts[-1] += total - sum(parts)
    return parts


def city_received(year: int) -> int:
    """The calibrated city total of reconsideration applications received in `year` (beyond the
    table: its last year's)."""
    return RECEIVED.get(year) or RECEIVED[max(RECEIVED)]


def accept_ratio(year: int) -> float:
    return ACCEPT_RATIO[2024] if year >= 2024 else ACCEPT_RATIO[2006]


def conclude_fraction(year: int) -> float:
    return CONCLUDE_FRACTION.get(year, CONCLUDE_FRACTION["default"])


def litigation_new(year: int) -> int:
    return LITIGATION_NEW.get(year) or LITIGATION_NEW[max(LITIGATION_NEW)]


# A few outliers, each with the explanation its unit filed: (form, unit code, period) → (factor, text).
OUTLIERS: dict[tuple[str, str, str], tuple[float, str]] = {
    ("penalty", "2300", "2008Q3"): (1.5, "北京奥运会、残奥会期间开展治安和交通秩序专项整治，处罚决定集中作出"),
    ("penalty", "1300", "2017Q4"): (2.2, "开展安全隐患大排查、大清理、大整治专项行动，处罚决定明显增加"),
    ("penalty", "7450", "2020Q1"): (2.5, "疫情防控期间开展哄抬物价、销售假劣防疫物资专项执法，处罚决定集中作出"),
    ("reconsideration", "0500", "2021H2"): (1.8, "同一征收项目引发批量行政复议申请（四百余件），已合并审理"),
}


def outlier_factor(form: str, unit, period: Period) -> float:
    found = OUTLIERS.get((form, unit.code, period.key))
    return found[0] if found else 1.0
