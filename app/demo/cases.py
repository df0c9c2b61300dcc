"""Demo figures for the reconsideration and litigation forms, 2019 H1 to the last complete half.

Magnitudes: Beijing 2019 ≈ 9,300 reconsideration cases accepted a year, ≈ 14% corrected;
after the 2023 centralisation the district governments take most cases (2024: 84,654).
Litigation loss rate ≈ 12%. Each unit's carried-over figure is its previous half's pending.
"""

from __future__ import annotations

import random

from ..extensions import db
from ..filing.periods import Period
from ..forms import get_form
from ..forms.litigation import APPEAL_FIELDS, FIRST_FIELDS, LOST, RETRIAL_FIELDS, TYPE_FIELDS, TYPE_FIELDS_2024
from ..forms.litigation import OUTCOME_FIELDS as LIT_OUTCOMES
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
from .filings import load_form_demo

FIRST = Period(2019, "half", 1)
MATTER_WEIGHTS = [35, 8, 4, 9, 3, 4, 14, 12, 8, 3]
OUTCOME_WEIGHTS = [25, 37, 3, 5, 1, 2, 5, 8, 12, 2]  # ≈ 62% upheld/dismissed, ≈ 11% corrected
LIT_OUTCOME_WEIGHTS = [45, 18, 6, 1, 3, 0.5, 2, 0.5, 16, 3, 5]


def split(total: int, weights, rng: random.Random) -> list[int]:
    """Split `total` into parts roughly proportional to `weights` that sum exactly to it."""
    parts = [int(total * w / sum(weights) * rng.uniform(0.6, 1.4)) for w in weights]
    while sum(parts) > total:
        i = max(range(len(parts)), key=lambda k: parts[k])
        parts[i] -= sum(parts) - total if parts[i] >= sum(parts) - total else parts[i]
    parts[max(range(len(weights)), key=lambda k: weights[k])] += total - sum(parts)
    return parts


