"""Demo figures for the reconsideration and litigation forms, 2006 H1 to the last complete half.

The city's yearly totals are calibrated (app/demo/calibration.py) and split over the units that
file in the half by their weight (app/demo/model.py): before 2022-07 the root office (for the city
government), the districts and the bureaus decide cases; from 2022-07-01 only the city and the
districts do (the bureaus' FormAssignment ends); from 2024-01-01 the revised law's receipts jump.
Each unit's carried-over figure is its previous half's pending, plus the pending cases of the units
it succeeded when they closed; a unit that stops filing without a successor concludes its stock.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from ..extensions import db
from ..filing.periods import Period
from ..filing.timeliness import assignments, expected_on
from ..forms import get_form
from ..forms.litigation import APPEAL_FIELDS, FIRST_FIELDS, LOST, RETRIAL_FIELDS, TYPE_FIELDS, TYPE_FIELDS_2024
from ..forms.litigation import OUTCOME_FIELDS as LIT_OUTCOME_NAMES
from ..forms.reconsideration import (
    BAND_FIELDS,
    MATTER_FIELDS,
    MATTER_FIELDS_2024,
    OUTCOME_FIELDS,
    OUTCOME_FIELDS_2024,
    PROCEDURE_FIELDS,
    REJECT_FIELDS,
    RESPONDENT_FIELDS,
)
from ..models.unit import Unit
from .calibration import LIT_OUTCOMES, MATTERS_2015, MATTERS_2024, OUTCOMES_2015, OUTCOMES_2024
from .filings import load_form_demo
from .model import (
    LITIGATION_SHARES,
    City,
    accept_ratio,
    apportion,
    city_received,
    conclude_fraction,
    group_of,
    group_shares,
    half_factor,
    litigation_new,
    lognormal,
    outlier_factor,
)

FIRST = Period(2006, "half", 1)
split = apportion  # the one way figures are split into parts


def _names(pairs):
    return [n for n, _ in pairs]


def reconsideration_values(new: int, carried: int, period: Period, rng: random.Random,
                           final: bool = False) -> dict[str, int]:
    """One half-year's consistent figures for `new` applications received and `carried` over;
    `final`: the unit stops deciding cases after this half and concludes its whole stock."""
    year = period.year
    accepted = min(new, round(new * accept_ratio(year) * rng.uniform(0.95, 1.05)))
    rejected = round((new - accepted) * rng.uniform(0.5, 0.85))
    v = {"carried_over": carried, "new_applications": new, "accepted": accepted, "rejected": rejected,
         "other_handled": new - accepted - rejected, "applicants": round(new * rng.uniform(1.0, 1.3))}
    v.update(zip(_names(REJECT_FIELDS), split(rejected, [3, 2, 3, 3, 1, 1, 4, 1], rng), strict=True))
    v.update(zip(_names(MATTER_FIELDS), split(accepted, MATTERS_2015, rng, 0.2), strict=True))
    active = carried + accepted
    concluded = active if final else min(round(active * conclude_fraction(year) * rng.uniform(0.93, 1.07)), active)
    v["concluded"] = concluded
    v.update(zip(_names(OUTCOME_FIELDS), split(concluded, OUTCOMES_2015, rng, 0.2), strict=True))
    v["pending"] = active - concluded
    v["incidental_reviews"] = round(accepted * rng.uniform(0, 0.03))
    v["compensation_cases"] = round(accepted * rng.uniform(0, 0.02))
    v["compensation_amount"] = v["compensation_cases"] * rng.randint(2000, 50000) * 100
    v["opinions_issued"] = round(concluded * rng.uniform(0, 0.03))
    v["opinions_implemented"] = round(v["opinions_issued"] * rng.uniform(0.6, 1.0))
    if get_form("reconsideration", period).version == "2024":
        _fill_2024(v, rng)
    return v


LEVEL_WEIGHTS = [15, 46, 10, 20, 6, 3]  # 2024: city government and its departments respond in ≈ 61.5%
DOMAIN_WEIGHTS = [20, 12, 14, 12, 10, 5, 7, 8, 5, 3, 4]


def _fill_2024(v: dict, rng: random.Random) -> None:
    """The 2024 version's figures, consistent with the 2015 ones already drawn in `v`."""
    accepted, concluded, new = v["accepted"], v["concluded"], v["new_applications"]
    v["pre_mediated"] = round(v["other_handled"] * rng.uniform(0.2, 0.6))
    v["applicants"] = max(v["applicants"], new)
    v["applicants_org"] = round(v["applicants"] * rng.uniform(0.1, 0.3))
    v["applicants_citizen"] = v["applicants"] - v["applicants_org"]
    v["joint_applications"] = min(round(new * rng.uniform(0, 0.05)), v["applicants"] - new)
    v.update(zip(_names(BAND_FIELDS), split(v["joint_applications"], [70, 20, 8, 2], rng), strict=True))
    for i, n in enumerate(split(accepted, LEVEL_WEIGHTS, rng)):
        names = [f.name for f in RESPONDENT_FIELDS[i * 11:(i + 1) * 11]]
        v.update(zip(names, split(n, DOMAIN_WEIGHTS, rng), strict=True))
    for name, _ in MATTER_FIELDS:
        v.pop(name)
    v.update(zip(_names(MATTER_FIELDS_2024), split(accepted, MATTERS_2024, rng, 0.2), strict=True))
    v["p_amended"] = round(new * rng.uniform(0.02, 0.1))
    active = v["carried_over"] + accepted
    v.update({n: round(active * rng.uniform(0, share)) for (n, _), share in
              zip(PROCEDURE_FIELDS, (0.3, 0.03, 0.02, 0.1, 0.03), strict=True)})
    for name, _ in OUTCOME_FIELDS:
        v.pop(name)
    v.update(zip(_names(OUTCOME_FIELDS_2024), split(concluded, OUTCOMES_2024, rng, 0.2), strict=True))
    v["suggestions_issued"] = round(concluded * rng.uniform(0, 0.01))
    v["suggestions_implemented"] = round(v["suggestions_issued"] * rng.uniform(0.5, 1.0))
    v["sued_after"] = round(concluded * rng.uniform(0.04, 0.076))


