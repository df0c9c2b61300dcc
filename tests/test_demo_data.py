"""The demo data obeys every blocking rule of its form (so the demo never shows impossible figures)."""

import random

from app.demo.cases import litigation_values, reconsideration_values, split
from app.demo.penalty import penalty_values
from app.filing.periods import Period
from app.forms import get_form


class _Unit:
    def __init__(self, uid, code, kind):
        self.id, self.code, self.kind = uid, code, kind


def _errors(code, values, period=None):
    spec = get_form(code, period)
    parsed, field_errors = spec.parse(values)
    assert not field_errors, field_errors
    return [i.message for i in spec.check(parsed) if i.level == "error"]


def test_generated_figures_pass_the_rules():
    rng = random.Random(1)
    units = [_Unit(1, "0100", "district"), _Unit(2, "2300", "department"), _Unit(3, "3800", "department")]
    for code, make in (("reconsideration", reconsideration_values), ("litigation", litigation_values)):
        carried, base = {}, {}
        p = Period(2019, "half", 1)
        for _ in range(16):  # 2019H1 … 2026H2: both versions of the reconsideration form
            for u in units:
                assert _errors(code, make(u, p, rng, carried, base), p) == []
            p = p.next()
    for scale in (1, 60, 3000, 30000):
        for q in range(1, 5):
            values = penalty_values(scale, Period(2024, "quarter", q), rng)
            values = {k: (str(v / 100) if k.startswith("amount") else v) for k, v in values.items()}
            assert _errors("penalty", values, Period(2024, "quarter", q)) == []


def test_split_sums_exactly():
    rng = random.Random(3)
    for total in (0, 1, 7, 100, 12345):
        assert sum(split(total, [5, 1, 1, 3], rng)) == total
        assert all(p >= 0 for p in split(total, [5, 1, 1, 3], rng))