def _scale(unit, period: Period, rng: random.Random, base: dict) -> int:
    b = base.setdefault(unit.id, (300 if unit.code == "2300" else
                                  rng.randint(20, 80) if unit.kind in ("district", "county") else
                                  rng.randint(2, 30)))
    if period.year >= 2023:  # centralised in the district governments
        b = b * 5 if unit.kind in ("district", "county") else max(b // 4, 1)
    return max(int(b * rng.uniform(0.75, 1.25)), 0)


def reconsideration_values(unit, period, rng, carried: dict, base: dict) -> dict[str, int]:
    new = _scale(unit, period, rng, base)
    accepted = int(new * rng.uniform(0.75, 0.9))
    rejected = int((new - accepted) * rng.uniform(0.5, 0.9))
    v = {"carried_over": carried.get(unit.id, int(accepted * 0.3)), "new_applications": new,
         "accepted": accepted, "rejected": rejected, "other_handled": new - accepted - rejected,
         "applicants": int(new * rng.uniform(1.0, 1.3))}
    v.update(zip([n for n, _ in REJECT_FIELDS], split(rejected, [3, 2, 3, 3, 1, 1, 4, 1], rng), strict=True))
    v.update(zip([n for n, _ in MATTER_FIELDS], split(accepted, MATTER_WEIGHTS, rng), strict=True))
    concluded = min(int((v["carried_over"] + accepted) * rng.uniform(0.65, 0.85)), v["carried_over"] + accepted)
    v["concluded"] = concluded
    v.update(zip([n for n, _ in OUTCOME_FIELDS], split(concluded, OUTCOME_WEIGHTS, rng), strict=True))
    v["pending"] = v["carried_over"] + accepted - concluded
    carried[unit.id] = v["pending"]
    v["incidental_reviews"] = int(accepted * rng.uniform(0, 0.03))
    v["compensation_cases"] = int(accepted * rng.uniform(0, 0.02))
    v["compensation_amount"] = v["compensation_cases"] * rng.randint(2000, 50000) * 100
    v["opinions_issued"] = int(concluded * rng.uniform(0, 0.03))
    v["opinions_implemented"] = int(v["opinions_issued"] * rng.uniform(0.6, 1.0))
    if get_form("reconsideration", period).version == "2024":
        _fill_2024(unit, v, rng)
    return v


# 2024: 直接纠错 8.9%, 调解和解 32.5% (white paper); city government and departments respond in ≈ 60%.
OUTCOME_WEIGHTS_2024 = [20, 33, 2.5, 0.4, 4, 1, 1, 18, 12, 3, 4, 1.1]
LEVEL_WEIGHTS = [15, 46, 10, 20, 6, 3]
DOMAIN_WEIGHTS = [20, 12, 14, 12, 10, 5, 7, 8, 5, 3, 4]
MATTER_WEIGHTS_2024 = [30, 8, 3, 7, 2, 3, 2, 2, 3, 3, 4, 13, 12, 6, 2]


def _fill_2024(unit, v: dict, rng: random.Random) -> None:
    """The 2024 version's figures, consistent with the 2015 ones already drawn in `v`."""
    accepted, concluded, new = v["accepted"], v["concluded"], v["new_applications"]
    v["pre_mediated"] = int(v["other_handled"] * rng.uniform(0.2, 0.6))
    v["applicants"] = max(v["applicants"], new)
    v["applicants_org"] = int(v["applicants"] * rng.uniform(0.1, 0.3))
    v["applicants_citizen"] = v["applicants"] - v["applicants_org"]
    v["joint_applications"] = min(int(new * rng.uniform(0, 0.05)), v["applicants"] - new)
    v.update(zip([n for n, _ in BAND_FIELDS], split(v["joint_applications"], [70, 20, 8, 2], rng), strict=True))
    levels = split(accepted, LEVEL_WEIGHTS, rng)
    for i, n in enumerate(levels):
        names = [f.name for f in RESPONDENT_FIELDS[i * 11:(i + 1) * 11]]
        v.update(zip(names, split(n, DOMAIN_WEIGHTS, rng), strict=True))
    for name, _ in MATTER_FIELDS:
        v.pop(name)
    v.update(zip([n for n, _ in MATTER_FIELDS_2024], split(accepted, MATTER_WEIGHTS_2024, rng), strict=True))
    v["p_amended"] = int(new * rng.uniform(0.02, 0.1))
    active = v["carried_over"] + accepted
    v.update({n: int(active * rng.uniform(0, share)) for (n, _), share in
              zip(PROCEDURE_FIELDS, (0.3, 0.03, 0.02, 0.1, 0.03), strict=True)})
    for name, _ in OUTCOME_FIELDS:
        v.pop(name)
    v.update(zip([n for n, _ in OUTCOME_FIELDS_2024], split(concluded, OUTCOME_WEIGHTS_2024, rng), strict=True))
    v["suggestions_issued"] = int(concluded * rng.uniform(0, 0.01))
    v["suggestions_implemented"] = int(v["suggestions_issued"] * rng.uniform(0.5, 1.0))
    v["sued_after"] = int(concluded * rng.uniform(0.03, 0.07))


def litigation_values(unit, period, rng, carried: dict, base: dict) -> dict[str, int]:
    new = int(_scale(unit, period, rng, base) * 0.6)
    first = int(new * 0.7)
    appeals = int(new * 0.27)
    v = {"carried_over": carried.get(unit.id, int(new * 0.4)), "first_instance": first,
         "appeals": appeals, "retrials": new - first - appeals, "new_total": new}
    v["after_reconsideration"] = int(new * rng.uniform(0.3, 0.6))
    v["co_defendant"] = int(v["after_reconsideration"] * rng.uniform(0.3, 0.8))
    v.update(zip([n for n, _ in TYPE_FIELDS], split(new, MATTER_WEIGHTS, rng), strict=True))
    concluded = int((v["carried_over"] + new) * rng.uniform(0.55, 0.8))
    v["concluded"] = concluded
    v.update(zip([n for n, _ in LIT_OUTCOMES], split(concluded, LIT_OUTCOME_WEIGHTS, rng), strict=True))
    v["pending"] = v["carried_over"] + new - concluded
    carried[unit.id] = v["pending"]
    v["hearings_held"] = int(concluded * rng.uniform(0.5, 0.8))
    v["head_attended"] = int(v["hearings_held"] * rng.uniform(0.5, 0.95))
    assert set(LOST) <= set(v)
    if get_form("litigation", period).version == "2024":
        _litigation_2024(v, rng)
    return v


FIRST_WEIGHTS = [44, 18, 6, 1, 3, 0.5, 2, 0.5, 4, 12, 3, 6]  # 一审 loss ≈ 12%, 改变行为后撤诉 ≈ 4%
APPEAL_WEIGHTS, RETRIAL_WEIGHTS = [80, 6, 4, 6, 4], [70, 10, 10, 10]


def _litigation_2024(v: dict, rng: random.Random) -> None:
    """The 2024 version's figures (outcomes per instance, 司法建议, 正职/副职), from the shared ones."""
    new, concluded = v["new_total"], v["concluded"]
    for name, _ in (*LIT_OUTCOMES, *TYPE_FIELDS):
        v.pop(name)
    v.update(zip([n for n, _ in TYPE_FIELDS_2024], split(new, [*MATTER_WEIGHTS[:6], 3, 1, 2, 2, 2,
                                                               *MATTER_WEIGHTS[6:]], rng), strict=True))
    f1, appeal, retrial = split(concluded, [70, 27, 3], rng)
    v["f1_concluded"], v["a_concluded"], v["rt_concluded"] = f1, appeal, retrial
    v.update(zip([n for n, _ in FIRST_FIELDS], split(f1, FIRST_WEIGHTS, rng), strict=True))
    v.update(zip([n for n, _ in APPEAL_FIELDS], split(appeal, APPEAL_WEIGHTS, rng), strict=True))
    v.update(zip([n for n, _ in RETRIAL_FIELDS], split(retrial, RETRIAL_WEIGHTS, rng), strict=True))
    v["a_lost"] = int(v["a_reversed"] * rng.uniform(0.3, 0.7))
    v["rt_lost"] = int(v["rt_reversed"] * rng.uniform(0.3, 0.7))
    v["head_notified"] = int(v["hearings_held"] * rng.uniform(0.6, 0.9))
    v["head_attended"] = min(v["head_attended"], v["head_notified"])
    v["head_principal"] = int(v["head_attended"] * rng.uniform(0.1, 0.4))
    v["head_deputy"] = v["head_attended"] - v["head_principal"]
    v["suggestions_received"] = int(concluded * rng.uniform(0, 0.03))
    v["suggestions_answered"] = int(v["suggestions_received"] * rng.uniform(0.6, 1.0))


def load_case_demo(seed: int = 2015) -> dict[str, int]:
    """Insert demo reconsideration and litigation filings; returns counts per form."""
    out = {}
    for code, make in (("reconsideration", reconsideration_values), ("litigation", litigation_values)):
        rng = random.Random(seed + len(code))
        carried: dict[int, int] = {}
        base: dict[int, int] = {}
        out[code] = load_form_demo(
            code, FIRST, lambda u, p, m=make, r=rng, c=carried, b=base: m(u, p, r, c, b), rng)
    db.session.commit()
    return out