def litigation_values(new: int, carried: int, period: Period, rng: random.Random,
                      final: bool = False) -> dict[str, int]:
    """One half-year's suits: `new` new suits, `carried` pending from before."""
    first = round(new * 0.7)
    appeals = round(new * 0.27)
    v = {"carried_over": carried, "first_instance": first, "appeals": appeals,
         "retrials": new - first - appeals, "new_total": new}
    v["after_reconsideration"] = round(new * rng.uniform(0.3, 0.6))
    v["co_defendant"] = round(v["after_reconsideration"] * rng.uniform(0.3, 0.8))
    v.update(zip(_names(TYPE_FIELDS), split(new, MATTERS_2015, rng, 0.2), strict=True))
    active = carried + new
    concluded = active if final else min(round(active * rng.uniform(0.6, 0.72)), active)
    v["concluded"] = concluded
    v.update(zip(_names(LIT_OUTCOME_NAMES), split(concluded, LIT_OUTCOMES, rng, 0.2), strict=True))
    v["pending"] = active - concluded
    v["hearings_held"] = round(concluded * rng.uniform(0.5, 0.8))
    v["head_attended"] = round(v["hearings_held"] * rng.uniform(0.5, 0.95))
    assert set(LOST) <= set(v)
    if get_form("litigation", period).version == "2024":
        _litigation_2024(v, rng)
    return v


FIRST_WEIGHTS = [44, 18, 6, 1, 3, 0.5, 2, 0.5, 4, 12, 3, 6]  # 一审 loss ≈ 12%, 改变行为后撤诉 ≈ 4%
APPEAL_WEIGHTS, RETRIAL_WEIGHTS = [80, 6, 4, 6, 4], [70, 10, 10, 10]


