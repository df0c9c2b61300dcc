"""Demo figures for the penalty form: every unit expected to file it, 2006 Q1 to the last complete quarter.

Volumes by what a unit enforces (app/demo/model.py): districts by population, bureaus by their
profile — public security decides the most (and alone may detain: 行政拘留, by allowed_kinds),
market regulation fines the most money, a foreign-affairs office barely penalises — growing
from the 2006 launch, with seasons and a few explained outliers. Magnitudes follow the domain
notes: a bureau 10²–10⁴ decisions a quarter, fines the bulk. Every row satisfies the form's rules.
"""

from __future__ import annotations

import random

from flask import current_app
from sqlalchemy import select

from ..clock import today
from ..extensions import db
from ..filing.periods import Period, last_complete
from ..forms import get_form
from ..forms.penalty import KIND_NAMES, allowed_kinds
from ..models.filing import Filing
from ..models.unit import Unit
from .filings import load_form_demo
from .model import DISTRICT_KINDS, DISTRICT_PENALTY_PER_10K, City, growth, lognormal, outlier_factor, quarter_factor
from .reasons import coded_return_reason

FIRST = Period(2006, "quarter", 1)
# Share of decisions by kind (fines ≈ 69%), the rest spread over the other kinds.
KIND_WEIGHTS = {"k_warning": 18, "k_criticism": 2, "k_fine": 69, "k_gains": 3, "k_property": 2,
                "k_suspend_licence": 1, "k_downgrade": 0.3, "k_revoke_licence": 0.7,
                "k_restrict_business": 0.3, "k_suspend_operations": 1, "k_closure": 0.4,
                "k_occupation_ban": 0.3, "k_detention": 1.5, "k_other": 0.5}


def expected_decisions(city: City, unit, period: Period) -> float:
    """A unit's expected decisions in a quarter."""
    w = city.weight(unit, period.end, "penalty")
    if unit.kind in DISTRICT_KINDS:
        w *= DISTRICT_PENALTY_PER_10K
    return w * growth(period.year) * quarter_factor(period) * outlier_factor("penalty", unit, period)


def penalty_values(scale: float, period: Period, rng: random.Random, unit=None, fine: int = 1000) -> dict[str, int]:
    """One quarter's consistent figures around `scale` expected decisions (drawn with noise, so a
    tiny unit has quarters without any); only kinds `unit` may impose; `fine`: average fine (yuan)."""
    from .model import apportion

    total = round(scale * rng.uniform(0.85, 1.15)) if scale >= 5 else sum(rng.random() < scale / 5 for _ in range(5))
    v = dict(zip(KIND_WEIGHTS, apportion(total, list(KIND_WEIGHTS.values()), rng, 0.3), strict=True))
    if unit is not None:
        allowed = allowed_kinds(unit)
        v = {k: (n if k in allowed else 0) for k, n in v.items()}
    v["k_fine"] += total - sum(v.values())
    if v["k_fine"] < 0:
        v["k_warning"] += v["k_fine"]
        v["k_fine"] = 0
    total = sum(v[k] for k in KIND_NAMES)
    v["decisions_total"] = total
    v["proc_summary"] = round(total * rng.uniform(0.45, 0.75))
    v["proc_ordinary"] = total - v["proc_summary"]
    v["cases_opened"] = round(v["proc_ordinary"] * rng.uniform(1.0, 1.15))
    v["cases_closed"] = round(v["proc_ordinary"] * rng.uniform(0.95, 1.05))
    v["amount_fines"] = round(v["k_fine"] * fine * rng.uniform(0.6, 1.4)) * 100
    v["amount_gains"] = round(v["k_gains"] * fine * rng.uniform(1, 5)) * 100
    v["amount_property"] = round(v["k_property"] * fine * rng.uniform(0.5, 2)) * 100
    v["hearings_notified"] = round(v["proc_ordinary"] * rng.uniform(0.02, 0.08))
    v["hearings_held"] = round(v["hearings_notified"] * rng.uniform(0.1, 0.5))
    v["legal_reviews"] = round(v["proc_ordinary"] * rng.uniform(0.9, 1.0))
    v["no_penalty"] = round(total * rng.uniform(0.005, 0.02))
    v["reduced_penalty"] = round(total * rng.uniform(0.01, 0.03))
    v["reconsidered"] = round(total * rng.uniform(0.002, 0.008))
    v["reconsidered_corrected"] = round(v["reconsidered"] * rng.uniform(0.0, 0.2))
    v["sued"] = round(total * rng.uniform(0.001, 0.004))
    v["sued_lost"] = round(v["sued"] * rng.uniform(0.0, 0.2))
    v["referred"] = round(total * rng.uniform(0.0005, 0.003))
    if get_form("penalty", period).has_field("mild_penalty"):  # the 2027 version's figures
        v["mild_penalty"] = int(total * rng.uniform(0.02, 0.06))
        v["enterprise_decisions"] = int(total * rng.uniform(0.2, 0.5))
        v["court_enforcement"] = int(v["proc_ordinary"] * rng.uniform(0.0, 0.02))
        v["collected_fines"] = int(v["amount_fines"] * rng.uniform(0.85, 1.0))
        v["collected_gains"] = int(v["amount_gains"] * rng.uniform(0.8, 1.0))
    return v


