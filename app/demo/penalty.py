"""Demo figures for the penalty form: every active unit, 2019 Q1 to the last complete quarter.

Magnitudes follow the domain notes: a bureau 10²–10⁴ decisions a quarter, fines the bulk.
Every row satisfies the form's rules; states are mixed like a real city's.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from ..clock import today
from ..extensions import db
from ..filing.periods import Period, last_complete
from ..forms import get_form
from ..forms.penalty import KIND_NAMES, allowed_kinds
from ..models.filing import CorrectionRequest, Filing, FilingTransition, FormAssignment
from ..models.unit import Unit
from .filings import load_form_demo

FIRST = Period(2019, "quarter", 1)
# Share of decisions by kind (fines ≈ 69%), the rest spread over the other kinds.
KIND_WEIGHTS = {"k_warning": 18, "k_criticism": 2, "k_fine": 69, "k_gains": 3, "k_property": 2,
                "k_suspend_licence": 1, "k_downgrade": 0.3, "k_revoke_licence": 0.7,
                "k_restrict_business": 0.3, "k_suspend_operations": 1, "k_closure": 0.4,
                "k_occupation_ban": 0.3, "k_detention": 1.5, "k_other": 0.5}
BIG = {"2300": 30000, "6000": 12000, "4500": 6000, "3400": 5000, "6100": 4000}


def unit_scale(unit: Unit, rng: random.Random) -> int:
    """Typical decisions per quarter for a unit."""
    if unit.code in BIG:
        return BIG[unit.code]
    if unit.kind in ("district", "county"):
        return rng.randint(800, 4000)
    return rng.choice([60, 150, 300, 600, 1200, 2500])


def penalty_values(scale: int, period: Period, rng: random.Random, unit=None) -> dict[str, int]:
    """One quarter's consistent figures around `scale` decisions; only kinds `unit` may impose."""
    season = (0.85, 1.05, 1.1, 1.0)[period.index - 1]
    growth = 1 + 0.04 * (period.year - 2019)
    total = max(int(scale * season * growth * rng.uniform(0.8, 1.2)), 1)
    v = {k: int(total * w / 100 * rng.uniform(0.7, 1.3)) for k, w in KIND_WEIGHTS.items()}
    if unit is not None:
        allowed = allowed_kinds(unit)
        v = {k: (n if k in allowed else 0) for k, n in v.items()}
    v["k_fine"] += total - sum(v.values())
    if v["k_fine"] < 0:
        v["k_warning"] += v["k_fine"]
        v["k_fine"] = 0
    total = sum(v[k] for k in KIND_NAMES)
    v["decisions_total"] = total
    v["proc_summary"] = int(total * rng.uniform(0.45, 0.75))
    v["proc_ordinary"] = total - v["proc_summary"]
    v["cases_opened"] = int(v["proc_ordinary"] * rng.uniform(1.0, 1.15))
    v["cases_closed"] = int(v["proc_ordinary"] * rng.uniform(0.95, 1.05))
    v["amount_fines"] = v["k_fine"] * rng.randint(200, 3000) * 100
    v["amount_gains"] = v["k_gains"] * rng.randint(1000, 20000) * 100
    v["amount_property"] = v["k_property"] * rng.randint(500, 5000) * 100
    v["hearings_notified"] = int(v["proc_ordinary"] * rng.uniform(0.02, 0.08))
    v["hearings_held"] = int(v["hearings_notified"] * rng.uniform(0.1, 0.5))
    v["legal_reviews"] = int(v["proc_ordinary"] * rng.uniform(0.9, 1.0))
    v["no_penalty"] = int(total * rng.uniform(0.005, 0.02))
    v["reduced_penalty"] = int(total * rng.uniform(0.01, 0.03))
    v["reconsidered"] = int(total * rng.uniform(0.002, 0.008))
    v["reconsidered_corrected"] = int(v["reconsidered"] * rng.uniform(0.0, 0.2))
    v["sued"] = int(total * rng.uniform(0.001, 0.004))
    v["sued_lost"] = int(v["sued"] * rng.uniform(0.0, 0.2))
    v["referred"] = int(total * rng.uniform(0.0005, 0.003))
    if get_form("penalty", period).has_field("mild_penalty"):  # the 2027 version's figures
        v["mild_penalty"] = int(total * rng.uniform(0.02, 0.06))
        v["enterprise_decisions"] = int(total * rng.uniform(0.2, 0.5))
        v["court_enforcement"] = int(v["proc_ordinary"] * rng.uniform(0.0, 0.02))
        v["collected_fines"] = int(v["amount_fines"] * rng.uniform(0.85, 1.0))
        v["collected_gains"] = int(v["amount_gains"] * rng.uniform(0.8, 1.0))
    return v


def load_penalty_demo(seed: int = 2006) -> int:
    """Insert the demo penalty filings; returns how many filings were made."""
    rng = random.Random(seed)
    city = db.session.scalar(select(Unit).where(Unit.code == "0000"))
    db.session.add(FormAssignment(unit_id=city.id, form_code="penalty", required=False))
    scales: dict[int, int] = {}

    def make(unit, period):
        scale = scales.setdefault(unit.id, unit_scale(unit, rng))
        return penalty_values(scale, period, rng, unit)

    n = load_form_demo("penalty", FIRST, make, rng)
    _returned_and_correction(last_complete("quarter", today()))
    db.session.commit()
    return n


def _returned_and_correction(last: Period) -> None:
    """东城区's latest quarter returned by the office; 市公安局's previous one under correction."""
    from ..filing.values import current_values

    dongcheng = db.session.scalar(select(Unit).where(Unit.code == "0100"))
    gongan = db.session.scalar(select(Unit).where(Unit.code == "2300"))
    f = db.session.scalar(select(Filing).where(Filing.unit_id == dongcheng.id,
                                               Filing.period_key == last.key))
    f.state = "returned"
    db.session.add(FilingTransition(filing_id=f.id, action="return", from_state="submitted",
                                    to_state="returned", username="reviewer",
                                    comment="罚款金额与上季度相比变化较大，请核实后重新上报"))
    g = db.session.scalar(select(Filing).where(Filing.unit_id == gongan.id,
                                               Filing.period_key == last.previous().key))
    proposed = current_values(g)
    proposed["k_warning"] += 12
    proposed["decisions_total"] += 12
    proposed["proc_summary"] += 12
    db.session.add(CorrectionRequest(filing_id=g.id, base_revision=g.revision,
                                     reason="补录第三支队漏报的12件警告处罚", proposed=proposed,
                                     state="pending", requested_by="gongan_filler"))