def _litigation_2024(v: dict, rng: random.Random) -> None:
    """The 2024 version's figures (outcomes per instance, 司法建议, 正职/副职), from the shared ones."""
    new, concluded = v["new_total"], v["concluded"]
    for name, _ in (*LIT_OUTCOME_NAMES, *TYPE_FIELDS):
        v.pop(name)
    v.update(zip(_names(TYPE_FIELDS_2024), split(new, MATTERS_2024, rng, 0.2), strict=True))
    f1, appeal, retrial = split(concluded, [70, 27, 3], rng)
    v["f1_concluded"], v["a_concluded"], v["rt_concluded"] = f1, appeal, retrial
    v.update(zip(_names(FIRST_FIELDS), split(f1, FIRST_WEIGHTS, rng, 0.2), strict=True))
    v.update(zip(_names(APPEAL_FIELDS), split(appeal, APPEAL_WEIGHTS, rng), strict=True))
    v.update(zip(_names(RETRIAL_FIELDS), split(retrial, RETRIAL_WEIGHTS, rng), strict=True))
    v["a_lost"] = round(v["a_reversed"] * rng.uniform(0.3, 0.7))
    v["rt_lost"] = round(v["rt_reversed"] * rng.uniform(0.3, 0.7))
    v["head_notified"] = round(v["hearings_held"] * rng.uniform(0.6, 0.9))
    v["head_attended"] = min(v["head_attended"], v["head_notified"])
    v["head_principal"] = round(v["head_attended"] * rng.uniform(0.1, 0.4))
    v["head_deputy"] = v["head_attended"] - v["head_principal"]
    v["suggestions_received"] = round(concluded * rng.uniform(0, 0.03))
    v["suggestions_answered"] = round(v["suggestions_received"] * rng.uniform(0.6, 1.0))


class CaseModel:
    """Draws one form's figures unit by unit, period by period, keeping each unit's stock."""

    def __init__(self, form: str, city: City, rng: random.Random):
        self.form, self.city, self.rng = form, city, rng
        self.required = assignments(form)
        self.pending: dict[int, int] = {}
        self._weights: dict[str, tuple[dict[int, float], dict[str, float]]] = {}

    def _expected(self, unit, period: Period) -> bool:
        return expected_on(unit, self.required, period.end)

    def _period_weights(self, period: Period):
        """({unit id: weight}, {group: total weight}) of the units filing in `period`."""
        if period.key not in self._weights:
            own, total = {}, {}
            for u in self.city.units:
                if self._expected(u, period):
                    w = self.city.weight(u, period.end, "cases") if group_of(u) != "root" else 1.0
                    own[u.id] = w
                    total[group_of(u)] = total.get(group_of(u), 0) + w
            self._weights[period.key] = (own, total)
        return self._weights[period.key]

    def expected_new(self, unit, period: Period) -> float:
        """The unit's expected receipts in `period` (its share of the calibrated city total)."""
        own, total = self._period_weights(period)
        group = group_of(unit)
        if self.form == "reconsideration":
            year_total, shares = city_received(period.year), group_shares(period)
        else:
            year_total, shares = litigation_new(period.year), LITIGATION_SHARES
        share = shares.get(group, 0) * own.get(unit.id, 0) / total[group] if total.get(group) else 0
        return year_total * half_factor(period) * share

    def values(self, unit, period: Period) -> dict[str, int]:
        rng = self.rng
        new = round(self.expected_new(unit, period) * lognormal(rng, 0.12) * outlier_factor(self.form, unit, period))
        carried = self.pending.pop(unit.id, None)
        if carried is None:  # the 2006 launch: a stock of about half a half-year's cases; a new body: none
            carried = round(new * 0.5) if period == FIRST else 0
        for pred in self.city.predecessors.get(unit.id, ()):
            if not pred.active_on(period.end):
                carried += self.pending.pop(pred.id, 0)
        final = unit.successor_id is None and not self._expected(unit, period.next())
        make = reconsideration_values if self.form == "reconsideration" else litigation_values
        v = make(new, carried, period, rng, final)
        self.pending[unit.id] = v["pending"]
        return v


def load_case_demo(seed: int = 2015, audit: list | None = None) -> dict[str, int]:
    """Insert demo reconsideration and litigation filings; returns counts per form."""
    city = City(db.session.scalars(select(Unit).order_by(Unit.code)))
    out = {}
    for code in ("reconsideration", "litigation"):
        rng = random.Random(seed + len(code))
        model = CaseModel(code, city, rng)
        out[code] = load_form_demo(code, FIRST, model.values, rng, audit)
    db.session.commit()
    return out