def load_penalty_demo(seed: int = 2006, audit: list | None = None) -> int:
    """Insert the demo penalty filings; returns how many filings were made."""
    rng = random.Random(seed)
    city = City(db.session.scalars(select(Unit).order_by(Unit.code)))

    def make(unit, period):
        scale = expected_decisions(city, unit, period) * lognormal(rng, 0.08)
        return penalty_values(scale, period, rng, unit, city.fine(unit))

    n = load_form_demo("penalty", FIRST, make, rng, audit)
    _returned_and_correction(last_complete("quarter", today()))
    db.session.commit()
    return n


def _raw(filing, values: dict) -> dict[str, str]:
    """Stored figures as a form would post them (money in yuan)."""
    from ..forms.base import MONEY

    spec = get_form(filing.form_code, Period.parse(filing.period_key))
    return {f.name: (f"{values[f.name] / 100:.2f}" if f.kind == MONEY else str(values[f.name]))
            for f in spec.fields if values.get(f.name) is not None}


def _returned_and_correction(last: Period) -> None:
    """Through the workflow's own functions (their transitions and audit rows): 东城区's latest
    quarter returned by the office; 市公安局's previous one under correction; and two earlier
    corrections of each, approved by the office (their filings now at revision 2)."""
    from ..filing.corrections import decide, request_correction
    from ..filing.values import current_values
    from ..filing.workflow import apply

    sm = current_app.appbuilder.sm
    reviewer, fillers = sm.find_user(username="reviewer"), {
        "0100": sm.find_user(username="dongcheng_filler"), "2300": sm.find_user(username="gongan_filler")}
    units = {code: db.session.scalar(select(Unit).where(Unit.code == code)) for code in fillers}

    def filing(code, key):
        return db.session.scalar(select(Filing).where(Filing.form_code == "penalty",
                                                      Filing.unit_id == units[code].id, Filing.period_key == key))

    latest, before = filing("0100", last.key), filing("0100", last.previous().key)
    code, reason = coded_return_reason(get_form("penalty", last), current_values(latest),
                                       current_values(before) if before is not None else None, 0)
    apply(latest, "return", reviewer, comment=reason, reason_code=code, commit=False)  # a reason true of its figures
    for code, key, n, reason in (("0100", "2012Q2", 3, "补录街道综合执法队漏报的3件警告处罚"),
                                 ("0100", "2021Q4", 5, "补录区市场监管所漏报的5件警告处罚"),
                                 ("2300", "2016Q3", 40, "补录交管支队漏报的40件警告处罚"),
                                 ("2300", last.previous().key, 12, "补录第三支队漏报的12件警告处罚")):
        f = filing(code, key)
        if f is None or f.state not in ("submitted", "accepted"):
            continue
        proposed = current_values(f)
        for name in ("k_warning", "decisions_total", "proc_summary"):
            proposed[name] += n
        req = request_correction(f, _raw(f, proposed), reason, fillers[code], commit=False)
        if key != last.previous().key:
            decide(req, True, "同意更正", reviewer, commit=False)
