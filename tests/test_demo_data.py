"""The demo data obeys every blocking rule of its form (so the demo never shows impossible figures),
and the one splitting function keeps sums exact without rounding small parts away."""

import random

from app.demo.cases import litigation_values, reconsideration_values
from app.demo.model import apportion
from app.demo.penalty import penalty_values
from app.filing.periods import Period
from app.forms import get_form


class _Unit:
    def __init__(self, uid, code, kind, name):
        self.id, self.code, self.kind, self.name = uid, code, kind, name


def _errors(code, values, period=None, unit=None):
    from app.forms.base import CheckContext

    spec = get_form(code, period)
    parsed, field_errors = spec.parse(values)
    assert not field_errors, field_errors
    return [i.message for i in spec.check(parsed, CheckContext(unit=unit) if unit else None) if i.level == "error"]


def test_generated_figures_pass_the_rules():
    rng = random.Random(1)
    for make in (reconsideration_values, litigation_values):
        code = "reconsideration" if make is reconsideration_values else "litigation"
        p, carried = Period(2006, "half", 1), 0
        for _ in range(42):  # 2006H1 … 2026H2: every version of the form
            for new in (0, 1, 7, 250, 40000):
                v = make(new, carried, p, rng, final=new == 7)
                assert _errors(code, v, p) == []
                if new == 7:
                    assert v["pending"] == 0  # a unit that stops deciding cases concludes its stock
            carried = v["pending"]
            p = p.next()
    gongan = _Unit(2, "2300", "department", "北京市公安局法制处")
    for scale in (0.3, 1, 60, 3000, 30000):
        for q in range(1, 5):
            values = penalty_values(scale, Period(2024, "quarter", q), rng, gongan, 500)
            values = {k: (str(v / 100) if k.startswith("amount") else v) for k, v in values.items()}
            assert _errors("penalty", values, Period(2024, "quarter", q), gongan) == []


def test_only_units_allowed_to_detain_get_detentions():
    rng = random.Random(5)
    p = Period(2024, "quarter", 1)
    district = _Unit(1, "0100", "district", "东城区人民政府法制办公室")
    gongan = _Unit(2, "2300", "department", "北京市公安局法制处")
    assert sum(penalty_values(5000, p, rng, district)["k_detention"] for _ in range(20)) == 0
    assert sum(penalty_values(5000, p, rng, gongan)["k_detention"] for _ in range(20)) > 0


def test_apportion_sums_exactly_and_keeps_small_shares():
    rng = random.Random(3)
    for total in (0, 1, 7, 100, 12345):
        parts = apportion(total, [5, 1, 1, 3], rng, 0.2)
        assert sum(parts) == total and all(x >= 0 for x in parts)
    # A unit with 6 concluded cases and a 13.6% correction share: corrected sometimes, not never
    # (the old split truncated every small part to 0 and gave the rest to the largest).
    corrected = [sum(apportion(6, [86.4, 13.6], rng)[1:]) for _ in range(2000)]
    assert 0.12 < sum(corrected) / (6 * 2000) < 0.15
